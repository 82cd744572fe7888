using System.Text.Json;
using TapeKit.Cli;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.Samples;

/// <summary>The label sets shipped in samples/TapeLabelSets/labels decode strictly, as the README says.</summary>
public sealed class ShippedLabelSetTests
{
    [Theory]
    [InlineData("cta-tape.labels", 19, "CTA")]
    [InlineData("castor-tape.labels", 13, "CASTOR")]
    [InlineData("tapekit-tape.labels", 19, "TAPEKIT")]
    [InlineData("tapekit-prelabelled.labels", 2, "TAPEKIT")]
    public void Shipped_label_set_decodes_strictly(string file, int labels, string owner)
    {
        string path = Path.Combine(RepositoryRoot(), "samples", "TapeLabelSets", "labels", file);
        CliRun run = CliRun.Of("label", "decode", "--json", path);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        Assert.Equal(labels, json.RootElement.GetArrayLength());
        Assert.Equal(owner, json.RootElement[0].GetProperty("ownerId").GetString());
    }

    private static string RepositoryRoot() => TapeKit.Tests.RepositoryRoot.Path;
}

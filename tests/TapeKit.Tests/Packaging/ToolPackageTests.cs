using System.Xml.Linq;

namespace TapeKit.Tests.Packaging;

/// <summary>
/// The <c>tapekit</c> tool package carries ReadyToRun code for linux-x64 (issue 14): a RID-specific tool, packed as
/// <c>TapeKit.Cli.linux-x64</c> (ReadyToRun, framework-dependent) and <c>TapeKit.Cli.any</c> (IL) behind the pointer
/// package <c>TapeKit.Cli</c>; and the samples publish ReadyToRun. Building, testing and <c>dotnet run</c> stay JIT.
/// </summary>
public sealed class ToolPackageTests
{
    private static readonly string[] Platforms = ["linux-x64", "any"];

    [Fact]
    public void The_tool_is_packed_per_platform_with_ReadyToRun_code_for_linux_x64()
    {
        XDocument project = Load("src/TapeKit.Cli/TapeKit.Cli.csproj");
        Assert.Equal("true", Property(project, "PackAsTool"));
        Assert.Equal(Platforms, Property(project, "ToolPackageRuntimeIdentifiers").Split(';'));
        Assert.Equal(Platforms, Property(project, "RuntimeIdentifiers").Split(';'));
        Assert.Equal("true", Property(project, "PublishReadyToRun"));
        Assert.Equal("false", Property(project, "SelfContained"));
        // Set unconditionally, RuntimeIdentifier would move every build's output (and make every build RID-specific).
        Assert.All(project.Descendants("RuntimeIdentifier"), e => Assert.Contains("_IsPublishing", (string?)e.Parent?.Attribute("Condition") ?? "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("samples/SmallFilesCache/SmallFilesCache.csproj")]
    [InlineData("samples/TapeGateway/TapeGateway.csproj")]
    public void The_samples_publish_ReadyToRun_and_build_as_before(string path)
    {
        XDocument project = Load(path);
        Assert.Equal("true", Property(project, "PublishReadyToRun"));
        XElement rid = Assert.Single(project.Descendants("RuntimeIdentifier"));
        Assert.Contains("'$(_IsPublishing)' == 'true'", (string?)rid.Parent?.Attribute("Condition") ?? "", StringComparison.Ordinal);
    }

    private static string Property(XDocument project, string name) => Assert.Single(project.Descendants(name)).Value;

    private static XDocument Load(string relative) => XDocument.Load(Path.Combine(RepositoryRoot.Path, relative));
}

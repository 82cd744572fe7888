using System.Text.Json.Nodes;
using TapeGateway;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The gateway's tpcp-like commands on a gateway kept on disk between them: migrate, dump, verify, recall.</summary>
public sealed class TapeGatewayOperatorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-gateway-ops-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Verify_agrees_with_the_name_server_on_every_tape_and_finds_a_changed_record()
    {
        GatewayOptions options = Demo.Options(_root);
        Assert.Equal(0, await OperatorCommands.MigrateAsync(options, GatewayMode.TapeKit, 1200, TextWriter.Null));

        string[] written;
        await using (TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero))
        {
            written = [.. world.Names.Tapes.Values.Where(t => t.LastFseq > 0).Select(t => t.Vsn)];
        }

        Assert.Contains(written, v => v.StartsWith('N')); // The NL class wrote to its pool.
        foreach (string vsn in written)
        {
            var output = new StringWriter();
            Assert.Equal(0, await OperatorCommands.DumpAsync(options, vsn, verify: true, output));
            Assert.Contains($"{vsn}: verified", output.ToString(), StringComparison.Ordinal);
        }

        // The dump lists an IL aggregation and its members, read from the tape.
        var dump = new StringWriter();
        Assert.Equal(0, await OperatorCommands.DumpAsync(options, "A00001", verify: false, dump));
        Assert.Contains(" Il ", dump.ToString(), StringComparison.Ordinal);
        Assert.Contains("member f", dump.ToString(), StringComparison.Ordinal);

        // A name server that disagrees with the tape (a member's checksum changed) fails the verification.
        string path = Path.Combine(_root, "nameserver.json");
        JsonNode state = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        JsonNode segment = state["segments"]!.AsArray().First(s => (uint)s!["adler32"]! != 0)!;
        segment["adler32"] = (uint)segment["adler32"]! ^ 1;
        string vsnOfSegment = state["tapeFiles"]!.AsArray().First(t => (long)t!["id"]! == (long)segment["tapeFileId"]!)!["vsn"]!.GetValue<string>();
        await File.WriteAllTextAsync(path, state.ToJsonString());

        var bad = new StringWriter();
        Assert.Equal(1, await OperatorCommands.DumpAsync(options, vsnOfSegment, verify: true, bad));
        Assert.Contains("adler32", bad.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("classic")]
    [InlineData("tapekit")]
    public async Task Recall_reads_back_every_byte_of_aggregated_own_and_nl_files(string mode)
    {
        GatewayOptions options = Demo.Options(_root);
        Assert.Equal(0, await OperatorCommands.MigrateAsync(options, GatewayMode.Parse(mode), 1000, TextWriter.Null));
        long[] ids;
        await using (TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero))
        {
            // One file of each kind of tape file, and a few more.
            ids = [.. world.Names.TapeFiles.Values.GroupBy(t => t.Kind).Select(g => world.Names.SegmentsIn(g.First().Id)[0].FileId)
                .Concat(world.Names.Files.Keys.Where(id => id % 97 == 0)).Distinct()];
        }

        var output = new StringWriter();
        Assert.Equal(0, await OperatorCommands.RecallAsync(options, GatewayMode.Parse(mode), ids, output));
        Assert.Contains($"{ids.Length} of {ids.Length} files verified", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Tapes whose labels another system wrote (the shipped CASTOR and CTA label sets): dumped, verified, recalled by block id.</summary>
    [Theory]
    [InlineData("castor-tape.labels", "I10001", 2)]
    [InlineData("cta-tape.labels", "V12345", 3)]
    public async Task A_tape_labelled_by_castor_or_cta_is_verified_and_recalled(string labels, string vsn, int files)
    {
        GatewayOptions options = Demo.Options(_root);
        Assert.Equal(0, await OperatorCommands.ImportLabelsAsync(options, Path.Combine(RepositoryRoot(), "samples", "TapeLabelSets", "labels", labels), TextWriter.Null));

        var verify = new StringWriter();
        Assert.Equal(0, await OperatorCommands.DumpAsync(options, vsn, verify: true, verify));
        Assert.Contains($"{vsn}: verified, {files} tape files", verify.ToString(), StringComparison.Ordinal);

        long[] ids;
        await using (TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero))
        {
            ids = [.. world.Names.TapeFilesOn(vsn).Select(t => world.Names.SegmentsIn(t.Id)[0].FileId)];
            Assert.All(world.Names.TapeFilesOn(vsn), t => Assert.NotNull(t.LabelId)); // Their own HDR1 ids, kept.
        }

        var recall = new StringWriter();
        Assert.Equal(0, await OperatorCommands.RecallAsync(options, GatewayMode.Classic, ids, recall));
        Assert.Contains($"{files} of {files} files verified", recall.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The daemon serves a recall request dropped into its recall directory and writes the outcome beside it.</summary>
    [Fact]
    public async Task The_daemon_serves_a_dropped_recall_request()
    {
        GatewayOptions options = Demo.Options(_root);
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        Assert.Equal(0, await OperatorCommands.MigrateAsync(options, GatewayMode.TapeKit, 300, TextWriter.Null));
        Directory.CreateDirectory(Path.Combine(_root, "recall"));
        await File.WriteAllLinesAsync(Path.Combine(_root, "recall", "r1.txt"), ["7", "150", "299"]);
        string done = Path.Combine(_root, "recall", "r1.done");

        var daemon = new GatewayDaemon(Microsoft.Extensions.Options.Options.Create(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<GatewayDaemon>.Instance);
        await daemon.StartAsync(CancellationToken.None);
        try
        {
            for (int i = 0; i < 600 && !File.Exists(done); i++)
            {
                await Task.Delay(100);
            }
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }

        string[] lines = await File.ReadAllLinesAsync(done);
        Assert.Equal(["150 verified", "299 verified", "7 verified"], lines.Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(_root, "recall", "r1.txt")));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TapeKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("TapeKit.sln not found above " + AppContext.BaseDirectory);
    }
}

using System.Text.Json;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

public sealed class TapeCommandTests
{
    [Fact]
    public void Write_dump_read_and_verify_aul_and_alb_files_on_a_virtual_cartridge()
    {
        using var dir = new TempDirectory();
        string tape = dir.File("T00001");
        string src = dir.File("src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        byte[] small = new byte[5000], big = new byte[300_000];
        new Random(1).NextBytes(small);
        new Random(2).NextBytes(big);
        File.WriteAllBytes(Path.Combine(src, "small"), small);
        File.WriteAllBytes(Path.Combine(src, "sub", "big"), big);

        Assert.Equal(0, CliRun.Of("vtape", "create", tape, "--vsn", "T00001", "--media", "lto9").ExitCode);
        Ok(CliRun.Of("tape", "write", "--tape", tape, "--format", "aul", "--file-id", "1A2B", Path.Combine(src, "small")));
        Ok(CliRun.Of("tape", "write", "--tape", tape, "--format", "alb", "--payload", "tar", "--file-id", "A1B2", src));
        Ok(CliRun.Of("tape", "write", "--tape", tape, "--format", "alb", "--payload", "il", "--block-size", "65536", src));

        CliRun dump = Ok(CliRun.Of("tape", "dump", "--json", "--tape", tape));
        using JsonDocument json = JsonDocument.Parse(dump.StdoutBytes);
        JsonElement[] files = [.. json.RootElement.EnumerateArray()];
        Assert.Equal(["opaque", "tar", "il"], files.Select(f => f.GetProperty("payload").GetString()));
        Assert.Equal("1A2B", files[0].GetProperty("fileId").GetString());
        Assert.Equal(0, files[0].GetProperty("blockId").GetInt64());
        Assert.Equal("EOF1", files[0].GetProperty("labels")[3].GetProperty("kind").GetString());
        Assert.Equal(2, files[1].GetProperty("members").GetArrayLength());

        string member = files[1].GetProperty("members").EnumerateArray().First(m => m.GetProperty("size").GetInt64() == big.Length).GetProperty("name").GetString()!;
        Ok(CliRun.Of("tape", "read", "--tape", tape, "--fseq", "2", "--member", member, "--out", dir.File("big.out")));
        Assert.Equal(big, File.ReadAllBytes(dir.File("big.out")));
        Ok(CliRun.Of("tape", "read", "--tape", tape, "--fseq", "1", "--out", dir.File("small.out")));
        Assert.Equal(small, File.ReadAllBytes(dir.File("small.out")));
        Assert.Contains("3 files", Ok(CliRun.Of("tape", "verify", "--tape", tape)).Stdout, StringComparison.Ordinal);

        Ok(CliRun.Of("catalog", "rebuild", "--db", dir.File("catalog.json"), "--tape", tape));
        using JsonDocument catalog = JsonDocument.Parse(File.ReadAllBytes(dir.File("catalog.json")));
        JsonElement rebuilt = catalog.RootElement.GetProperty("tapes")[0];
        Assert.Equal("T00001", rebuilt.GetProperty("vsn").GetString());
        Assert.Equal(3, rebuilt.GetProperty("files").GetArrayLength());
        Assert.Equal(
            files[2].GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("name").GetString(), m.GetProperty("objectId").GetInt64(), m.GetProperty("xxh3").GetString())),
            rebuilt.GetProperty("files")[2].GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("name").GetString(), m.GetProperty("objectId").GetInt64(), m.GetProperty("xxh3").GetString())));
        Assert.Equal(ExitCodes.Usage, CliRun.Of("catalog", "rebuild", "--db", dir.File("catalog.json"), "--disk-library", "DL", "--tape", tape).ExitCode);
    }

    [Fact]
    public void Wrong_volume_and_stale_append_are_refused_with_exit_4_and_nothing_written()
    {
        using var dir = new TempDirectory();
        string tape = dir.File("T00002");
        File.WriteAllBytes(dir.File("f"), [1, 2, 3]);
        Assert.Equal(0, CliRun.Of("vtape", "create", tape, "--vsn", "T00002").ExitCode);
        Ok(CliRun.Of("tape", "write", "--tape", tape, "--format", "aul", dir.File("f"), dir.File("f")));

        CliRun wrong = CliRun.Of("tape", "dump", "--tape", tape, "--vsn", "X99999");
        Assert.Equal(ExitCodes.Refused, wrong.ExitCode);
        Assert.Single(wrong.StderrLines);

        CliRun stale = CliRun.Of("tape", "write", "--tape", tape, "--after", "1", "--format", "aul", dir.File("f"));
        Assert.Equal(ExitCodes.Refused, stale.ExitCode);
        Assert.Contains("catalogue is behind the tape", stale.Stderr, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(Ok(CliRun.Of("tape", "dump", "--json", "--tape", tape)).StdoutBytes);
        Assert.Equal(2, json.RootElement.GetArrayLength());
    }

    [Fact]
    public void Nl_tapes_are_written_and_read_with_no_label()
    {
        using var dir = new TempDirectory();
        string tape = dir.File("N00001");
        byte[] data = new byte[70_000];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(dir.File("f"), data);
        Assert.Equal(0, CliRun.Of("vtape", "create", tape, "--vsn", "N00001", "--no-label").ExitCode);
        Ok(CliRun.Of("tape", "write", "--tape", tape, "--format", "nl", "--block-size", "32768", dir.File("f"), dir.File("f")));
        Ok(CliRun.Of("tape", "read", "--tape", tape, "--nl", "--fseq", "2", "--out", dir.File("out")));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out")));
        Assert.Equal(ExitCodes.Usage, CliRun.Of("tape", "write", "--tape", dir.File("missing"), "--format", "nl", dir.File("f")).ExitCode);
    }

    [Fact]
    public void A_tape_without_labels_fails_to_mount_as_aul()
    {
        using var dir = new TempDirectory();
        string tape = dir.File("N00002");
        Assert.Equal(0, CliRun.Of("vtape", "create", tape, "--vsn", "N00002", "--no-label").ExitCode);
        CliRun run = CliRun.Of("tape", "dump", "--tape", tape);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("blank", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.StderrLines);
    }

    private static CliRun Ok(CliRun run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        return run;
    }
}

using System.Text;
using System.Text.Json;
using TapeKit.Aggregation;

namespace TapeKit.Tests.Cli;

public sealed class AggCommandTests
{
    private static void MakeTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "tree", "sub"));
        File.WriteAllText(Path.Combine(root, "tree", "a.txt"), "hello\n");
        File.WriteAllBytes(Path.Combine(root, "tree", "empty"), []);
        byte[] big = new byte[300_000];
        new Random(3).NextBytes(big);
        File.WriteAllBytes(Path.Combine(root, "tree", "sub", "big.bin"), big);
        File.WriteAllText(Path.Combine(root, "tree", "sub", "ünï cødé.txt"), "utf-8\n");
    }

    [Theory]
    [InlineData("il")]
    [InlineData("tar")]
    public void Pack_list_verify_extract_round_trip(string format)
    {
        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        string archive = dir.Combine("agg." + format);
        var pack = CliRunner.Run("agg", "pack", "--format", format, "--out", archive, "--block-size", "8192", "--json", dir.Combine("tree"));
        Assert.True(pack.Exit == 0, pack.Stderr);
        var packed = JsonDocument.Parse(pack.Stdout).RootElement;
        Assert.Equal(4, packed.GetArrayLength());
        Assert.Equal(0, new FileInfo(archive).Length % 8192);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));

        var list = CliRunner.Run("agg", "list", "--json", archive);
        Assert.Equal(0, list.Exit);
        var listed = JsonDocument.Parse(list.Stdout).RootElement;
        Assert.Equal(packed.ToString(), listed.ToString());
        var names = listed.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["tree/a.txt", "tree/empty", "tree/sub/big.bin", "tree/sub/ünï cødé.txt"], names);
        var first = listed[0];
        Assert.Equal("084b021f", first.GetProperty("adler32").GetString());
        Assert.Equal(6, first.GetProperty("size").GetInt64());

        Assert.Equal(0, CliRunner.Run("agg", "verify", archive).Exit);
        var extract = CliRunner.Run("agg", "extract", archive, "--to", dir.Combine("out"));
        Assert.True(extract.Exit == 0, extract.Stderr);
        foreach (string name in names)
        {
            Assert.Equal(File.ReadAllBytes(dir.Combine(name)), File.ReadAllBytes(dir.Combine("out", name)));
        }

        var one = CliRunner.Run("agg", "extract", archive, "--to", dir.Combine("one"), "--member", "tree/sub/big.bin");
        Assert.Equal(0, one.Exit);
        Assert.Single(Directory.GetFiles(dir.Combine("one"), "*", SearchOption.AllDirectories));
    }

    private static readonly string[][] WriterChoices = [["--read-ahead", "0"], [], ["--drive-thread"], ["--read-ahead", "0", "--drive-thread"]];

    [Theory]
    [InlineData("il")]
    [InlineData("tar")]
    public void The_serial_writer_the_read_ahead_and_the_drive_thread_pack_the_same_members_at_the_same_offsets(string format)
    {
        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        string[] listings = [.. WriterChoices.Select((options, i) =>
        {
            string archive = dir.Combine($"agg{i}.{format}");
            var pack = CliRunner.Run(["agg", "pack", "--format", format, "--out", archive, "--block-size", "8192", .. options, dir.Combine("tree")]);
            Assert.True(pack.Exit == 0, pack.Stderr);
            Assert.Equal(0, CliRunner.Run("agg", "verify", archive).Exit);
            return CliRunner.Run("agg", "list", "--json", archive).Stdout;
        })];

        Assert.All(listings, listing => Assert.Equal(listings[0], listing));
        Assert.Equal(4, JsonDocument.Parse(listings[0]).RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("il")]
    [InlineData("tar")]
    public void A_corrupt_aggregation_fails_verify_with_exit_3_and_extracts_only_good_members(string format)
    {
        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        string archive = dir.Combine("agg");
        Assert.Equal(0, CliRunner.Run("agg", "pack", "--format", format, "--out", archive, "--block-size", "8192", dir.Combine("tree")).Exit);
        var list = JsonDocument.Parse(CliRunner.Run("agg", "list", "--json", archive).Stdout).RootElement;
        long bigOffset = list[2].GetProperty("offset").GetInt64();
        byte[] bytes = File.ReadAllBytes(archive);
        bytes[bigOffset + 100_000] ^= 1;
        File.WriteAllBytes(archive, bytes);

        var verify = CliRunner.Run("agg", "verify", archive);
        Assert.Equal(3, verify.Exit);
        Assert.Contains("big.bin", verify.Stderr, StringComparison.Ordinal);
        Assert.Single(verify.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.Contains("warning", StringComparison.Ordinal));

        var extract = CliRunner.Run("agg", "extract", archive, "--to", dir.Combine("out"));
        Assert.Equal(3, extract.Exit);
        Assert.True(File.Exists(dir.Combine("out", "tree", "a.txt")));
        Assert.True(File.Exists(dir.Combine("out", "tree", "empty")));
        Assert.False(File.Exists(dir.Combine("out", "tree", "sub", "big.bin")));
        Assert.Empty(Directory.GetFiles(dir.Combine("out"), "*.partial", SearchOption.AllDirectories));
    }

    public static TheoryData<string, byte[], int> HostileArchives()
    {
        byte[] data = Encoding.ASCII.GetBytes("evil\n");
        return new TheoryData<string, byte[], int>
        {
            { "dot-dot escape", new RawTar().Entry("ok.txt", data: data).Entry("../escaped.txt", data: data).End(), 4 },
            { "nested escape", new RawTar().Entry("a/../../escaped.txt", data: data).End(), 4 },
            { "absolute path", new RawTar().Entry("/tmp/tapekit-absolute-escape.txt", data: data).End(), 4 },
            { "symbolic link", new RawTar().Entry("link", (byte)'2', link: "/etc/passwd").Entry("link/x", data: data).End(), 4 },
            { "hard link", new RawTar().Entry("hard", (byte)'1', link: "/etc/passwd").End(), 4 },
            { "character device", new RawTar().Entry("dev", (byte)'3').End(), 4 },
            { "block device", new RawTar().Entry("blk", (byte)'4').End(), 4 },
            { "fifo", new RawTar().Entry("fifo", (byte)'6').End(), 4 },
            { "control character", new RawTar().Entry("bad\u0001name", data: data).End(), 4 },
            { "empty name", new RawTar().Entry(string.Empty, data: data).End(), 4 },
            { "NUL in pax path", new RawTar().Pax("path", "a\0b").Entry("placeholder", data: data).End(), 4 },
            { "pax path escape", new RawTar().Pax("path", "../../pax-escape.txt").Entry("placeholder", data: data).End(), 4 },
            { "GNU long name escape", new RawTar().Entry("././@LongLink", (byte)'L', Encoding.ASCII.GetBytes("../" + new string('x', 120) + "\0"), gnu: true).Entry("x", data: data, gnu: true).End(), 4 },
            { "backslash", new RawTar().Entry("a\\..\\..\\b", data: data).End(), 4 },
            { "lying size (too large)", new RawTar().Entry("ok.txt", data: data).Entry("liar", data: data, sizeField: 1_000_000).End(), 3 },
            { "lying size (too small)", new RawTar().Entry("liar", data: Enumerable.Repeat((byte)'A', 2000).ToArray(), sizeField: 3).End(), 3 },
            { "lying size (huge base-256)", LyingBase256(), 3 },
            { "garbage header", new RawTar().Entry("ok.txt", data: data).End(endBlocks: false).Concat(Enumerable.Repeat((byte)0x41, 512)).Concat(new byte[1024]).ToArray(), 3 },
            { "unknown type", new RawTar().Entry("sparse", (byte)'S').End(), 3 },
            { "truncated", new RawTar().Entry("ok.txt", data: data).Entry("cut", data: new byte[5000]).End()[..2048], 3 },
            { "pax size lie", new RawTar().Pax("size", "99999999").Entry("liar", data: data).End(), 3 },
            { "bad manifest", new RawTar().Entry("ok.txt", data: data).Entry(MemberName.Manifest, data: Encoding.UTF8.GetBytes("{\"format\":\"tapekit-tar-manifest\",\"version\":2}\n")).End(), 3 },
        };
    }

    private static byte[] LyingBase256()
    {
        byte[] archive = new RawTar().Entry("huge", data: Encoding.ASCII.GetBytes("x")).End();
        archive.AsSpan(124, 12).Clear();
        archive[124] = 0x80;
        archive[127] = 0x7F;
        byte[] header = archive[..512];
        RawTar.Seal(header);
        header.CopyTo(archive, 0);
        return archive;
    }

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public void Hostile_archives_are_refused_and_nothing_escapes_or_stays_half_written(string what, byte[] archive, int expectedExit)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("hostile.tar");
        File.WriteAllBytes(path, archive);
        string target = dir.Combine("target", "inner");
        Directory.CreateDirectory(target);
        var before = Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Order().ToArray();

        var result = CliRunner.Run("agg", "extract", path, "--to", target);
        Assert.True(expectedExit == result.Exit, $"{what}: exit {result.Exit}, stderr {result.Stderr}");
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("tapekit: warning", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);

        var after = Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Order().ToArray();
        var added = after.Except(before).ToArray();
        Assert.All(added, p => Assert.StartsWith(target + Path.DirectorySeparatorChar, p, StringComparison.Ordinal));
        Assert.DoesNotContain(added, p => p.EndsWith(".partial", StringComparison.Ordinal));
        if (expectedExit == 4)
        {
            Assert.Empty(added);
        }

        Assert.False(File.Exists("/tmp/tapekit-absolute-escape.txt"));
        Assert.False(File.Exists(dir.Combine("escaped.txt")));
        Assert.False(File.Exists(dir.Combine("target", "escaped.txt")));

        if (expectedExit == 3)
        {
            Assert.Equal(3, CliRunner.Run("agg", "verify", path).Exit);
        }
    }

    [Fact]
    public void A_symbolic_link_planted_in_the_target_is_not_followed()
    {
        using var dir = new TempDirectory();
        string outside = dir.Combine("outside");
        Directory.CreateDirectory(outside);
        string target = dir.Combine("target");
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Combine(target, "sub"), outside);
        string path = dir.Combine("a.tar");
        File.WriteAllBytes(path, new RawTar().Entry("sub/file.txt", data: [1, 2, 3]).End());
        var result = CliRunner.Run("agg", "extract", path, "--to", target);
        Assert.Equal(4, result.Exit);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public async Task A_FIFO_in_the_tree_does_not_hang_pack()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("tree"));
        File.WriteAllText(dir.Combine("tree", "a"), "a");
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", dir.Combine("tree", "fifo"));
        await mkfifo.WaitForExitAsync();
        var run = Task.Run(() => CliRunner.Run("agg", "pack", "--format", "tar", "--out", dir.Combine("x.tar"), dir.Combine("tree")));
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == run, "pack hung on a FIFO");
        Assert.Equal(0, (await run).Exit);
    }

    [Fact]
    public async Task Links_FIFOs_and_linked_directories_in_a_tree_are_skipped_with_a_warning_each()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        string tree = dir.Combine("tree");
        File.CreateSymbolicLink(Path.Combine(tree, "link-to-file"), Path.Combine(tree, "a.txt"));
        Directory.CreateSymbolicLink(Path.Combine(tree, "link-to-dir"), Path.Combine(tree, "sub"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(tree, "sub", "fifo")))
        {
            await mkfifo.WaitForExitAsync();
        }

        File.SetUnixFileMode(Path.Combine(tree, "a.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var modified = new DateTime(2020, 2, 29, 12, 34, 56, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(tree, "a.txt"), modified);

        string archive = dir.Combine("agg.tar");
        var pack = CliRunner.Run("agg", "pack", "--format", "tar", "--out", archive, "--json", tree);
        Assert.True(pack.Exit == 0, pack.Stderr);
        var names = JsonDocument.Parse(pack.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["tree/a.txt", "tree/empty", "tree/sub/big.bin", "tree/sub/ünï cødé.txt"], names);
        Assert.Contains($"skipping {Path.Combine(tree, "link-to-file")}: a symbolic link.", pack.Stderr, StringComparison.Ordinal);
        Assert.Contains($"skipping {Path.Combine(tree, "link-to-dir")}: a symbolic link.", pack.Stderr, StringComparison.Ordinal);
        Assert.Contains($"skipping {Path.Combine(tree, "sub", "fifo")}: a FIFO.", pack.Stderr, StringComparison.Ordinal);

        // Mode and modification time come from the file, as the listing saw it.
        using var reader = AggregationReader.OpenFile(archive);
        AggregationEntry first = reader.ReadNext()!;
        Assert.Equal("tree/a.txt", first.Name);
        Assert.Equal(Convert.ToInt32("640", 8), first.Mode);
        Assert.Equal(new DateTimeOffset(modified), first.ModificationTime);
    }

    [Fact]
    public void A_tree_with_a_name_that_cannot_be_a_member_is_refused_with_exit_2_and_leaves_no_file()
    {
        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        File.WriteAllText(dir.Combine("tree", "sub", "back\\slash"), "x"); // F12: no backslash in a member name
        string archive = dir.Combine("agg.tar");
        var pack = CliRunner.Run("agg", "pack", "--format", "tar", "--out", archive, dir.Combine("tree"));
        Assert.Equal(2, pack.Exit);
        Assert.Contains("cannot be a member", pack.Stderr, StringComparison.Ordinal);
        Assert.Contains("backslash", pack.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(archive));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));

        Directory.CreateDirectory(dir.Combine("nothing", "deeper"));
        var empty = CliRunner.Run("agg", "pack", "--format", "tar", "--out", archive, dir.Combine("nothing"));
        Assert.Equal(2, empty.Exit);
        Assert.Contains("Nothing to pack", empty.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }

    [Fact]
    public void Usage_errors_exit_2_and_missing_files_exit_5()
    {
        using var dir = new TempDirectory();
        Assert.Equal(2, CliRunner.Run("agg", "pack", "--format", "zip", "--out", dir.Combine("x"), dir.Path).Exit);
        File.WriteAllText(dir.Combine("f"), "x");
        Assert.Equal(2, CliRunner.Run("agg", "pack", "--format", "il", "--block-size", "1024", "--out", dir.Combine("x"), dir.Combine("f")).Exit);
        Assert.Equal(5, CliRunner.Run("agg", "list", dir.Combine("missing")).Exit);
        Assert.Equal(5, CliRunner.Run("agg", "pack", "--format", "tar", "--out", dir.Combine("x"), dir.Combine("missing")).Exit);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }
}

using System.Diagnostics;
using System.Text;
using SmallFilesCache;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The recall-list boundary: bounded memory whatever the list holds, bad lines refused alone, unsafe lists refused whole.</summary>
public sealed class RecallListReaderTests
{
    [Fact]
    public void Good_lines_are_kept_in_order_and_bad_ones_refused_with_their_line_and_reason()
    {
        using var dir = new TempDirectory();
        string list = dir.File("r.txt");
        File.WriteAllText(list, "/grp/a\r\n\n  /grp/b  \n../../etc/passwd\n/grp/../../x\nrelative/path\n/grp/c\u0007d\n/grp//e\n/grp/f");

        List<string> paths = RecallListReader.Read(list, 100, out List<RecallListRefusal> refused);

        Assert.Equal(["/grp/a", "/grp/b", "/grp/f"], paths);
        Assert.Equal([4, 5, 6, 7, 8], refused.Select(r => r.Line));
        Assert.Contains("\\x07", refused[3].Text, StringComparison.Ordinal);
        Assert.Contains("control character", refused[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_of_megabytes_is_refused_without_being_kept_and_the_next_line_still_counts()
    {
        using var dir = new TempDirectory();
        string list = dir.File("r.txt");
        using (var w = new StreamWriter(list, false, new UTF8Encoding(false)))
        {
            w.Write('/');
            w.Write(new string('x', 8 << 20));
            w.Write("\n/grp/after\n");
        }

        List<string> paths = RecallListReader.Read(list, 100, out List<RecallListRefusal> refused);

        Assert.Equal(["/grp/after"], paths);
        RecallListRefusal r = Assert.Single(refused);
        Assert.Contains("longer than", r.Reason, StringComparison.Ordinal);
        Assert.True(r.Text.Length <= 201);
    }

    [Fact]
    public void A_list_of_more_entries_than_allowed_is_refused_whole()
    {
        using var dir = new TempDirectory();
        string list = dir.File("r.txt");
        File.WriteAllLines(list, Enumerable.Range(0, 11).Select(i => $"/grp/f{i}"));

        var e = Assert.Throws<UnsafeOperationException>(() => RecallListReader.Read(list, 10, out _));
        Assert.Equal(UnsafeOperationKind.InputTooLarge, e.Kind);
        Assert.Equal(10, RecallListReader.Read(dir.File("r.txt"), 11, out _).Count - 1);
    }

    [Fact]
    public void Invalid_utf8_is_refused_alone()
    {
        using var dir = new TempDirectory();
        string list = dir.File("r.txt");
        File.WriteAllBytes(list, [.. "/grp/a\n/grp/"u8, 0xFF, 0xFE, .. "\n/grp/b\n"u8]);

        Assert.Equal(["/grp/a", "/grp/b"], RecallListReader.Read(list, 10, out List<RecallListRefusal> refused));
        Assert.Equal("it is not UTF-8", Assert.Single(refused).Reason);
    }

    [Fact]
    public async Task A_list_that_is_a_symbolic_link_or_a_FIFO_is_refused_unread_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("secret"), "/grp/secret-line\n");
        File.CreateSymbolicLink(dir.File("link.txt"), dir.File("secret"));
        using (Process mkfifo = Process.Start("mkfifo", dir.File("fifo.txt")))
        {
            await mkfifo.WaitForExitAsync();
        }

        Assert.Equal(UnsafeOperationKind.LinkOrDevice, Assert.Throws<UnsafeOperationException>(() => RecallListReader.Read(dir.File("link.txt"), 10, out _)).Kind);
        var read = Task.Run(() => Assert.Throws<UnsafeOperationException>(() => RecallListReader.Read(dir.File("fifo.txt"), 10, out _)));
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))) == read, "reading a FIFO recall list blocked");
        Assert.Equal(UnsafeOperationKind.LinkOrDevice, (await read).Kind);
    }
}

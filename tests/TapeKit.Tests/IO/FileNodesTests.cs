using TapeKit.IO;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.IO;

/// <summary>Files from outside: only plain regular files are opened; links, FIFOs and hard links are refused without blocking.</summary>
public sealed class FileNodesTests
{
    [Fact]
    public void A_regular_file_opens_and_reports_its_status()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a"), [1, 2, 3]);
        using FileStream stream = FileNodes.OpenRegular(dir.File("a"), allowHardLinks: false, out FileNodeStatus status);
        Assert.Equal((FileNodeType.Regular, 3L, 1L), (status.Type, status.Size, status.LinkCount));
        Assert.Equal(3, stream.Length);
        Assert.True(status.SameContentAs(FileNodes.StatusOf(stream)));
    }

    [Fact]
    public void A_parent_directory_swapped_for_a_link_is_refused_when_opening_beneath_a_root()
    {
        using var dir = new TempDirectory();
        string inbox = dir.File("inbox");
        string outside = dir.File("outside");
        Directory.CreateDirectory(Path.Combine(inbox, "grp", "sub"));
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        File.WriteAllText(Path.Combine(inbox, "grp", "sub", "f"), "dropped by the producer");
        File.WriteAllText(Path.Combine(outside, "sub", "f"), "not for the daemon to read");
        using (FileStream ok = FileNodes.OpenRegularBeneath(inbox, "grp/sub/f", allowHardLinks: false, out FileNodeStatus status))
        {
            Assert.Equal((FileNodeType.Regular, 23L), (status.Type, status.Size));
        }

        // The producer swaps a directory above the file for a link out of the inbox after the walk saw the file.
        Directory.Move(Path.Combine(inbox, "grp"), Path.Combine(inbox, "grp.old"));
        Directory.CreateSymbolicLink(Path.Combine(inbox, "grp"), outside);
        if (OperatingSystem.IsLinux())
        {
            var e = Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegularBeneath(inbox, "grp/sub/f", allowHardLinks: false, out _));
            Assert.Equal(UnsafeOperationKind.LinkOrDevice, e.Kind);
            Assert.Contains("no longer a directory", e.Message, StringComparison.Ordinal);

            // What a plain open by path would do: follow the link out of the inbox.
            using FileStream followed = FileNodes.OpenRegular(Path.Combine(inbox, "grp", "sub", "f"), allowHardLinks: false, out _);
            Assert.Equal("not for the daemon to read", new StreamReader(followed).ReadToEnd());
        }

        Assert.Throws<ArgumentException>(() => FileNodes.OpenRegularBeneath(inbox, "../outside/sub/f", allowHardLinks: false, out _));
        Assert.Throws<ArgumentException>(() => FileNodes.OpenRegularBeneath(inbox, "/etc/passwd", allowHardLinks: false, out _));
    }

    [Fact]
    public void A_symbolic_link_to_a_regular_file_is_refused_not_followed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("secret"), "secret");
        File.CreateSymbolicLink(dir.File("link"), dir.File("secret"));
        Assert.Equal(FileNodeType.SymbolicLink, FileNodes.Inspect(dir.File("link")).Type);
        var e = Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegular(dir.File("link"), allowHardLinks: true, out _));
        Assert.Equal(UnsafeOperationKind.LinkOrDevice, e.Kind);
    }

    [Fact]
    public async Task A_FIFO_is_refused_without_being_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", dir.File("fifo")))
        {
            await mkfifo.WaitForExitAsync();
        }

        Assert.Equal(FileNodeType.Fifo, FileNodes.Inspect(dir.File("fifo")).Type);
        var open = Task.Run(() => Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegular(dir.File("fifo"), allowHardLinks: true, out _)));
        Assert.True(await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(30))) == open, "opening a FIFO blocked");
        Assert.Equal(UnsafeOperationKind.LinkOrDevice, (await open).Kind);
    }

    [Fact]
    public void A_device_and_a_directory_are_refused()
    {
        using var dir = new TempDirectory();
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(FileNodeType.CharacterDevice, FileNodes.Inspect("/dev/null").Type);
            Assert.Equal(UnsafeOperationKind.LinkOrDevice, Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegular("/dev/null", allowHardLinks: true, out _)).Kind);
        }

        Assert.Equal(UnsafeOperationKind.LinkOrDevice, Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegular(dir.Path, allowHardLinks: true, out _)).Kind);
    }

    [Fact]
    public void A_file_with_a_second_hard_link_is_refused_unless_allowed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a"), "shared");
        using (var ln = System.Diagnostics.Process.Start("ln", [dir.File("a"), dir.File("b")]))
        {
            ln.WaitForExit();
        }

        Assert.Equal(2, FileNodes.Inspect(dir.File("b")).LinkCount);
        Assert.Equal(UnsafeOperationKind.MultipleLinks, Assert.Throws<UnsafeOperationException>(() => FileNodes.OpenRegular(dir.File("b"), allowHardLinks: false, out _)).Kind);
        using FileStream allowed = FileNodes.OpenRegular(dir.File("b"), allowHardLinks: true, out _);
        Assert.Equal(6, allowed.Length);
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => FileNodes.Inspect(dir.File("missing")));
        Assert.Throws<FileNotFoundException>(() => FileNodes.OpenRegular(dir.File("missing"), allowHardLinks: false, out _));
    }
}

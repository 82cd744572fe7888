using System.Diagnostics;
using TapeKit;
using TapeKit.IO;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.IO;

/// <summary>Listing a tree: every node with its type, in ordinal order of the paths, links listed and never followed.</summary>
public sealed class DirectoryTreeTests
{
    [Fact]
    public async Task Every_node_is_listed_once_in_ordinal_path_order_with_its_own_type()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(Path.Combine(root, "b", "c"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "a", "x"), "x");
        File.WriteAllText(Path.Combine(root, "a.txt"), "a"); // '.' sorts before '/': a.txt comes before a/x
        File.WriteAllText(Path.Combine(root, "a-b"), "ab");
        File.WriteAllText(Path.Combine(root, "b", "c", "d"), "d");
        File.WriteAllText(Path.Combine(root, "ünï"), "u");
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "a"));
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(root, "fifo")))
        {
            await mkfifo.WaitForExitAsync();
        }

        IReadOnlyList<FileNodeEntry> listed = DirectoryTree.List(root);
        Assert.Equal(listed, DirectoryTree.Enumerate(root));

        // Ordinal order of the paths, a directory's as if it ended in '/': "a-b" and "a.txt" before "a/" and "a/x".
        (string, FileNodeType)[] expected =
        [
            ("a-b", FileNodeType.Regular), ("a.txt", FileNodeType.Regular), ("a", FileNodeType.Directory), ("a/x", FileNodeType.Regular),
            ("b", FileNodeType.Directory), ("b/c", FileNodeType.Directory), ("b/c/d", FileNodeType.Regular),
            ("empty", FileNodeType.Directory), ("fifo", FileNodeType.Fifo), ("link", FileNodeType.SymbolicLink), ("ünï", FileNodeType.Regular),
        ];
        Assert.Equal(expected, listed.Select(e => (e.Path[(root.Length + 1)..], e.Type)));
    }

    [Fact]
    public void A_directory_larger_than_one_read_of_entries_is_listed_whole()
    {
        using var dir = new TempDirectory();
        var names = Enumerable.Range(0, 3000).Select(i => $"{i:D5}-a-name-long-enough-to-fill-the-kernel-buffer").ToList();
        foreach (string name in names)
        {
            File.WriteAllBytes(dir.File(name), []);
        }

        IReadOnlyList<FileNodeEntry> listed = DirectoryTree.List(dir.Path);
        Assert.Equal(names, listed.Select(e => Path.GetFileName(e.Path)));
        Assert.All(listed, e => Assert.Equal(FileNodeType.Regular, e.Type));
    }

    [Fact]
    public async Task A_name_that_is_not_UTF8_is_an_error_naming_its_directory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("sub"));
        using (var touch = Process.Start("bash", ["-c", "touch \"$1\"$'/bad\\xff'", "bash", dir.Combine("sub")]))
        {
            await touch.WaitForExitAsync();
        }

        var e = Assert.Throws<IOException>(() => DirectoryTree.List(dir.Path));
        Assert.Contains(dir.Combine("sub"), e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8 (626164FF)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_swapped_for_a_link_during_the_walk_is_refused_not_followed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "b"));
        Directory.CreateDirectory(dir.Combine("outside"));
        File.WriteAllText(Path.Combine(root, "a"), "a");
        File.WriteAllText(Path.Combine(root, "b", "x"), "x");
        File.WriteAllText(dir.Combine("outside", "secret"), "not below the root");

        using IEnumerator<FileNodeEntry> walk = DirectoryTree.Enumerate(root).GetEnumerator();
        Assert.True(walk.MoveNext());
        Assert.Equal(Path.Combine(root, "a"), walk.Current.Path);

        // The root was read with "b" a directory; now "b" is a link out of the root.
        Directory.Move(Path.Combine(root, "b"), dir.Combine("b.old"));
        Directory.CreateSymbolicLink(Path.Combine(root, "b"), dir.Combine("outside"));
        Assert.True(walk.MoveNext());
        Assert.Equal((Path.Combine(root, "b"), FileNodeType.Directory), (walk.Current.Path, walk.Current.Type));
        var e = Assert.Throws<UnsafeOperationException>(() => walk.MoveNext());
        Assert.Contains(Path.Combine(root, "b"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_is_not_found()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => DirectoryTree.List(dir.Combine("missing")));
    }
}

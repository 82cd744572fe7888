using TapeKit.IO;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.IO;

public sealed class DirectorySyncTests
{
    [Fact]
    public void A_directory_is_synced_and_what_cannot_be_synced_is_named()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("a"), "x");
        DirectorySync.Flush(dir.Path);

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string missing = dir.Combine("missing");
        var gone = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains($"Cannot open the directory {missing} to sync it", gone.Message, StringComparison.Ordinal);

        // A regular file is not a directory: refused, not synced as one.
        var file = Assert.Throws<IOException>(() => DirectorySync.Flush(dir.Combine("a")));
        Assert.Contains("Not a directory", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_directories_naming_files_are_synced_up_to_their_root_and_one_that_is_gone_is_named()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("area");
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        Directory.CreateDirectory(Path.Combine(root, "c"));
        string[] files = [Path.Combine(root, "a", "b", "f1"), Path.Combine(root, "a", "b", "f2"), Path.Combine(root, "c", "f3")];
        foreach (string f in files)
        {
            File.WriteAllText(f, "x");
        }

        DirectorySync.FlushAncestors(root, files);
        DirectorySync.FlushAncestors(root, []);

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string gone = Path.Combine(root, "gone", "f4");
        var e = Assert.Throws<IOException>(() => DirectorySync.FlushAncestors(root, [.. files, gone]));
        Assert.Contains($"Cannot open the directory {Path.GetDirectoryName(gone)} to sync it", e.Message, StringComparison.Ordinal);
    }
}

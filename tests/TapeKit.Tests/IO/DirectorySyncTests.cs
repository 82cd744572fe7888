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
}

using TapeKit.IO;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.IO;

/// <summary>Directories below a root are created with the given permissions and never through a link.</summary>
public sealed class SafeDirectoryTests
{
    [Fact]
    public void Missing_components_are_created_with_the_given_mode()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = dir.Combine("root");
        SafeDirectory.Create(root, Path.Combine(root, "a", "b"), SafeDirectory.PrivateMode, "a/b/file");
        Assert.Equal(SafeDirectory.PrivateMode, File.GetUnixFileMode(root) & (UnixFileMode)0x1FF);
        Assert.Equal(SafeDirectory.PrivateMode, File.GetUnixFileMode(Path.Combine(root, "a")) & (UnixFileMode)0x1FF);
        Assert.Equal(SafeDirectory.PrivateMode, File.GetUnixFileMode(Path.Combine(root, "a", "b")) & (UnixFileMode)0x1FF);
    }

    [Fact]
    public void A_symbolic_link_on_the_way_is_refused_and_nothing_is_created_through_it()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("root");
        string outside = dir.Combine("outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "a"), outside);
        var e = Assert.Throws<UnsafeOperationException>(() => SafeDirectory.Create(root, Path.Combine(root, "a", "b"), SafeDirectory.PrivateMode, "a/b/file"));
        Assert.Equal(UnsafeOperationKind.LinkInTargetPath, e.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public void A_directory_outside_the_root_is_refused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<UnsafeOperationException>(() => SafeDirectory.Create(dir.Combine("root"), dir.Combine("root", "..", "elsewhere"), SafeDirectory.PrivateMode, "../elsewhere"));
        Assert.Equal(UnsafeOperationKind.PathEscapes, e.Kind);
        Assert.False(Directory.Exists(dir.Combine("elsewhere")));
    }
}

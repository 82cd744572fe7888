using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Areas;

/// <summary>Cache paths stay inside their area; files and directories the HSM makes are never readable by others.</summary>
public sealed class CacheAreaTests
{
    [Theory]
    [InlineData("../etc/passwd", UnsafeOperationKind.PathEscapes)]
    [InlineData("a/../../b", UnsafeOperationKind.PathEscapes)]
    [InlineData("/etc/passwd", UnsafeOperationKind.PathEscapes)]
    [InlineData("a\u0000b", UnsafeOperationKind.ControlCharacters)]
    [InlineData("a\nb", UnsafeOperationKind.ControlCharacters)]
    [InlineData("a\\..\\..\\b", UnsafeOperationKind.InvalidMemberName)]
    [InlineData("", UnsafeOperationKind.InvalidMemberName)]
    [InlineData("a//b", UnsafeOperationKind.InvalidMemberName)]
    public void Paths_that_break_the_rules_are_refused_with_their_kind(string cachePath, UnsafeOperationKind kind)
    {
        var e = Assert.Throws<UnsafeOperationException>(() => CacheArea.Resolve("/srv/cache", cachePath));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(cachePath, e.Subject);
    }

    [Fact]
    public void An_over_long_path_is_refused()
    {
        string name = string.Join('/', Enumerable.Repeat(new string('x', 200), 25));
        Assert.Equal(UnsafeOperationKind.InvalidMemberName, Assert.Throws<UnsafeOperationException>(() => CacheArea.Resolve("/srv/cache", name)).Kind);
    }

    [Fact]
    public void A_good_path_resolves_inside_the_root()
    {
        Assert.Equal(Path.GetFullPath("/srv/cache/grp/a b/é.dat"), CacheArea.Resolve("/srv/cache/", "grp/a b/é.dat"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Created_files_and_directories_get_the_mode_asked_never_access_for_others(bool group)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "cache");
        string file = Path.Combine(root, "g", "h", "f");
        UnixFileMode fileMode = group ? CacheArea.GroupFileMode : CacheArea.PrivateFileMode;
        UnixFileMode directoryMode = group ? CacheArea.GroupDirectoryMode : CacheArea.PrivateDirectoryMode;
        // Asking for world bits too: they are never given.
        using (FileStream stream = CacheArea.CreateFile(root, file, fileMode | UnixFileMode.OtherRead, directoryMode | UnixFileMode.OtherRead | UnixFileMode.OtherExecute))
        {
            stream.WriteByte(1);
        }

        Assert.Equal(fileMode, File.GetUnixFileMode(file) & (UnixFileMode)0xFFF);
        Assert.Equal(directoryMode, File.GetUnixFileMode(Path.Combine(root, "g", "h")) & (UnixFileMode)0xFFF);
        Assert.Equal(directoryMode, File.GetUnixFileMode(root) & (UnixFileMode)0xFFF);
        Assert.Throws<IOException>(() => CacheArea.CreateFile(root, file, fileMode, directoryMode)); // never replaces
    }

    [Fact]
    public void A_file_is_never_created_through_a_planted_link()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "cache");
        string outside = Path.Combine(dir.Path, "outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(root, "f"), Path.Combine(outside, "target"));
        Directory.CreateSymbolicLink(Path.Combine(root, "d"), outside);

        Assert.Throws<IOException>(() => CacheArea.CreateFile(root, Path.Combine(root, "f"), CacheArea.PrivateFileMode, CacheArea.PrivateDirectoryMode));
        Assert.Equal(UnsafeOperationKind.LinkInTargetPath, Assert.Throws<UnsafeOperationException>(
            () => CacheArea.CreateFile(root, Path.Combine(root, "d", "f"), CacheArea.PrivateFileMode, CacheArea.PrivateDirectoryMode)).Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }
}

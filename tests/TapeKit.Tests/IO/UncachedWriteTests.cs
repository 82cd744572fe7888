using Microsoft.Win32.SafeHandles;
using TapeKit.IO;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.IO;

/// <summary>Uncached writes: the bytes land where asked, uncached where the file system can, ordinary writes where it cannot.</summary>
public sealed class UncachedWriteTests
{
    [Fact]
    public void Blocks_written_uncached_or_not_read_back_at_their_offsets()
    {
        using var dir = new TempDirectory();
        AssertWritesReadBack(dir.File("data"));
    }

    [TmpfsFact]
    public void On_a_file_system_without_uncached_writes_the_bytes_are_written_all_the_same()
    {
        // tmpfs keeps everything in memory and has no uncached writes: the write falls back to an ordinary one.
        string path = Path.Combine("/dev/shm", $"tapekit-uncached-{Guid.NewGuid():N}");
        try
        {
            bool uncached = AssertWritesReadBack(path);
            Assert.False(uncached, "tmpfs took an uncached write; this test no longer covers the fallback");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_write_that_fails_names_the_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("read-only");
        File.WriteAllBytes(path, [1]);
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var error = Assert.ThrowsAny<Exception>(() => UncachedWrite.WriteAll(file, path, new byte[4096], 0));
        Assert.True(error is IOException or UnauthorizedAccessException, error.ToString());
    }

    private static bool AssertWritesReadBack(string path)
    {
        var random = new Random(20261207);
        byte[] expected = new byte[3 << 20];
        random.NextBytes(expected);
        bool anyUncached = false;
        using (SafeFileHandle file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            // Out of order and of odd sizes: each lands at its own offset.
            int[] sizes = [1, 4095, 262_144, 777_777, 1 << 20];
            int at = expected.Length;
            foreach (int size in sizes.Reverse())
            {
                at -= size;
                anyUncached |= UncachedWrite.WriteAll(file, path, expected.AsSpan(at, size), at);
            }

            Assert.True(at >= 0);
            anyUncached |= UncachedWrite.WriteAll(file, path, expected.AsSpan(0, at), 0);
            Assert.False(UncachedWrite.WriteAll(file, path, ReadOnlySpan<byte>.Empty, 5));
        }

        Assert.Equal(expected, File.ReadAllBytes(path));
        return anyUncached;
    }
}

/// <summary>A fact that needs Linux's tmpfs at <c>/dev/shm</c>; skipped, with the reason, elsewhere.</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/dev/shm"))
        {
            Skip = "needs Linux's tmpfs at /dev/shm";
        }
    }
}

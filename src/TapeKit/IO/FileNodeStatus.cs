namespace TapeKit.IO;

/// <summary>
/// The status of a file system node as <c>lstat</c>/<c>fstat</c> report it: its type, size, hard link count, permission
/// bits, modification time and identity (device and inode).
/// </summary>
public sealed class FileNodeStatus
{
    /// <summary>Creates a status.</summary>
    /// <param name="type">The node's type.</param>
    /// <param name="size">Its size in bytes.</param>
    /// <param name="linkCount">How many directory entries name it (hard links).</param>
    /// <param name="mode">Its permission bits (the low twelve bits of <c>st_mode</c>).</param>
    /// <param name="modifiedAt">Its last modification time.</param>
    /// <param name="device">The device it lives on (0 where the platform does not say).</param>
    /// <param name="inode">Its inode number (0 where the platform does not say).</param>
    public FileNodeStatus(FileNodeType type, long size, long linkCount, UnixFileMode mode, DateTimeOffset modifiedAt, ulong device, ulong inode)
    {
        Type = type;
        Size = size;
        LinkCount = linkCount;
        Mode = mode;
        ModifiedAt = modifiedAt;
        Device = device;
        Inode = inode;
    }

    /// <summary>The node's type.</summary>
    public FileNodeType Type { get; }

    /// <summary>Its size in bytes.</summary>
    public long Size { get; }

    /// <summary>How many directory entries name it; more than one for a regular file means hard links.</summary>
    public long LinkCount { get; }

    /// <summary>Its permission bits.</summary>
    public UnixFileMode Mode { get; }

    /// <summary>Its last modification time.</summary>
    public DateTimeOffset ModifiedAt { get; }

    /// <summary>The device it lives on.</summary>
    public ulong Device { get; }

    /// <summary>Its inode number.</summary>
    public ulong Inode { get; }

    /// <summary>Whether <paramref name="other"/> is the same node (device and inode) with the same size and modification time.</summary>
    /// <param name="other">A later status of the node.</param>
    /// <returns><see langword="true"/> when nothing changed that a writer would change.</returns>
    public bool SameContentAs(FileNodeStatus other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Device == other.Device && Inode == other.Inode && Size == other.Size && ModifiedAt == other.ModifiedAt;
    }
}

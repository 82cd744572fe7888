namespace TapeKit.IO;

/// <summary>What a path names, seen without following a final symbolic link (<see cref="FileNodes.Inspect"/>).</summary>
public enum FileNodeType
{
    /// <summary>A type the platform reports that TapeKit does not name.</summary>
    Unknown,

    /// <summary>A regular file: the only kind TapeKit reads as data from outside.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (never followed).</summary>
    SymbolicLink,

    /// <summary>A FIFO (named pipe): opening it for reading would block until a writer comes.</summary>
    Fifo,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,
}

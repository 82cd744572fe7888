using TapeKit.Checksums;

namespace TapeKit.Aggregation;

/// <summary>What kind of entry a reader found (F6.3); IL holds regular files only.</summary>
public enum AggregationEntryType
{
    /// <summary>A regular file (tar typeflag <c>0</c>, NUL or <c>7</c>; every IL member).</summary>
    File,

    /// <summary>A directory (tar <c>5</c>): listed, never extracted.</summary>
    Directory,

    /// <summary>A hard link (tar <c>1</c>): listed; extraction refuses it.</summary>
    HardLink,

    /// <summary>A symbolic link (tar <c>2</c>): listed; extraction refuses it.</summary>
    SymbolicLink,

    /// <summary>A character device (tar <c>3</c>): listed; extraction refuses it.</summary>
    CharacterDevice,

    /// <summary>A block device (tar <c>4</c>): listed; extraction refuses it.</summary>
    BlockDevice,

    /// <summary>A FIFO (tar <c>6</c>): listed; extraction refuses it.</summary>
    Fifo,
}

/// <summary>One entry as a reader found it, with the checksums the aggregation promises for its data.</summary>
/// <param name="Name">The name as stored (not checked against F12: listing shows names as they are).</param>
/// <param name="Type">The entry kind.</param>
/// <param name="Size">The data size in bytes.</param>
/// <param name="HeaderOffset">Byte offset of the entry's first header (IL: its first block).</param>
/// <param name="DataOffset">Byte offset of its first data byte.</param>
/// <param name="BlockSize">The tape block size S, to turn offsets into locators.</param>
public sealed record AggregationEntry(string Name, AggregationEntryType Type, long Size, long HeaderOffset, long DataOffset, int BlockSize)
{
    /// <summary>The link target of a link entry.</summary>
    public string? LinkName { get; init; }

    /// <summary>The caller's file id (IL <c>fileNsId</c>, manifest <c>fileId</c>); 0 when none.</summary>
    public ulong FileId { get; init; }

    /// <summary>The Adler-32 the aggregation records for the data (IL header, tar manifest), if any.</summary>
    public uint? ExpectedAdler32 { get; init; }

    /// <summary>The XXH3-64 the tar manifest records, if any.</summary>
    public ulong? ExpectedXxHash3 { get; init; }

    /// <summary>The XXH64 the tar manifest records, if any.</summary>
    public ulong? ExpectedXxHash64 { get; init; }

    /// <summary>The tar permission bits, if any.</summary>
    public int Mode { get; init; }

    /// <summary>The tar modification time, if any.</summary>
    public DateTimeOffset? ModificationTime { get; init; }

    /// <summary>The index of the block holding <see cref="HeaderOffset"/>.</summary>
    public long BlockIndex => HeaderOffset / BlockSize;

    /// <summary>The offset of <see cref="HeaderOffset"/> inside that block.</summary>
    public int OffsetInBlock => (int)(HeaderOffset % BlockSize);

    /// <summary>The member index entry for this entry once its data has been read and checked.</summary>
    /// <param name="digest">The digest computed over the data.</param>
    /// <returns>The index entry.</returns>
    public AggregationMember ToMember(MemberDigest digest) =>
        new(Name, FileId, Size, HeaderOffset, DataOffset, BlockIndex, OffsetInBlock, digest);
}

namespace TapeKit.Aggregation;

/// <summary>How far <see cref="MemberReadAhead"/> reads ahead of the writer, and with how many readers.</summary>
public sealed class ReadAheadOptions
{
    /// <summary>Members read or being read and not yet taken by the writer, at most (default 256).</summary>
    /// <remarks>A source with latency L per file and a writer taking a member every t needs about L / t in flight.</remarks>
    public int MaxMembers { get; init; } = 256;

    /// <summary>Bytes of those members, at most (default 64 MiB): the memory the read-ahead may hold.</summary>
    public long MaxBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Members larger than this (default 1 MiB) are not read ahead: the writer reads them itself, straight into tape
    /// blocks (no copy), where their own size keeps the drive busy. A file whose size was not given counts this much in
    /// <see cref="MaxBytes"/> until its reader has measured it.
    /// </summary>
    public int MaxMemberSize { get; init; } = 1 << 20;

    /// <summary>Threads reading at once (default 4): the number of opens and reads in flight on the source.</summary>
    public int Readers { get; init; } = 4;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMembers, 1, nameof(MaxMembers));
        ArgumentOutOfRangeException.ThrowIfLessThan(Readers, 1, nameof(Readers));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMemberSize, 0, nameof(MaxMemberSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMemberSize, Array.MaxLength - 1, nameof(MaxMemberSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, MaxMemberSize + 1L, nameof(MaxBytes));
    }
}

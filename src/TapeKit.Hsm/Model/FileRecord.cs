using System.Collections.Immutable;

namespace TapeKit.Hsm.Model;

/// <summary>A row of the catalogue's <c>files</c> table (docs/hsm/overview.md#the-catalogue). Immutable; transitions produce copies.</summary>
public sealed record FileRecord
{
    /// <summary>The catalogue-assigned 64-bit id (fits the 20-digit IL <c>FILE_NS_ID</c>).</summary>
    public required long FileId { get; init; }

    /// <summary>The host's id (bfid, pnfsid, …), if any; unique.</summary>
    public string? ExternalId { get; init; }

    /// <summary>The user-visible name, written into manifests.</summary>
    public string NamespacePath { get; init; } = "";

    /// <summary>The path relative to the disk library's area root; never absolute.</summary>
    public string CachePath { get; init; } = "";

    /// <summary>The size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>At least one checksum once the file is <c>CACHED</c>.</summary>
    public ImmutableArray<Checksum> Checksums { get; init; } = [];

    /// <summary>The attributes the policy decision was made from.</summary>
    public HsmFileAttributes Attributes { get; init; } = new();

    /// <summary>The stored policy decision (docs/hsm/overview.md#policies).</summary>
    public required PolicyDecision Decision { get; init; }

    /// <summary>The cache status (docs/hsm/rules.md#file-cache-status-c1c19).</summary>
    public CacheStatus CacheStatus { get; init; } = CacheStatus.Created;

    /// <summary>The archive status (docs/hsm/rules.md#file-archive-status-a1a5).</summary>
    public ArchiveStatus ArchiveStatus { get; init; } = ArchiveStatus.None;

    /// <summary>The list attempt that claimed the file for archiving, while <see cref="ArchiveStatus"/> is <c>ARCHIVING</c>.</summary>
    public ListClaim? ArchiveClaim { get; init; }

    /// <summary>How many pins hold the cache copy.</summary>
    public int PinCount { get; init; }

    /// <summary>True when the copy was cached by a speculative whole-aggregation read (C18).</summary>
    public bool Speculative { get; init; }

    /// <summary>When the row was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the file became <c>CACHED</c> after its write.</summary>
    public DateTimeOffset? CachedAt { get; init; }

    /// <summary>When the file became <c>ARCHIVED</c>.</summary>
    public DateTimeOffset? ArchivedAt { get; init; }

    /// <summary>The last read or write access of the cache copy.</summary>
    public DateTimeOffset? LastAccessAt { get; init; }

    /// <summary>The tombstone: when the namespace deleted the file. Rows are kept for repack accounting.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>The last failure, if any.</summary>
    public string? FailureReason { get; init; }

    /// <summary>
    /// The row's version: the catalogue increments it with every update, and an update applies only to the version
    /// it was read at (optimistic concurrency; a stale writer gets <see cref="Catalog.CatalogConflictException"/>).
    /// Callers never set it.
    /// </summary>
    public long RowVersion { get; init; }

    /// <summary>True when the namespace deleted the file.</summary>
    public bool IsDeleted => DeletedAt is not null;

    /// <summary>True when an archive list may take the file: <c>CACHED ∧ NONE ∧ not deleted</c> (A1).</summary>
    public bool IsArchiveEligible => CacheStatus == CacheStatus.Cached && ArchiveStatus == ArchiveStatus.None && !IsDeleted;

    /// <summary>Value equality of every field, the checksums compared as a sequence.</summary>
    /// <param name="other">The other row.</param>
    public bool Equals(FileRecord? other) =>
        other is not null
        && FileId == other.FileId && ExternalId == other.ExternalId && NamespacePath == other.NamespacePath && CachePath == other.CachePath
        && Size == other.Size && Checksums.AsSpan().SequenceEqual(other.Checksums.AsSpan()) && Attributes == other.Attributes
        && Decision == other.Decision && CacheStatus == other.CacheStatus && ArchiveStatus == other.ArchiveStatus
        && ArchiveClaim == other.ArchiveClaim && PinCount == other.PinCount && Speculative == other.Speculative
        && CreatedAt == other.CreatedAt && CachedAt == other.CachedAt && ArchivedAt == other.ArchivedAt
        && LastAccessAt == other.LastAccessAt && DeletedAt == other.DeletedAt && FailureReason == other.FailureReason;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(FileId, CacheStatus, ArchiveStatus, ArchiveClaim, Size, DeletedAt);
}

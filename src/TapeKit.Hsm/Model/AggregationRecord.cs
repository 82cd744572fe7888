namespace TapeKit.Hsm.Model;

/// <summary>
/// A row of <c>aggregations</c> (docs/hsm/overview.md#the-catalogue): one copy of one archive list attempt written as one tape file.
/// The tape file (the spec's <c>segments</c> row) is 1:1 with an aggregation copy and is kept in the same row
/// (<see cref="TapeFile"/>, <see cref="BlockCount"/>) — a settled open point: every segment points at exactly one
/// aggregation and every aggregation has at most one live segment, so one row serves both.
/// </summary>
public sealed record AggregationRecord
{
    /// <summary>The catalogue id (non-zero; written into IL headers and tar manifests).</summary>
    public required long AggregationId { get; init; }

    /// <summary>The list that built it.</summary>
    public required Guid ListId { get; init; }

    /// <summary>The list attempt that built it (the claim it belongs to).</summary>
    public required int Attempt { get; init; }

    /// <summary>The copy number (1 = first).</summary>
    public int CopyNb { get; init; } = 1;

    /// <summary>IL, tar, or <see cref="AggregationPayloadFormat.None"/> for a direct tape file.</summary>
    public AggregationPayloadFormat Format { get; init; }

    /// <summary>The state (docs/hsm/rules.md#aggregations-g1g7).</summary>
    public AggregationState State { get; init; } = AggregationState.Building;

    /// <summary>How many members it has.</summary>
    public int MemberCount { get; init; }

    /// <summary>Members not deleted since (repack accounting).</summary>
    public int ActiveMemberCount { get; init; }

    /// <summary>The members' bytes.</summary>
    public long PayloadBytes { get; init; }

    /// <summary>Where it is written (set at G2, the write intent).</summary>
    public TapeFileLocator? TapeFile { get; init; }

    /// <summary>Blocks of the tape file (set at G3).</summary>
    public long? BlockCount { get; init; }

    /// <summary>When the row was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was written (G3).</summary>
    public DateTimeOffset? WrittenAt { get; init; }

    /// <summary>Why it failed, if it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>True while the aggregation can still become <c>ON_TAPE</c>.</summary>
    public bool IsInFlight => State is AggregationState.Building or AggregationState.Writing or AggregationState.Written;

    /// <summary>
    /// The row's version: the catalogue increments it with every update, and an update applies only to the version
    /// it was read at (optimistic concurrency; a stale writer gets <see cref="Catalog.CatalogConflictException"/>).
    /// Callers never set it.
    /// </summary>
    public long RowVersion { get; init; }
}

/// <summary>A row of <c>members</c>: where one file sits inside an aggregation (the member locator of docs/formats/rules.md#fmt-f4-5, F4.5).</summary>
/// <param name="AggregationId">The aggregation.</param>
/// <param name="Index">The position in the aggregation.</param>
/// <param name="FileId">The file.</param>
/// <param name="PayloadOffset">Byte offset of the member's data from the start of the payload.</param>
/// <param name="BlockIndex">Block number within the tape file where the member starts.</param>
/// <param name="OffsetInBlock">Byte offset of its tar header in that block; 0 for IL.</param>
/// <param name="BlockCount">Blocks the member spans.</param>
public sealed record AggregationMemberRecord(long AggregationId, int Index, long FileId, long PayloadOffset, long BlockIndex, int OffsetInBlock, long BlockCount);

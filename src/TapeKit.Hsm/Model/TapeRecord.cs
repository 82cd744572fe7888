namespace TapeKit.Hsm.Model;

/// <summary>A row of <c>tapes</c> (docs/hsm/overview.md#tapes): what the HSM knows about a volume.</summary>
public sealed record TapeRecord
{
    /// <summary>The VSN (1–6 characters).</summary>
    public required string Vsn { get; init; }

    /// <summary>The media profile (e.g. <c>LTO-9</c>).</summary>
    public string MediaType { get; init; } = "";

    /// <summary>The tape pool.</summary>
    public required string Pool { get; init; }

    /// <summary>The tape library holding it.</summary>
    public string Library { get; init; } = "";

    /// <summary>The state.</summary>
    public TapeState State { get; init; } = TapeState.Free;

    /// <summary><c>AUL</c> or <c>NL</c>.</summary>
    public string LabelFormat { get; init; } = "AUL";

    /// <summary>The block size in bytes.</summary>
    public int BlockSize { get; init; } = 256 * 1024;

    /// <summary>The last <b>committed</b> tape file (0 on an empty tape); the safe-append check reads its trailer.</summary>
    public int LastFseq { get; init; }

    /// <summary>Bytes of committed tape files.</summary>
    public long BytesUsed { get; init; }

    /// <summary>The estimated capacity in bytes.</summary>
    public long CapacityEstimate { get; init; }

    /// <summary>How often it was mounted.</summary>
    public int MountCount { get; init; }

    /// <summary>The last mount.</summary>
    public DateTimeOffset? LastMountedAt { get; init; }

    /// <summary>The last unmount (remount guard, docs/hsm/overview.md#recalls).</summary>
    public DateTimeOffset? LastUnmountedAt { get; init; }

    /// <summary>Read errors seen.</summary>
    public int ReadErrors { get; init; }

    /// <summary>Write errors seen.</summary>
    public int WriteErrors { get; init; }

    /// <summary>The session holding the mount, if any.</summary>
    public string? MountedBy { get; init; }

    /// <summary>The end of the mount lease.</summary>
    public DateTimeOffset? MountLeaseUntil { get; init; }

    /// <summary>
    /// The row's version: the catalogue increments it with every update, and an update applies only to the version
    /// it was read at (optimistic concurrency; a stale writer gets <see cref="Catalog.CatalogConflictException"/>).
    /// Callers never set it.
    /// </summary>
    public long RowVersion { get; init; }

    /// <summary>True when an aggregation of <paramref name="bytes"/> may start on this tape: writable and
    /// <c>bytesUsed + size ≤ capacity × (1 − reserve)</c> (F3, docs/hsm/overview.md#tapes).</summary>
    /// <param name="bytes">The aggregation's size.</param>
    /// <param name="capacityReserve">The reserve fraction (TapeKit default 0.02).</param>
    public bool HasRoomFor(long bytes, double capacityReserve = 0.02) =>
        State.AllowsWrites() && BytesUsed + bytes <= (long)(CapacityEstimate * (1 - capacityReserve));
}

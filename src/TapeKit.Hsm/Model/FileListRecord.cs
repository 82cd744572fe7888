namespace TapeKit.Hsm.Model;

/// <summary>A row of the catalogue's <c>file_lists</c> table: the durable state of a file list (docs/hsm/rules.md#file-lists-l1l11).</summary>
public sealed record FileListRecord
{
    /// <summary>The list id (UUIDv7); the correlation id of its commands and replies.</summary>
    public required Guid ListId { get; init; }

    /// <summary>Archive, stage or purge.</summary>
    public required FileListKind Kind { get; init; }

    /// <summary>The policy key (archive lists); a descriptive key for stage and purge lists.</summary>
    public required string PolicyKey { get; init; }

    /// <summary>The policy rule name, used as the low-cardinality metric tag.</summary>
    public string RuleName { get; init; } = "";

    /// <summary>The disk library the list's commands are routed to.</summary>
    public required string DiskLibrary { get; init; }

    /// <summary>The limits copied from the policy when the list was opened (docs/hsm/overview.md#policies).</summary>
    public required ListLimits Limits { get; init; }

    /// <summary>The policy version the list was opened under.</summary>
    public int PolicyVersion { get; init; }

    /// <summary>The archive strategy of the members (archive lists).</summary>
    public ArchiveStrategy Strategy { get; init; }

    /// <summary>The aggregation format (archive lists).</summary>
    public AggregationPayloadFormat Format { get; init; }

    /// <summary>The tape pool written to (archive lists).</summary>
    public string TapePool { get; init; } = "";

    /// <summary>The number of tape copies to write (archive lists).</summary>
    public int CopyCount { get; init; } = 1;

    /// <summary>The state (docs/hsm/rules.md#file-lists-l1l11).</summary>
    public required FileListState State { get; init; }

    /// <summary>When the list was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its first member was appended; the age rule counts from here.</summary>
    public DateTimeOffset? FirstMemberAt { get; init; }

    /// <summary>When it was closed (<c>FILLING → FILLED</c>).</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Why it was closed.</summary>
    public CloseReason? CloseReason { get; init; }

    /// <summary>How many members the list has.</summary>
    public int MemberCount { get; init; }

    /// <summary>The sum of the members' sizes.</summary>
    public long MemberBytes { get; init; }

    /// <summary>How many <c>Busy</c> replies it received (not charged).</summary>
    public int BusyCount { get; init; }

    /// <summary>A <c>FILLED</c> list is not sent before this time (back-off).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The migrator that claimed the current attempt, if any.</summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The end of the work lease. Set when the list is sent (a claim deadline) and renewed by the owner; the
    /// sweeper re-queues an <c>ACTIVE</c> list whose lease passed (F2).
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>The type of the last reply received.</summary>
    public string? LastReply { get; init; }

    /// <summary>The priority of the list's commands.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>The VSN of a stage list.</summary>
    public string? Vsn { get; init; }

    /// <summary>Grows on every send; the fencing token (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R4).</summary>
    public int Attempt { get; init; }

    /// <summary>Grows only on charged failures; compared with <c>MaxAttempts</c>.</summary>
    public int FailureCount { get; init; }

    /// <summary>The last failure reason, if any.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The list that replaced this one (<c>SUPERSEDED</c>), if any.</summary>
    public Guid? SupersededBy { get; init; }

    /// <summary>True in the states a list leaves only by further transitions (<c>FILLING</c>, <c>FILLED</c>, <c>ACTIVE</c>).</summary>
    public bool IsLive => State is FileListState.Filling or FileListState.Filled or FileListState.Active;

    /// <summary>
    /// The row's version: the catalogue increments it with every update, and an update applies only to the version
    /// it was read at (optimistic concurrency; a stale writer gets <see cref="Catalog.CatalogConflictException"/>).
    /// Callers never set it.
    /// </summary>
    public long RowVersion { get; init; }

    /// <summary>The claim token of the current attempt.</summary>
    public ListClaim Claim => new(ListId, Attempt);
}

using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// A replicated file: how many alive disk copies it needs and what every copy must hold. Its id is the catalogue's
/// file id (<see cref="FileRecord.FileId"/>), so that the file's tape copies (archived segments) are found by it.
/// </summary>
public sealed record ReplicaFileRecord
{
    /// <summary>The file id.</summary>
    public required long FileId { get; init; }

    /// <summary>How many alive replicas on online nodes the planner keeps (at least 1).</summary>
    public int NeededReplicas { get; init; } = 1;

    /// <summary>The file's size in bytes: every replica is this size.</summary>
    public long Size { get; init; }

    /// <summary>The file's checksum: a replica registers alive only with this checksum.</summary>
    public required Checksum Checksum { get; init; }

    /// <summary>When the row was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the file was deleted; the planner then removes every replica.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>The row version; every update is conditional on it and moves it on.</summary>
    public long RowVersion { get; init; }

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => DeletedAt is not null;
}

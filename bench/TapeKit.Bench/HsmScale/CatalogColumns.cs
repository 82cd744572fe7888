namespace TapeKit.Bench.HsmScale;

/// <summary>
/// The bulk loader's view of the embedded store's schema (src/TapeKit.Hsm.Sqlite/SqliteSchema.cs): every column it writes,
/// per table, in this one place. When the schema changes (row versions, sequences, new indexes), adapt the lists here and
/// the row composers in <see cref="AgedCatalogRows"/>; the loader itself only binds values by these names.
/// </summary>
internal static class CatalogColumns
{
    public static readonly string[] Files =
    [
        "file_id", "size", "disk_library", "priority", "cache_status", "archive_status", "archive_claim_list", "archive_claim_attempt",
        "copies_required", "pin_count", "speculative", "created_at", "cached_at", "archived_at", "last_access_at", "updated_at",
        "deleted_at", "failure_reason",
    ];

    public static readonly string[] FileDetails =
    [
        "file_id", "external_id", "namespace_path", "cache_path", "checksums", "storage_group", "file_family", "wrapper", "library",
        "attributes", "decision_id",
    ];

    public static readonly string[] Lists =
    [
        "list_id", "kind", "policy_key", "rule_name", "disk_library", "limits", "policy_version", "strategy", "format", "tape_pool",
        "copy_count", "state", "created_at", "first_member_at", "closed_at", "close_reason", "member_count", "member_bytes", "busy_count",
        "not_before", "owner", "lease_until", "last_reply", "priority", "vsn", "attempt", "failure_count", "failure_reason", "superseded_by",
    ];

    public static readonly string[] ListMembers = ["list_id", "file_id", "ordinal", "live_archive"];

    public static readonly string[] Aggregations =
    [
        "aggregation_id", "list_id", "attempt", "copy_nb", "format", "state", "member_count", "active_member_count", "payload_bytes",
        "vsn", "fseq", "first_block_id", "block_count", "created_at", "written_at", "failure_reason",
    ];

    public static readonly string[] Members = ["aggregation_id", "idx", "file_id", "payload_offset", "block_index", "offset_in_block", "block_count"];

    public static readonly string[] Transitions = ["entity", "entity_id", "from_state", "to_state", "rule", "actor", "reason", "at"];
}

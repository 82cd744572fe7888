using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// Composes the rows of an aged catalogue as the HSM itself would have left them (same encodings: state names, JSON columns,
/// epoch milliseconds, <c>N</c>-formatted list ids), including the audit rows of every transition each row went through.
/// </summary>
internal sealed class AgedCatalogRows(PolicyDecision decision, long nowMs)
{
    private const long Hour = 3_600_000;
    private readonly string _decisionJson = CatalogJson.Of(decision);
    private readonly string _limitsJson = CatalogJson.Of(decision.Limits);
    private readonly string _attributesJson = "{}";

    /// <summary>The id of the aged files' one policy decision in <c>decisions</c>.</summary>
    public const long DecisionId = 1;

    public long NowMs => nowMs;

    /// <summary>The stored policy decision every aged file shares.</summary>
    public void Decision(SqliteConnection c)
    {
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO decisions (decision_id, decision) VALUES ($id, $d)";
        cmd.Parameters.AddWithValue("$id", DecisionId);
        cmd.Parameters.AddWithValue("$d", _decisionJson);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A file's state row and description row; the caller sets states and times through the arguments.</summary>
    public void File(TableInserter t, TableInserter details, long fileId, long size, CacheStatus cache, ArchiveStatus archive, long createdAt, long? archivedAt)
    {
        Details(details, fileId);
        t["file_id"] = fileId;
        t["size"] = size;
        t["disk_library"] = decision.DiskLibrary;
        t["priority"] = decision.Priority.ToString();
        t["cache_status"] = StateNames.Of(cache);
        t["archive_status"] = StateNames.Of(archive);
        t["archive_claim_list"] = null;
        t["archive_claim_attempt"] = null;
        t["copies_required"] = decision.CopyCount;
        t["pin_count"] = 0;
        t["speculative"] = 0;
        t["created_at"] = createdAt;
        t["cached_at"] = createdAt + 1_000;
        t["archived_at"] = archivedAt;
        t["last_access_at"] = cache == CacheStatus.StagingRequested ? nowMs - Hour : createdAt + 1_000;
        t["updated_at"] = archivedAt ?? createdAt + 1_000;
        t["deleted_at"] = null;
        t["failure_reason"] = null;
        t.Insert();
    }

    private void Details(TableInserter t, long fileId)
    {
        t["file_id"] = fileId;
        t["external_id"] = "ext-" + fileId.ToString(CultureInfo.InvariantCulture);
        t["namespace_path"] = string.Create(CultureInfo.InvariantCulture, $"/data/{BenchPolicies.AgedGroup}/d{fileId / 1000:D6}/f{fileId:D9}.dat");
        t["cache_path"] = string.Create(CultureInfo.InvariantCulture, $"{fileId / 1000:D6}/{fileId:D9}");
        t["checksums"] = string.Create(CultureInfo.InvariantCulture, $"[{{\"type\":\"adler32\",\"value\":\"{(uint)(fileId * 2654435761):x8}\"}}]");
        t["storage_group"] = BenchPolicies.AgedGroup;
        t["file_family"] = "ff-" + BenchPolicies.AgedGroup;
        t["wrapper"] = "cpio_odc";
        t["library"] = "lib1";
        t["attributes"] = _attributesJson;
        t["decision_id"] = DecisionId;
        t.Insert();
    }

    /// <summary>An archive list row: <c>DONE</c> (archived) or <c>FILLING</c> (the open list).</summary>
    public void List(TableInserter t, Guid listId, FileListState state, int members, long bytes, long createdAt)
    {
        bool done = state == FileListState.Done;
        t["list_id"] = listId.ToString("N");
        t["kind"] = StateNames.Of(FileListKind.Archive);
        t["policy_key"] = decision.PolicyKey;
        t["rule_name"] = decision.RuleName;
        t["disk_library"] = decision.DiskLibrary;
        t["limits"] = _limitsJson;
        t["policy_version"] = decision.PolicyVersion;
        t["strategy"] = decision.Strategy.ToString();
        t["format"] = decision.Format.ToString();
        t["tape_pool"] = decision.TapePool;
        t["copy_count"] = decision.CopyCount;
        t["state"] = StateNames.Of(state);
        t["created_at"] = createdAt;
        t["first_member_at"] = createdAt;
        t["closed_at"] = done ? createdAt + 60_000 : null;
        t["close_reason"] = done ? CloseReason.Count.ToString() : null;
        t["member_count"] = members;
        t["member_bytes"] = bytes;
        t["busy_count"] = 0;
        t["not_before"] = null;
        t["owner"] = done ? "migrator-" + decision.DiskLibrary : null;
        t["lease_until"] = done ? createdAt + Hour : null;
        t["last_reply"] = done ? "Archived" : null;
        t["priority"] = decision.Priority.ToString();
        t["vsn"] = null;
        t["attempt"] = done ? 1 : 0;
        t["failure_count"] = 0;
        t["failure_reason"] = null;
        t["superseded_by"] = null;
        t.Insert();
    }

    public static void ListMember(TableInserter t, Guid listId, long fileId, int ordinal, bool liveArchive)
    {
        t["list_id"] = listId.ToString("N");
        t["file_id"] = fileId;
        t["ordinal"] = ordinal;
        t["live_archive"] = liveArchive ? 1 : null;
        t.Insert();
    }

    /// <summary>An <c>ON_TAPE</c> aggregation: the tape file of one <c>DONE</c> list.</summary>
    public void Aggregation(TableInserter t, long aggregationId, Guid listId, int members, long bytes, string vsn, int fseq, long firstBlock, long blocks, long createdAt)
    {
        t["aggregation_id"] = aggregationId;
        t["list_id"] = listId.ToString("N");
        t["attempt"] = 1;
        t["copy_nb"] = 1;
        t["format"] = decision.Format.ToString();
        t["state"] = StateNames.Of(AggregationState.OnTape);
        t["member_count"] = members;
        t["active_member_count"] = members;
        t["payload_bytes"] = bytes;
        t["vsn"] = vsn;
        t["fseq"] = fseq;
        t["first_block_id"] = firstBlock;
        t["block_count"] = blocks;
        t["created_at"] = createdAt;
        t["written_at"] = createdAt + 600_000;
        t["failure_reason"] = null;
        t.Insert();
    }

    public static void Member(TableInserter t, long aggregationId, int index, long fileId, long payloadOffset, long blockIndex, int offsetInBlock, long blocks)
    {
        t["aggregation_id"] = aggregationId;
        t["idx"] = index;
        t["file_id"] = fileId;
        t["payload_offset"] = payloadOffset;
        t["block_index"] = blockIndex;
        t["offset_in_block"] = offsetInBlock;
        t["block_count"] = blocks;
        t.Insert();
    }

    /// <summary>The audit rows of a file's life so far: created and written, then (archived) claimed and committed, then purged and recalled.</summary>
    public static void FileHistory(TableInserter t, long fileId, ArchivedFileState? state, long createdAt, long? archivedAt)
    {
        string id = fileId.ToString(CultureInfo.InvariantCulture);
        Transition(t, "file.cache", id, null, CacheStatus.Created, "C1", HsmActor.DiskMover, createdAt);
        Transition(t, "file.cache", id, CacheStatus.Created, CacheStatus.Cached, "C2", HsmActor.DiskMover, createdAt + 1_000);
        if (state is not { } s || archivedAt is not { } archived)
        {
            return;
        }

        Transition(t, "file.archive", id, ArchiveStatus.None, ArchiveStatus.Archiving, "A1", HsmActor.Migrator, archived - 600_000);
        Transition(t, "file.archive", id, ArchiveStatus.Archiving, ArchiveStatus.Archived, "A2", HsmActor.Migrator, archived);
        if (s == ArchivedFileState.Cached)
        {
            return;
        }

        Transition(t, "file.cache", id, CacheStatus.Cached, CacheStatus.PurgingRequested, "C10", HsmActor.Dispatcher, archived + Hour);
        Transition(t, "file.cache", id, CacheStatus.PurgingRequested, CacheStatus.Purging, "C12", HsmActor.Migrator, archived + Hour);
        Transition(t, "file.cache", id, CacheStatus.Purging, CacheStatus.Purged, "C13", HsmActor.Migrator, archived + Hour);
        if (s == ArchivedFileState.RecallPending)
        {
            Transition(t, "file.cache", id, CacheStatus.Purged, CacheStatus.StagingRequested, "C4", HsmActor.DiskMover, archived + (2 * Hour));
        }
    }

    /// <summary>The audit rows of a <c>DONE</c> list and its aggregation: L1–L4, G1–G4, L6.</summary>
    public static void ListHistory(TableInserter t, Guid listId, long aggregationId, long createdAt)
    {
        string list = listId.ToString("N");
        string agg = aggregationId.ToString(CultureInfo.InvariantCulture);
        Transition(t, "list", list, null, FileListState.Filling, "L1", HsmActor.Dispatcher, createdAt, "Archive");
        Transition(t, "list", list, FileListState.Filling, FileListState.Filled, "L2", HsmActor.Dispatcher, createdAt + 60_000, "Count");
        Transition(t, "list", list, FileListState.Filled, FileListState.Active, "L3", HsmActor.Dispatcher, createdAt + 60_000, "attempt 1");
        Transition(t, "list", list, FileListState.Active, FileListState.Active, "L4", HsmActor.Migrator, createdAt + 61_000, "claimed");
        Transition<AggregationState>(t, "aggregation", agg, null, AggregationState.Building, "G1", HsmActor.Migrator, createdAt + 62_000);
        Transition(t, "aggregation", agg, AggregationState.Building, AggregationState.Writing, "G2", HsmActor.Migrator, createdAt + 63_000);
        Transition(t, "aggregation", agg, AggregationState.Writing, AggregationState.Written, "G3", HsmActor.Migrator, createdAt + 600_000);
        Transition(t, "aggregation", agg, AggregationState.Written, AggregationState.OnTape, "G4", HsmActor.Migrator, createdAt + 600_000);
        Transition(t, "list", list, FileListState.Active, FileListState.Done, "L6", HsmActor.Migrator, createdAt + 600_000);
    }

    private static void Transition<T>(TableInserter t, string entity, string id, T? from, T to, string rule, HsmActor actor, long at, string? reason = null)
        where T : struct, Enum
    {
        t["entity"] = entity;
        t["entity_id"] = id;
        t["from_state"] = from is { } f ? StateNames.Of(f) : null;
        t["to_state"] = StateNames.Of(to);
        t["rule"] = rule;
        t["actor"] = actor.ToString();
        t["reason"] = reason;
        t["at"] = at;
        t.Insert();
    }
}

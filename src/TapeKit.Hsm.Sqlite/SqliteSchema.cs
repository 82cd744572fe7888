namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The versioned, forward-only schema of the embedded store (docs/hsm/overview.md#the-catalogue). Version n is reached by
/// applying migrations 1…n in order, each in its own transaction; a database newer than this build is refused.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>
    /// The triggers that keep <c>file_counts</c> (files and bytes per disk library, cache status, archive status and
    /// deletion) in the writing transaction: created by version 5, and again by version 7 with the table they watch.
    /// </summary>
    private static readonly string[] FileCountTriggers =
    [
        """
        CREATE TRIGGER files_count_insert AFTER INSERT ON files BEGIN
            INSERT INTO file_counts (disk_library, cache_status, archive_status, deleted, files, bytes)
            VALUES (new.disk_library, new.cache_status, new.archive_status, new.deleted_at IS NOT NULL, 1, new.size)
            ON CONFLICT DO UPDATE SET files = files + 1, bytes = bytes + excluded.bytes;
        END
        """,
        """
        CREATE TRIGGER files_count_update AFTER UPDATE OF cache_status, archive_status, size, deleted_at, disk_library ON files
        WHEN old.cache_status IS NOT new.cache_status OR old.archive_status IS NOT new.archive_status OR old.size IS NOT new.size
            OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.disk_library IS NOT new.disk_library
        BEGIN
            UPDATE file_counts SET files = files - 1, bytes = bytes - old.size
            WHERE disk_library = old.disk_library AND cache_status = old.cache_status AND archive_status = old.archive_status
                AND deleted = (old.deleted_at IS NOT NULL);
            INSERT INTO file_counts (disk_library, cache_status, archive_status, deleted, files, bytes)
            VALUES (new.disk_library, new.cache_status, new.archive_status, new.deleted_at IS NOT NULL, 1, new.size)
            ON CONFLICT DO UPDATE SET files = files + 1, bytes = bytes + excluded.bytes;
        END
        """,
        """
        CREATE TRIGGER files_count_delete AFTER DELETE ON files BEGIN
            UPDATE file_counts SET files = files - 1, bytes = bytes - old.size
            WHERE disk_library = old.disk_library AND cache_status = old.cache_status AND archive_status = old.archive_status
                AND deleted = (old.deleted_at IS NOT NULL);
        END
        """,
    ];

    /// <summary>The migrations; index i holds the statements that take the schema from version i to i + 1.</summary>
    public static readonly string[][] Migrations =
    [
        [
            """
            CREATE TABLE files (
                file_id INTEGER PRIMARY KEY,
                external_id TEXT UNIQUE,
                namespace_path TEXT NOT NULL,
                cache_path TEXT NOT NULL,
                size INTEGER NOT NULL,
                checksums TEXT NOT NULL,
                storage_group TEXT NOT NULL,
                file_family TEXT NOT NULL,
                wrapper TEXT NOT NULL,
                library TEXT NOT NULL,
                attributes TEXT NOT NULL,
                disk_library TEXT NOT NULL,
                policy_key TEXT NOT NULL,
                policy_version INTEGER NOT NULL,
                strategy TEXT NOT NULL,
                decision TEXT NOT NULL,
                cache_status TEXT NOT NULL,
                archive_status TEXT NOT NULL,
                archive_claim_list TEXT,
                archive_claim_attempt INTEGER,
                copies_required INTEGER NOT NULL,
                pin_count INTEGER NOT NULL,
                speculative INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                cached_at INTEGER,
                archived_at INTEGER,
                last_access_at INTEGER,
                updated_at INTEGER NOT NULL,
                deleted_at INTEGER,
                failure_reason TEXT)
            """,
            "CREATE INDEX files_status ON files (cache_status, archive_status, file_id)",
            "CREATE INDEX files_disk_library ON files (disk_library, file_id)",
            """
            CREATE TABLE file_lists (
                list_id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                policy_key TEXT NOT NULL,
                rule_name TEXT NOT NULL,
                disk_library TEXT NOT NULL,
                limits TEXT NOT NULL,
                policy_version INTEGER NOT NULL,
                strategy TEXT NOT NULL,
                format TEXT NOT NULL,
                tape_pool TEXT NOT NULL,
                copy_count INTEGER NOT NULL,
                state TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                first_member_at INTEGER,
                closed_at INTEGER,
                close_reason TEXT,
                member_count INTEGER NOT NULL,
                member_bytes INTEGER NOT NULL,
                busy_count INTEGER NOT NULL,
                not_before INTEGER,
                owner TEXT,
                lease_until INTEGER,
                last_reply TEXT,
                priority TEXT NOT NULL,
                vsn TEXT,
                attempt INTEGER NOT NULL,
                failure_count INTEGER NOT NULL,
                failure_reason TEXT,
                superseded_by TEXT)
            """,
            "CREATE INDEX file_lists_state ON file_lists (kind, state, policy_key)",
            """
            CREATE TABLE file_list_members (
                list_id TEXT NOT NULL REFERENCES file_lists (list_id),
                file_id INTEGER NOT NULL REFERENCES files (file_id),
                ordinal INTEGER NOT NULL,
                live_archive INTEGER,
                PRIMARY KEY (list_id, file_id)) WITHOUT ROWID
            """,
            "CREATE INDEX file_list_members_order ON file_list_members (list_id, ordinal)",
            "CREATE INDEX file_list_members_file ON file_list_members (file_id)",
            // Invariant I4: a file is a member of at most one live archive list.
            "CREATE UNIQUE INDEX file_list_members_i4 ON file_list_members (file_id) WHERE live_archive = 1",
            """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT NOT NULL,
                exchange TEXT NOT NULL,
                routing_key TEXT NOT NULL,
                envelope TEXT NOT NULL,
                not_before INTEGER,
                sent_at INTEGER)
            """,
            "CREATE INDEX outbox_pending ON outbox (sent_at, seq)",
            "CREATE TABLE inbox (consumer TEXT NOT NULL, message_id TEXT NOT NULL, processed_at INTEGER NOT NULL, PRIMARY KEY (consumer, message_id)) WITHOUT ROWID",
            """
            CREATE TABLE transitions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                entity TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                rule TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT,
                at INTEGER NOT NULL)
            """,
            "CREATE INDEX transitions_entity ON transitions (entity, entity_id, seq)",
            "CREATE TABLE policy_versions (version INTEGER PRIMARY KEY, policy_set TEXT NOT NULL, loaded_at INTEGER NOT NULL)",
            "CREATE TABLE bindings (exchange TEXT NOT NULL, routing_key TEXT NOT NULL, queue TEXT NOT NULL, PRIMARY KEY (exchange, routing_key, queue)) WITHOUT ROWID",
            """
            CREATE TABLE queue_messages (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT NOT NULL,
                queue TEXT NOT NULL,
                priority INTEGER NOT NULL,
                enqueued_at INTEGER NOT NULL,
                visible_at INTEGER NOT NULL,
                delivery_count INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_token TEXT,
                lease_until INTEGER,
                dead_reason TEXT,
                envelope TEXT NOT NULL)
            """,
            "CREATE INDEX queue_messages_ready ON queue_messages (queue, dead_reason, priority DESC, seq)",
        ],
        [
            // Version 2: aggregations with their tape file (the spec's segment, 1:1) and member locators.
            """
            CREATE TABLE aggregations (
                aggregation_id INTEGER PRIMARY KEY,
                list_id TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                copy_nb INTEGER NOT NULL,
                format TEXT NOT NULL,
                state TEXT NOT NULL,
                member_count INTEGER NOT NULL,
                active_member_count INTEGER NOT NULL,
                payload_bytes INTEGER NOT NULL,
                vsn TEXT,
                fseq INTEGER,
                first_block_id INTEGER,
                block_count INTEGER,
                created_at INTEGER NOT NULL,
                written_at INTEGER,
                failure_reason TEXT)
            """,
            "CREATE INDEX aggregations_list ON aggregations (list_id, attempt)",
            "CREATE UNIQUE INDEX aggregations_segment ON aggregations (vsn, fseq) WHERE vsn IS NOT NULL AND state <> 'FAILED'",
            """
            CREATE TABLE members (
                aggregation_id INTEGER NOT NULL REFERENCES aggregations (aggregation_id),
                idx INTEGER NOT NULL,
                file_id INTEGER NOT NULL REFERENCES files (file_id),
                payload_offset INTEGER NOT NULL,
                block_index INTEGER NOT NULL,
                offset_in_block INTEGER NOT NULL,
                block_count INTEGER NOT NULL,
                PRIMARY KEY (aggregation_id, idx),
                UNIQUE (aggregation_id, file_id)) WITHOUT ROWID
            """,
            "CREATE INDEX members_file ON members (file_id)",
        ],
        [
            // Version 3: tapes (docs/hsm/overview.md#tapes, docs/hsm/overview.md#the-catalogue).
            """
            CREATE TABLE tapes (
                vsn TEXT PRIMARY KEY,
                media_type TEXT NOT NULL,
                pool TEXT NOT NULL,
                library TEXT NOT NULL,
                state TEXT NOT NULL,
                label_format TEXT NOT NULL,
                block_size INTEGER NOT NULL,
                last_fseq INTEGER NOT NULL,
                bytes_used INTEGER NOT NULL,
                capacity_estimate INTEGER NOT NULL,
                mount_count INTEGER NOT NULL,
                last_mounted_at INTEGER,
                last_unmounted_at INTEGER,
                read_errors INTEGER NOT NULL,
                write_errors INTEGER NOT NULL,
                mounted_by TEXT,
                mount_lease_until INTEGER) WITHOUT ROWID
            """,
            "CREATE INDEX tapes_pool ON tapes (pool, state)",
        ],
        [
            // Version 4: the provider-neutral concurrency contract — a version per mutable row (every update is
            // conditional on the version read) and named sequences for ids (never MAX + 1).
            "ALTER TABLE files ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE file_lists ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE aggregations ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE tapes ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0",
            "CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
            "INSERT INTO sequences (name, value) SELECT 'file_id', COALESCE(MAX(file_id), 0) FROM files",
            "INSERT INTO sequences (name, value) SELECT 'aggregation_id', COALESCE(MAX(aggregation_id), 0) FROM aggregations",
        ],
        [
            // Version 5: bounded work per operation — file counts and bytes per disk library and state, and lists per kind and
            // state, kept by triggers in the writing transaction (never summed over rows), and the indexes that let
            // surveys read only their live rows.
            """
            CREATE TABLE file_counts (
                disk_library TEXT NOT NULL, cache_status TEXT NOT NULL, archive_status TEXT NOT NULL, deleted INTEGER NOT NULL,
                files INTEGER NOT NULL, bytes INTEGER NOT NULL,
                PRIMARY KEY (disk_library, cache_status, archive_status, deleted)) WITHOUT ROWID
            """,
            """
            INSERT INTO file_counts (disk_library, cache_status, archive_status, deleted, files, bytes)
            SELECT disk_library, cache_status, archive_status, deleted_at IS NOT NULL, COUNT(*), SUM(size) FROM files
            GROUP BY disk_library, cache_status, archive_status, deleted_at IS NOT NULL
            """,
            FileCountTriggers[0],
            FileCountTriggers[1],
            FileCountTriggers[2],
            "CREATE TABLE list_counts (kind TEXT NOT NULL, state TEXT NOT NULL, lists INTEGER NOT NULL, PRIMARY KEY (kind, state)) WITHOUT ROWID",
            "INSERT INTO list_counts (kind, state, lists) SELECT kind, state, COUNT(*) FROM file_lists GROUP BY kind, state",
            """
            CREATE TRIGGER lists_count_insert AFTER INSERT ON file_lists BEGIN
                INSERT INTO list_counts (kind, state, lists) VALUES (new.kind, new.state, 1)
                ON CONFLICT (kind, state) DO UPDATE SET lists = lists + 1;
            END
            """,
            """
            CREATE TRIGGER lists_count_update AFTER UPDATE OF state ON file_lists WHEN old.state <> new.state BEGIN
                UPDATE list_counts SET lists = lists - 1 WHERE kind = old.kind AND state = old.state;
                INSERT INTO list_counts (kind, state, lists) VALUES (new.kind, new.state, 1)
                ON CONFLICT (kind, state) DO UPDATE SET lists = lists + 1;
            END
            """,
            """
            CREATE TRIGGER lists_count_delete AFTER DELETE ON file_lists BEGIN
                UPDATE list_counts SET lists = lists - 1 WHERE kind = old.kind AND state = old.state;
            END
            """,
            "CREATE INDEX files_library_status ON files (disk_library, cache_status, archive_status, file_id)",
            "CREATE INDEX transitions_at ON transitions (at)",
            "CREATE INDEX inbox_processed ON inbox (processed_at)",
            "CREATE INDEX file_lists_ended ON file_lists (created_at) WHERE state IN ('DONE', 'SUPERSEDED', 'DEAD')",
        ],
        [
            // Version 6: process instances and their epochs (one row per stable instance name; the epoch fences workers).
            "CREATE TABLE instances (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL, started_at INTEGER NOT NULL) WITHOUT ROWID",
        ],
        [
            // Version 7: a file's state apart from its description. A state change (≈ 8 in a file's life) rewrites the small
            // `files` row (sizes, states, claim, times); the description written once at ingest and at completion — external
            // id, paths, checksums, attributes — lives in `file_details`, and the policy decision, shared by every file a rule
            // placed alike, is stored once in `decisions`. The rebuild follows SQLite's procedure for changing a table (the
            // runner turns foreign keys off around migrations and checks them).
            "CREATE TABLE decisions (decision_id INTEGER PRIMARY KEY, decision TEXT NOT NULL UNIQUE)",
            "INSERT INTO decisions (decision) SELECT DISTINCT decision FROM files",
            """
            CREATE TABLE file_details (
                file_id INTEGER PRIMARY KEY,
                external_id TEXT UNIQUE,
                namespace_path TEXT NOT NULL,
                cache_path TEXT NOT NULL,
                checksums TEXT NOT NULL,
                storage_group TEXT NOT NULL,
                file_family TEXT NOT NULL,
                wrapper TEXT NOT NULL,
                library TEXT NOT NULL,
                attributes TEXT NOT NULL,
                decision_id INTEGER NOT NULL REFERENCES decisions (decision_id))
            """,
            """
            INSERT INTO file_details (file_id, external_id, namespace_path, cache_path, checksums, storage_group, file_family, wrapper,
                library, attributes, decision_id)
            SELECT f.file_id, f.external_id, f.namespace_path, f.cache_path, f.checksums, f.storage_group, f.file_family, f.wrapper,
                f.library, f.attributes, d.decision_id FROM files f JOIN decisions d ON d.decision = f.decision
            """,
            """
            CREATE TABLE files_v7 (
                file_id INTEGER PRIMARY KEY,
                size INTEGER NOT NULL,
                disk_library TEXT NOT NULL,
                priority TEXT NOT NULL,
                cache_status TEXT NOT NULL,
                archive_status TEXT NOT NULL,
                archive_claim_list TEXT,
                archive_claim_attempt INTEGER,
                copies_required INTEGER NOT NULL,
                pin_count INTEGER NOT NULL,
                speculative INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                cached_at INTEGER,
                archived_at INTEGER,
                last_access_at INTEGER,
                updated_at INTEGER NOT NULL,
                deleted_at INTEGER,
                failure_reason TEXT,
                row_version INTEGER NOT NULL DEFAULT 0)
            """,
            """
            INSERT INTO files_v7 (file_id, size, disk_library, priority, cache_status, archive_status, archive_claim_list,
                archive_claim_attempt, copies_required, pin_count, speculative, created_at, cached_at, archived_at, last_access_at,
                updated_at, deleted_at, failure_reason, row_version)
            SELECT file_id, size, disk_library, json_extract(decision, '$.priority'), cache_status, archive_status, archive_claim_list,
                archive_claim_attempt, copies_required, pin_count, speculative, created_at, cached_at, archived_at, last_access_at,
                updated_at, deleted_at, failure_reason, row_version FROM files
            """,
            "DROP TABLE files",
            "ALTER TABLE files_v7 RENAME TO files",
            // No index on the disk library alone: every read of a library's files names their states too.
            "CREATE INDEX files_status ON files (cache_status, archive_status, file_id)",
            "CREATE INDEX files_library_status ON files (disk_library, cache_status, archive_status, file_id)",
            // The files waiting for a recall, with what planning reads of them: the planner's pages are ranges of this small
            // index alone (written only as files enter and leave the wait), not a look-up per file in a large table.
            """
            CREATE INDEX files_waiting ON files (file_id, size, disk_library, priority, last_access_at, created_at, cache_status, archive_status, deleted_at)
            WHERE cache_status = 'STAGING_REQUESTED' AND archive_status = 'ARCHIVED' AND deleted_at IS NULL
            """,
            FileCountTriggers[0],
            FileCountTriggers[1],
            FileCountTriggers[2],
            // The live lists of a kind in creation order (a dispatcher round's reads): an index of the live work alone, which
            // the planner takes however the finished lists outnumber them.
            "CREATE INDEX file_lists_live ON file_lists (kind, created_at, list_id) WHERE state IN ('FILLING', 'FILLED', 'ACTIVE')",
            // The audit log is pruned oldest first in sequence order (its times follow its sequence), so it needs no
            // index on time: one index less written by every transition.
            "DROP INDEX transitions_at",
            // An entity's log found by its id with the id's length first, so that numeric ids sort as numbers: the next file
            // ids ('10001'…) then follow the last ones instead of falling between the catalogue's shorter ids ('1000', '1001'
            // …), and a batch of new files writes a few index pages, not one per file.
            "DROP INDEX transitions_entity",
            "CREATE INDEX transitions_entity ON transitions (entity, length(entity_id), entity_id, seq)",
        ],
        [
            // Version 8: the drive scheduler's shared state — drives with their cartridge and lease, and the mount requests
            // waiting for them. A cartridge is in one drive row at most (one mount per tape), enforced by a unique index.
            """
            CREATE TABLE drives (
                library TEXT NOT NULL,
                drive INTEGER NOT NULL,
                vsn TEXT,
                pool TEXT,
                mode TEXT,
                holder TEXT,
                request_id TEXT,
                lease_until INTEGER,
                granted_at INTEGER,
                released_at INTEGER,
                row_version INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (library, drive)) WITHOUT ROWID
            """,
            "CREATE UNIQUE INDEX drives_vsn ON drives (vsn) WHERE vsn IS NOT NULL",
            """
            CREATE TABLE mount_requests (
                request_id TEXT PRIMARY KEY,
                library TEXT NOT NULL,
                vsn TEXT NOT NULL,
                pool TEXT NOT NULL,
                mode TEXT NOT NULL,
                priority INTEGER NOT NULL,
                requester TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                lease_until INTEGER NOT NULL,
                bypass_remount_guard INTEGER NOT NULL) WITHOUT ROWID
            """,
            "CREATE INDEX mount_requests_library ON mount_requests (library, created_at, request_id)",
        ],
        [
            // Version 9: replica management (docs/hsm/replicas.md#the-state-machine, docs/hsm/overview.md#the-catalogue nodes and replicas, docs/hsm/replicas.md#reporting-without-overload). A node's liveness is its row alone: OFFLINE
            // is never written per replica. A node holds one live row of a file at most (never two copies on one node), a
            // transfer id names one row, and the live rows per node are counted by triggers (the planner's load) instead of
            // being summed over 100 000s of rows.
            """
            CREATE TABLE replica_nodes (
                node_id TEXT PRIMARY KEY,
                state TEXT NOT NULL CHECK (state IN ('ONLINE', 'OFFLINE')),
                state_since INTEGER NOT NULL,
                next_heartbeat_due INTEGER NOT NULL,
                report_seq INTEGER NOT NULL,
                digest_wanted INTEGER NOT NULL,
                address TEXT,
                registered_at INTEGER NOT NULL,
                row_version INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID
            """,
            """
            CREATE TABLE replica_files (
                file_id INTEGER PRIMARY KEY,
                needed_replicas INTEGER NOT NULL CHECK (needed_replicas >= 1),
                size INTEGER NOT NULL,
                checksum_type TEXT NOT NULL,
                checksum_value TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                deleted_at INTEGER,
                row_version INTEGER NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE replicas (
                file_id INTEGER NOT NULL,
                node_id TEXT NOT NULL,
                reference_id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('CREATING', 'ALIVE', 'INVALID', 'STALLED', 'THIRDWHEEL', 'DELETED')),
                transfer_id TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                checksum_type TEXT NOT NULL,
                checksum_value TEXT NOT NULL,
                source_kind TEXT NOT NULL,
                source_node_id TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                deadline INTEGER,
                started_at INTEGER,
                last_checked_at INTEGER,
                row_version INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (file_id, node_id, reference_id)) WITHOUT ROWID
            """,
            "CREATE UNIQUE INDEX replicas_one_per_node ON replicas (file_id, node_id) WHERE state <> 'DELETED'",
            "CREATE INDEX replicas_node ON replicas (node_id, file_id, state) WHERE state <> 'DELETED'",
            "CREATE INDEX replicas_in_flight ON replicas (deadline) WHERE state IN ('CREATING', 'STALLED')",
            "CREATE INDEX replicas_transfers ON replicas (created_at, transfer_id) WHERE state = 'CREATING'",
            "CREATE INDEX replicas_deleted ON replicas (updated_at) WHERE state = 'DELETED'",
            "CREATE TABLE replica_node_counts (node_id TEXT PRIMARY KEY, replicas INTEGER NOT NULL) WITHOUT ROWID",
            """
            CREATE TRIGGER replicas_count_insert AFTER INSERT ON replicas WHEN new.state <> 'DELETED' BEGIN
                INSERT INTO replica_node_counts (node_id, replicas) VALUES (new.node_id, 1)
                ON CONFLICT (node_id) DO UPDATE SET replicas = replicas + 1;
            END
            """,
            """
            CREATE TRIGGER replicas_count_update AFTER UPDATE OF state ON replicas
            WHEN (old.state = 'DELETED') <> (new.state = 'DELETED') BEGIN
                INSERT INTO replica_node_counts (node_id, replicas) VALUES (new.node_id, CASE WHEN new.state = 'DELETED' THEN -1 ELSE 1 END)
                ON CONFLICT (node_id) DO UPDATE SET replicas = replicas + excluded.replicas;
            END
            """,
            """
            CREATE TRIGGER replicas_count_delete AFTER DELETE ON replicas WHEN old.state <> 'DELETED' BEGIN
                UPDATE replica_node_counts SET replicas = replicas - 1 WHERE node_id = old.node_id;
            END
            """,
            "CREATE TABLE replica_checkpoints (name TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID",
            """
            CREATE TABLE replica_transitions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                file_id INTEGER NOT NULL,
                node_id TEXT NOT NULL,
                transfer_id TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                rule TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT,
                at INTEGER NOT NULL)
            """,
            "CREATE INDEX replica_transitions_file ON replica_transitions (file_id, seq)",
        ],
    ];

    /// <summary>The version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;
}

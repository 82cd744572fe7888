namespace TapeKit.Hsm.Postgres;

/// <summary>
/// The versioned, forward-only schema of the PostgreSQL catalogue (docs/hsm/overview.md#the-catalogue). Version n is reached by
/// applying migrations 1…n in order, each in its own transaction together with its <c>schema_version</c> row, under an
/// advisory lock so that hosts starting together migrate once. A schema newer than this build is refused.
/// </summary>
/// <remarks>
/// Physical choices: ids are <c>bigint</c> from real sequences (allocation never waits for another transaction; a
/// rolled-back allocation leaves a gap, never a reuse); times are <c>timestamptz</c> (microseconds); structured values
/// (checksums, attributes, the policy decision, list limits) are <c>jsonb</c>; list and message ids are <c>uuid</c>. The
/// maintained aggregates (files and bytes per disk library and state, lists per kind and state) are kept by triggers
/// in the writing transaction, spread over <see cref="CounterStripes"/> rows per key chosen by the writing backend, so
/// that concurrent writers do not queue on one counter row; a read sums at most that many rows per key.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>How many rows each aggregate key is spread over.</summary>
    public const int CounterStripes = 16;

    /// <summary>The table that records which migrations were applied (created before the first migration).</summary>
    public const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now())
        """;

    /// <summary>The migrations; index i holds the statements that take the schema from version i to i + 1.</summary>
    public static readonly string[][] Migrations =
    [
        [
            // Version 1: the catalogue of the provider-neutral contract (files, lists, aggregations, tapes, outbox, inbox,
            // audit, instances) with its sequences, aggregates and indexes.
            "CREATE SEQUENCE file_id_seq AS bigint",
            "CREATE SEQUENCE aggregation_id_seq AS bigint",
            """
            CREATE TABLE files (
                file_id bigint PRIMARY KEY,
                external_id text UNIQUE,
                namespace_path text NOT NULL,
                cache_path text NOT NULL,
                size bigint NOT NULL,
                checksums jsonb NOT NULL,
                storage_group text NOT NULL,
                file_family text NOT NULL,
                wrapper text NOT NULL,
                library text NOT NULL,
                attributes jsonb NOT NULL,
                disk_library text NOT NULL,
                policy_key text NOT NULL,
                policy_version integer NOT NULL,
                strategy text NOT NULL,
                decision jsonb NOT NULL,
                cache_status text NOT NULL,
                archive_status text NOT NULL,
                archive_claim_list uuid,
                archive_claim_attempt integer,
                copies_required integer NOT NULL,
                pin_count integer NOT NULL,
                speculative boolean NOT NULL,
                created_at timestamptz NOT NULL,
                cached_at timestamptz,
                archived_at timestamptz,
                last_access_at timestamptz,
                updated_at timestamptz NOT NULL,
                deleted_at timestamptz,
                failure_reason text,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX files_status ON files (cache_status, archive_status, file_id)",
            "CREATE INDEX files_disk_library ON files (disk_library, file_id)",
            "CREATE INDEX files_library_status ON files (disk_library, cache_status, archive_status, file_id)",
            """
            CREATE TABLE file_lists (
                list_id uuid PRIMARY KEY,
                kind text NOT NULL,
                policy_key text NOT NULL,
                rule_name text NOT NULL,
                disk_library text NOT NULL,
                limits jsonb NOT NULL,
                policy_version integer NOT NULL,
                strategy text NOT NULL,
                format text NOT NULL,
                tape_pool text NOT NULL,
                copy_count integer NOT NULL,
                state text NOT NULL,
                created_at timestamptz NOT NULL,
                first_member_at timestamptz,
                closed_at timestamptz,
                close_reason text,
                member_count integer NOT NULL,
                member_bytes bigint NOT NULL,
                busy_count integer NOT NULL,
                not_before timestamptz,
                owner text,
                lease_until timestamptz,
                last_reply text,
                priority text NOT NULL,
                vsn text,
                attempt integer NOT NULL,
                failure_count integer NOT NULL,
                failure_reason text,
                superseded_by uuid,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX file_lists_state ON file_lists (kind, state, policy_key)",
            "CREATE INDEX file_lists_ended ON file_lists (created_at) WHERE state IN ('DONE', 'SUPERSEDED', 'DEAD')",
            // The ordinal orders a list's members in append order; one sequence for all lists, so that appends to one list
            // never read its other members.
            """
            CREATE TABLE file_list_members (
                list_id uuid NOT NULL REFERENCES file_lists (list_id),
                file_id bigint NOT NULL REFERENCES files (file_id),
                ordinal bigint GENERATED ALWAYS AS IDENTITY,
                live_archive boolean,
                PRIMARY KEY (list_id, file_id))
            """,
            "CREATE INDEX file_list_members_order ON file_list_members (list_id, ordinal)",
            "CREATE INDEX file_list_members_file ON file_list_members (file_id)",
            // Invariant I4: a file is a member of at most one live archive list.
            "CREATE UNIQUE INDEX file_list_members_i4 ON file_list_members (file_id) WHERE live_archive",
            """
            CREATE TABLE aggregations (
                aggregation_id bigint PRIMARY KEY,
                list_id uuid NOT NULL,
                attempt integer NOT NULL,
                copy_nb integer NOT NULL,
                format text NOT NULL,
                state text NOT NULL,
                member_count integer NOT NULL,
                active_member_count integer NOT NULL,
                payload_bytes bigint NOT NULL,
                vsn text,
                fseq integer,
                first_block_id bigint,
                block_count bigint,
                created_at timestamptz NOT NULL,
                written_at timestamptz,
                failure_reason text,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX aggregations_list ON aggregations (list_id, attempt)",
            "CREATE INDEX aggregations_tape ON aggregations (vsn, fseq)",
            // The spec's unique segment key: one live aggregation per tape file.
            "CREATE UNIQUE INDEX aggregations_segment ON aggregations (vsn, fseq) WHERE vsn IS NOT NULL AND state <> 'FAILED'",
            """
            CREATE TABLE members (
                aggregation_id bigint NOT NULL REFERENCES aggregations (aggregation_id),
                idx integer NOT NULL,
                file_id bigint NOT NULL REFERENCES files (file_id),
                payload_offset bigint NOT NULL,
                block_index bigint NOT NULL,
                offset_in_block integer NOT NULL,
                block_count bigint NOT NULL,
                PRIMARY KEY (aggregation_id, idx),
                UNIQUE (aggregation_id, file_id))
            """,
            "CREATE INDEX members_file ON members (file_id)",
            """
            CREATE TABLE tapes (
                vsn text PRIMARY KEY,
                media_type text NOT NULL,
                pool text NOT NULL,
                library text NOT NULL,
                state text NOT NULL,
                label_format text NOT NULL,
                block_size integer NOT NULL,
                last_fseq integer NOT NULL,
                bytes_used bigint NOT NULL,
                capacity_estimate bigint NOT NULL,
                mount_count integer NOT NULL,
                last_mounted_at timestamptz,
                last_unmounted_at timestamptz,
                read_errors integer NOT NULL,
                write_errors integer NOT NULL,
                mounted_by text,
                mount_lease_until timestamptz,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX tapes_pool ON tapes (pool, state)",
            """
            CREATE TABLE outbox (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id uuid NOT NULL,
                exchange text NOT NULL,
                routing_key text NOT NULL,
                envelope text NOT NULL,
                not_before timestamptz,
                created_at timestamptz NOT NULL)
            """,
            """
            CREATE TABLE inbox (
                consumer text NOT NULL,
                message_id uuid NOT NULL,
                processed_at timestamptz NOT NULL,
                PRIMARY KEY (consumer, message_id))
            """,
            "CREATE INDEX inbox_processed ON inbox (processed_at)",
            """
            CREATE TABLE transitions (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                entity text NOT NULL,
                entity_id text NOT NULL,
                from_state text,
                to_state text NOT NULL,
                rule text NOT NULL,
                actor text NOT NULL,
                reason text,
                at timestamptz NOT NULL)
            """,
            "CREATE INDEX transitions_entity ON transitions (entity, entity_id, seq)",
            "CREATE INDEX transitions_at ON transitions (at)",
            "CREATE TABLE instances (name text PRIMARY KEY, epoch bigint NOT NULL, started_at timestamptz NOT NULL)",
            // Maintained aggregates: a trigger moves a row's contribution from its old key to its new one in the writing
            // transaction. Each key has up to CounterStripes rows; the writing backend picks one by its process id.
            """
            CREATE TABLE file_counts (
                disk_library text NOT NULL,
                cache_status text NOT NULL,
                archive_status text NOT NULL,
                deleted boolean NOT NULL,
                stripe smallint NOT NULL,
                files bigint NOT NULL,
                bytes bigint NOT NULL,
                PRIMARY KEY (disk_library, cache_status, archive_status, deleted, stripe))
            """,
            $$"""
            CREATE FUNCTION files_count() RETURNS trigger LANGUAGE plpgsql AS $body$
            DECLARE
                s smallint := pg_backend_pid() % {{CounterStripes}};
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    INSERT INTO file_counts AS c (disk_library, cache_status, archive_status, deleted, stripe, files, bytes)
                    VALUES (OLD.disk_library, OLD.cache_status, OLD.archive_status, OLD.deleted_at IS NOT NULL, s, -1, -OLD.size)
                    ON CONFLICT (disk_library, cache_status, archive_status, deleted, stripe)
                    DO UPDATE SET files = c.files + excluded.files, bytes = c.bytes + excluded.bytes;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO file_counts AS c (disk_library, cache_status, archive_status, deleted, stripe, files, bytes)
                    VALUES (NEW.disk_library, NEW.cache_status, NEW.archive_status, NEW.deleted_at IS NOT NULL, s, 1, NEW.size)
                    ON CONFLICT (disk_library, cache_status, archive_status, deleted, stripe)
                    DO UPDATE SET files = c.files + excluded.files, bytes = c.bytes + excluded.bytes;
                END IF;
                RETURN NULL;
            END
            $body$
            """,
            "CREATE TRIGGER files_count_insert_delete AFTER INSERT OR DELETE ON files FOR EACH ROW EXECUTE FUNCTION files_count()",
            """
            CREATE TRIGGER files_count_update AFTER UPDATE OF cache_status, archive_status, size, deleted_at, disk_library ON files
            FOR EACH ROW WHEN (OLD.cache_status IS DISTINCT FROM NEW.cache_status OR OLD.archive_status IS DISTINCT FROM NEW.archive_status
                OR OLD.size IS DISTINCT FROM NEW.size OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
                OR OLD.disk_library IS DISTINCT FROM NEW.disk_library)
            EXECUTE FUNCTION files_count()
            """,
            """
            CREATE TABLE list_counts (
                kind text NOT NULL,
                state text NOT NULL,
                stripe smallint NOT NULL,
                lists bigint NOT NULL,
                PRIMARY KEY (kind, state, stripe))
            """,
            $$"""
            CREATE FUNCTION lists_count() RETURNS trigger LANGUAGE plpgsql AS $body$
            DECLARE
                s smallint := pg_backend_pid() % {{CounterStripes}};
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    INSERT INTO list_counts AS c (kind, state, stripe, lists) VALUES (OLD.kind, OLD.state, s, -1)
                    ON CONFLICT (kind, state, stripe) DO UPDATE SET lists = c.lists + excluded.lists;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO list_counts AS c (kind, state, stripe, lists) VALUES (NEW.kind, NEW.state, s, 1)
                    ON CONFLICT (kind, state, stripe) DO UPDATE SET lists = c.lists + excluded.lists;
                END IF;
                RETURN NULL;
            END
            $body$
            """,
            "CREATE TRIGGER lists_count_insert_delete AFTER INSERT OR DELETE ON file_lists FOR EACH ROW EXECUTE FUNCTION lists_count()",
            """
            CREATE TRIGGER lists_count_update AFTER UPDATE OF state, kind ON file_lists
            FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.kind IS DISTINCT FROM NEW.kind)
            EXECUTE FUNCTION lists_count()
            """,
        ],
        [
            // Version 2: the durable work queue (docs/hsm/overview.md#messaging) — direct-exchange bindings and queued messages claimed with
            // FOR UPDATE SKIP LOCKED under leases — and leases on outbox rows, so that relays in several processes never hand
            // one row to the bus at the same time.
            """
            CREATE TABLE bus_bindings (
                exchange text NOT NULL,
                routing_key text NOT NULL,
                queue text NOT NULL,
                PRIMARY KEY (exchange, routing_key, queue))
            """,
            """
            CREATE TABLE queue_messages (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id uuid NOT NULL,
                queue text NOT NULL,
                priority integer NOT NULL,
                enqueued_at timestamptz NOT NULL,
                visible_at timestamptz NOT NULL,
                delivery_count integer NOT NULL DEFAULT 0,
                lease_owner text,
                lease_token uuid,
                lease_until timestamptz,
                dead_reason text,
                envelope text NOT NULL)
            """,
            // The claim's order (priority, then age) over the live rows of one queue; dead letters are kept out of it.
            "CREATE INDEX queue_messages_ready ON queue_messages (queue, priority DESC, seq) WHERE dead_reason IS NULL",
            "CREATE INDEX queue_messages_dead ON queue_messages (queue, seq) WHERE dead_reason IS NOT NULL",
            "CREATE INDEX queue_messages_lease_owner ON queue_messages (lease_owner) WHERE lease_owner IS NOT NULL",
            "ALTER TABLE outbox ADD COLUMN relay_owner text, ADD COLUMN relay_until timestamptz",
        ],
        [
            // Version 3: the drive scheduler's shared state — drives with their cartridge and lease, and the mount requests
            // waiting for them. A cartridge is in one drive row at most (one mount per tape), enforced by a unique index.
            """
            CREATE TABLE drives (
                library text NOT NULL,
                drive integer NOT NULL,
                vsn text,
                pool text,
                mode text,
                holder text,
                request_id uuid,
                lease_until timestamptz,
                granted_at timestamptz,
                released_at timestamptz,
                row_version bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (library, drive))
            """,
            "CREATE UNIQUE INDEX drives_vsn ON drives (vsn) WHERE vsn IS NOT NULL",
            """
            CREATE TABLE mount_requests (
                request_id uuid PRIMARY KEY,
                library text NOT NULL,
                vsn text NOT NULL,
                pool text NOT NULL,
                mode text NOT NULL,
                priority integer NOT NULL,
                requester text NOT NULL,
                created_at timestamptz NOT NULL,
                lease_until timestamptz NOT NULL,
                bypass_remount_guard boolean NOT NULL)
            """,
            "CREATE INDEX mount_requests_library ON mount_requests (library, created_at, request_id)",
        ],
        [
            // Version 4: replica management (Chelonia's nodes and replicas, the tables of the SQLite store's version 9). A
            // node's liveness is its row alone: OFFLINE is never written per replica. A node holds one live row of a file at
            // most (never two copies on one node) and a transfer id names one row, both enforced by unique indexes; the live
            // rows per node are counted by a trigger (the planner's load), striped like the catalogue's counters so that
            // concurrent writers on one node do not queue on one counter row.
            """
            CREATE TABLE replica_nodes (
                node_id text PRIMARY KEY,
                state text NOT NULL CHECK (state IN ('ONLINE', 'OFFLINE')),
                state_since timestamptz NOT NULL,
                next_heartbeat_due timestamptz NOT NULL,
                report_seq bigint NOT NULL,
                digest_wanted boolean NOT NULL,
                address text,
                registered_at timestamptz NOT NULL,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE replica_files (
                file_id bigint PRIMARY KEY,
                needed_replicas integer NOT NULL CHECK (needed_replicas >= 1),
                size bigint NOT NULL,
                checksum_type text NOT NULL,
                checksum_value text NOT NULL,
                created_at timestamptz NOT NULL,
                deleted_at timestamptz,
                row_version bigint NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE replicas (
                file_id bigint NOT NULL,
                node_id text NOT NULL,
                reference_id text NOT NULL,
                state text NOT NULL CHECK (state IN ('CREATING', 'ALIVE', 'INVALID', 'STALLED', 'THIRDWHEEL', 'DELETED')),
                transfer_id uuid NOT NULL UNIQUE,
                size bigint NOT NULL,
                checksum_type text NOT NULL,
                checksum_value text NOT NULL,
                source_kind text NOT NULL,
                source_node_id text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                deadline timestamptz,
                started_at timestamptz,
                last_checked_at timestamptz,
                row_version bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (file_id, node_id, reference_id))
            """,
            "CREATE UNIQUE INDEX replicas_one_per_node ON replicas (file_id, node_id) WHERE state <> 'DELETED'",
            "CREATE INDEX replicas_node ON replicas (node_id, file_id, state) WHERE state <> 'DELETED'",
            "CREATE INDEX replicas_in_flight ON replicas (deadline) WHERE state IN ('CREATING', 'STALLED')",
            "CREATE INDEX replicas_transfers ON replicas (created_at, transfer_id) WHERE state = 'CREATING'",
            "CREATE INDEX replicas_deleted ON replicas (updated_at) WHERE state = 'DELETED'",
            """
            CREATE TABLE replica_node_counts (
                node_id text NOT NULL,
                stripe smallint NOT NULL,
                replicas bigint NOT NULL,
                PRIMARY KEY (node_id, stripe))
            """,
            // Statement-level triggers over the transition tables: a batch of 100 000 rows moves each node's counter once,
            // and an update that leaves every row live (or dead) writes no counter row at all.
            $$"""
            CREATE FUNCTION replicas_count() RETURNS trigger LANGUAGE plpgsql AS $body$
            DECLARE
                s smallint := pg_backend_pid() % {{CounterStripes}};
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO replica_node_counts AS c (node_id, stripe, replicas)
                    SELECT node_id, s, count(*) FROM new_rows WHERE state <> 'DELETED' GROUP BY node_id
                    ON CONFLICT (node_id, stripe) DO UPDATE SET replicas = c.replicas + excluded.replicas;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO replica_node_counts AS c (node_id, stripe, replicas)
                    SELECT node_id, s, -count(*) FROM old_rows WHERE state <> 'DELETED' GROUP BY node_id
                    ON CONFLICT (node_id, stripe) DO UPDATE SET replicas = c.replicas + excluded.replicas;
                ELSE
                    INSERT INTO replica_node_counts AS c (node_id, stripe, replicas)
                    SELECT node_id, s, sum(d) FROM (
                        SELECT node_id, -1 AS d FROM old_rows WHERE state <> 'DELETED'
                        UNION ALL SELECT node_id, 1 FROM new_rows WHERE state <> 'DELETED') AS x
                    GROUP BY node_id HAVING sum(d) <> 0
                    ON CONFLICT (node_id, stripe) DO UPDATE SET replicas = c.replicas + excluded.replicas;
                END IF;
                RETURN NULL;
            END
            $body$
            """,
            "CREATE TRIGGER replicas_count_insert AFTER INSERT ON replicas REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION replicas_count()",
            "CREATE TRIGGER replicas_count_delete AFTER DELETE ON replicas REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION replicas_count()",
            """
            CREATE TRIGGER replicas_count_update AFTER UPDATE ON replicas REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION replicas_count()
            """,
            "CREATE TABLE replica_checkpoints (name text PRIMARY KEY, at timestamptz NOT NULL)",
            """
            CREATE TABLE replica_transitions (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                file_id bigint NOT NULL,
                node_id text NOT NULL,
                transfer_id uuid NOT NULL,
                from_state text,
                to_state text NOT NULL,
                rule text NOT NULL,
                actor text NOT NULL,
                reason text,
                at timestamptz NOT NULL)
            """,
            "CREATE INDEX replica_transitions_file ON replica_transitions (file_id, seq)",
        ],
    ];

    /// <summary>The version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;
}

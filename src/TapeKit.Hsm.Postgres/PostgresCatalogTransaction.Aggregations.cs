using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    private static readonly string[] AggregationColumns =
    [
        "aggregation_id", "list_id", "attempt", "copy_nb", "format", "state", "member_count", "active_member_count", "payload_bytes",
        "vsn", "fseq", "first_block_id", "block_count", "created_at", "written_at", "failure_reason",
    ];

    private const string MemberColumns = "aggregation_id, idx, file_id, payload_offset, block_index, offset_in_block, block_count";

    private static readonly string AggregationSelect = $"SELECT {string.Join(", ", AggregationColumns)}, row_version FROM aggregations";

    private static readonly string AggregationInsert = $"""
        INSERT INTO aggregations ({string.Join(", ", AggregationColumns)}) VALUES ({Placeholders(AggregationColumns.Length)}) ON CONFLICT DO NOTHING
        """;

    private static readonly string AggregationUpdate = VersionedUpdate("aggregations", AggregationColumns);

    public async ValueTask<long> AllocateAggregationIdAsync() => (long)(await ScalarAsync("SELECT nextval('aggregation_id_seq')"))!;

    public async ValueTask<AggregationRecord?> GetAggregationAsync(long aggregationId) =>
        (await QueryAsync($"{AggregationSelect} WHERE aggregation_id = $1{LockIfHot("aggregations", aggregationId)}", r => ReadAggregation(r, 0), aggregationId)).FirstOrDefault();

    public async ValueTask InsertAggregationAsync(AggregationRecord aggregation)
    {
        ArgumentNullException.ThrowIfNull(aggregation);
        if (await ExecuteAsync(AggregationInsert, AggregationValues(aggregation)) == 0)
        {
            throw new CatalogConstraintException($"Aggregation {aggregation.AggregationId} already exists or its tape file is taken.");
        }

        await KeepSequenceAheadAsync("aggregation_id_seq", aggregation.AggregationId);
    }

    public async ValueTask<AggregationRecord> UpdateAggregationAsync(AggregationRecord aggregation)
    {
        ArgumentNullException.ThrowIfNull(aggregation);
        string id = Id(aggregation.AggregationId);
        ValueTask<AggregationRecord> Update() => UpdateVersionedAsync(AggregationUpdate, AggregationValues(aggregation), aggregation.RowVersion,
            r => ReadAggregation(r, 0), "aggregations", "aggregation_id", "aggregation", id);

        // Only a live aggregation on a tape file can meet the unique segment key; only that write needs a savepoint.
        return aggregation.TapeFile is not null && aggregation.State != AggregationState.Failed
            ? await AtomicAsync(Update, $"Tape file of aggregation {id} is taken.")
            : await Update();
    }

    public async ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOfListAsync(Guid listId, int? attempt = null) =>
        await QueryAsync($"{AggregationSelect} WHERE list_id = $1 AND ($2::integer IS NULL OR attempt = $2) ORDER BY aggregation_id",
            r => ReadAggregation(r, 0), listId, attempt);

    public async ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOnTapeAsync(string vsn) =>
        await QueryAsync($"{AggregationSelect} WHERE vsn = $1 ORDER BY fseq, aggregation_id", r => ReadAggregation(r, 0), vsn);

    public async ValueTask AddAggregationMembersAsync(IReadOnlyList<AggregationMemberRecord> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            return;
        }

        // One statement for the whole batch (a 10 000-member commit is one round trip), under a savepoint: a duplicate or
        // a member naming a missing row refuses the batch and leaves the transaction usable.
        string first = members.Count == 1 ? $"Member {members[0].Index} (file {members[0].FileId}) of aggregation {members[0].AggregationId}" : $"A member of the {members.Count} given";
        _ = await AtomicAsync(async () => await ExecuteAsync($"""
            INSERT INTO members ({MemberColumns})
            SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::bigint[], $5::bigint[], $6::integer[], $7::bigint[])
            """,
            members.Select(m => m.AggregationId).ToArray(), members.Select(m => m.Index).ToArray(), members.Select(m => m.FileId).ToArray(),
            members.Select(m => m.PayloadOffset).ToArray(), members.Select(m => m.BlockIndex).ToArray(),
            members.Select(m => m.OffsetInBlock).ToArray(), members.Select(m => m.BlockCount).ToArray()),
            $"{first} is a duplicate or names a missing row.");
    }

    public async ValueTask<IReadOnlyList<AggregationMemberRecord>> GetAggregationMembersAsync(long aggregationId) =>
        await QueryAsync($"SELECT {MemberColumns} FROM members WHERE aggregation_id = $1 ORDER BY idx", r => ReadMember(r, 0), aggregationId);

    public async ValueTask<IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)>> GetCopiesOfFileAsync(long fileId) =>
        await QueryAsync($"""
            SELECT {Prefixed("m", MemberColumns.Split(", "))}, {Prefixed("a", AggregationColumns)}, a.row_version
            FROM members m JOIN aggregations a ON a.aggregation_id = m.aggregation_id
            WHERE m.file_id = $1 ORDER BY m.aggregation_id
            """, r => (ReadAggregation(r, 7), ReadMember(r, 0)), fileId);

    private static string Prefixed(string alias, IEnumerable<string> columns) => string.Join(", ", columns.Select(c => $"{alias}.{c}"));

    private static AggregationMemberRecord ReadMember(NpgsqlDataReader r, int o) =>
        new(r.GetInt64(o), r.GetInt32(o + 1), r.GetInt64(o + 2), r.GetInt64(o + 3), r.GetInt64(o + 4), r.GetInt32(o + 5), r.GetInt64(o + 6));

    private static object?[] AggregationValues(AggregationRecord a) =>
    [
        a.AggregationId, a.ListId, a.Attempt, a.CopyNb, a.Format.ToString(), StateNames.Of(a.State), a.MemberCount, a.ActiveMemberCount,
        a.PayloadBytes, a.TapeFile?.Vsn, a.TapeFile?.Fseq, a.TapeFile?.FirstBlockId, a.BlockCount, a.CreatedAt, a.WrittenAt, a.FailureReason,
    ];

    /// <summary>Maps the aggregation columns (and row_version after them) that start at column <paramref name="o"/>.</summary>
    private static AggregationRecord ReadAggregation(NpgsqlDataReader r, int o) => new()
    {
        AggregationId = r.GetInt64(o),
        ListId = r.GetGuid(o + 1),
        Attempt = r.GetInt32(o + 2),
        CopyNb = r.GetInt32(o + 3),
        Format = Enum.Parse<AggregationPayloadFormat>(r.GetString(o + 4)),
        State = StateNames.Parse<AggregationState>(r.GetString(o + 5)),
        MemberCount = r.GetInt32(o + 6),
        ActiveMemberCount = r.GetInt32(o + 7),
        PayloadBytes = r.GetInt64(o + 8),
        TapeFile = r.IsDBNull(o + 9) ? null : new TapeFileLocator(r.GetString(o + 9), r.GetInt32(o + 10), r.GetInt64(o + 11)),
        BlockCount = Long(r, o + 12),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(o + 13),
        WrittenAt = At(r, o + 14),
        FailureReason = Text(r, o + 15),
        RowVersion = r.GetInt64(o + 16),
    };
}

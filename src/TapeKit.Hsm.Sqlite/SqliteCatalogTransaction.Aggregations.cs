using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    private const string AggregationColumns = """
        aggregation_id, list_id, attempt, copy_nb, format, state, member_count, active_member_count, payload_bytes,
        vsn, fseq, first_block_id, block_count, created_at, written_at, failure_reason
        """;

    public ValueTask<long> AllocateAggregationIdAsync() => ValueTask.FromResult(NextSequenceValue("aggregation_id"));

    public ValueTask<AggregationRecord?> GetAggregationAsync(long aggregationId) =>
        ValueTask.FromResult(QueryAggregations($"SELECT {AggregationColumns}, row_version FROM aggregations WHERE aggregation_id = $id", ("$id", aggregationId)).FirstOrDefault());

    public ValueTask InsertAggregationAsync(AggregationRecord aggregation)
    {
        Live();
        Guarded(() => Execute($"INSERT INTO aggregations ({AggregationColumns}) VALUES ({Placeholders(16)})", AggregationValues(aggregation)),
            $"Aggregation {aggregation.AggregationId} already exists or its tape file is taken");
        Execute("UPDATE sequences SET value = MAX(value, $id) WHERE name = 'aggregation_id'", ("$id", aggregation.AggregationId));
        return ValueTask.CompletedTask;
    }

    public ValueTask<AggregationRecord> UpdateAggregationAsync(AggregationRecord aggregation)
    {
        Live();
        ArgumentNullException.ThrowIfNull(aggregation);
        Guarded(() =>
        {
            UpdateVersioned("aggregations", "aggregation_id", AggregationColumns, AggregationValues(aggregation), aggregation.RowVersion,
                "aggregation", aggregation.AggregationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return 1;
        }, $"Tape file of aggregation {aggregation.AggregationId} is taken");
        return ValueTask.FromResult(aggregation with { RowVersion = aggregation.RowVersion + 1 });
    }

    public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOfListAsync(Guid listId, int? attempt = null) =>
        ValueTask.FromResult<IReadOnlyList<AggregationRecord>>(QueryAggregations(
            $"SELECT {AggregationColumns}, row_version FROM aggregations WHERE list_id = $l AND ($a IS NULL OR attempt = $a) ORDER BY aggregation_id",
            ("$l", listId.ToString("N")), ("$a", attempt)));

    public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOnTapeAsync(string vsn) =>
        ValueTask.FromResult<IReadOnlyList<AggregationRecord>>(QueryAggregations(
            $"SELECT {AggregationColumns}, row_version FROM aggregations WHERE vsn = $v ORDER BY fseq, aggregation_id", ("$v", vsn)));

    public ValueTask AddAggregationMembersAsync(IReadOnlyList<AggregationMemberRecord> members)
    {
        Live();
        ArgumentNullException.ThrowIfNull(members);
        foreach (AggregationMemberRecord m in members)
        {
            Guarded(() => Execute("""
                INSERT INTO members (aggregation_id, idx, file_id, payload_offset, block_index, offset_in_block, block_count)
                VALUES ($a, $i, $f, $po, $bi, $ob, $bc)
                """, ("$a", m.AggregationId), ("$i", m.Index), ("$f", m.FileId), ("$po", m.PayloadOffset), ("$bi", m.BlockIndex),
                ("$ob", m.OffsetInBlock), ("$bc", m.BlockCount)),
                $"Member {m.Index} (file {m.FileId}) of aggregation {m.AggregationId} is a duplicate or names a missing row");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<AggregationMemberRecord>> GetAggregationMembersAsync(long aggregationId)
    {
        SqliteCommand cmd = Command("""
            SELECT aggregation_id, idx, file_id, payload_offset, block_index, offset_in_block, block_count
            FROM members WHERE aggregation_id = $a ORDER BY idx
            """, ("$a", aggregationId));
        return ValueTask.FromResult<IReadOnlyList<AggregationMemberRecord>>(ReadMembers(cmd));
    }

    public ValueTask<IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)>> GetCopiesOfFileAsync(long fileId)
    {
        List<AggregationMemberRecord> members = ReadMembers(Command("""
            SELECT aggregation_id, idx, file_id, payload_offset, block_index, offset_in_block, block_count
            FROM members WHERE file_id = $f ORDER BY aggregation_id
            """, ("$f", fileId)));

        var result = new List<(AggregationRecord, AggregationMemberRecord)>(members.Count);
        foreach (AggregationMemberRecord m in members)
        {
            result.Add((QueryAggregations($"SELECT {AggregationColumns}, row_version FROM aggregations WHERE aggregation_id = $id", ("$id", m.AggregationId))[0], m));
        }

        return ValueTask.FromResult<IReadOnlyList<(AggregationRecord, AggregationMemberRecord)>>(result);
    }

    private static List<AggregationMemberRecord> ReadMembers(SqliteCommand cmd)
    {
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<AggregationMemberRecord>();
        while (r.Read())
        {
            rows.Add(new AggregationMemberRecord(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt32(5), r.GetInt64(6)));
        }

        return rows;
    }

    private static int Guarded(Func<int> action, string what)
    {
        try
        {
            return action();
        }
        catch (CatalogConstraintException e) when (e.InnerException is SqliteException)
        {
            throw new CatalogConstraintException($"{what}.", e);
        }
    }

    private static (string, object?)[] AggregationValues(AggregationRecord a)
    {
        object?[] values =
        [
            a.AggregationId, a.ListId.ToString("N"), a.Attempt, a.CopyNb, a.Format.ToString(), StateNames.Of(a.State), a.MemberCount,
            a.ActiveMemberCount, a.PayloadBytes, a.TapeFile?.Vsn, a.TapeFile?.Fseq, a.TapeFile?.FirstBlockId, a.BlockCount,
            SqliteCatalog.Ms(a.CreatedAt), SqliteCatalog.Ms(a.WrittenAt), a.FailureReason,
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    private List<AggregationRecord> QueryAggregations(string sql, params (string Name, object? Value)[] args) =>
        Translated(() => ReadAggregations(sql, args));

    private List<AggregationRecord> ReadAggregations(string sql, (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<AggregationRecord>();
        while (r.Read())
        {
            rows.Add(AggregationAt(r, 0));
        }

        return rows;
    }

    /// <summary>Maps the aggregation columns (and row_version after them) that start at column <paramref name="o"/>.</summary>
    private static AggregationRecord AggregationAt(SqliteDataReader r, int o) => new()
    {
        AggregationId = r.GetInt64(o),
        ListId = Guid.ParseExact(r.GetString(o + 1), "N"),
        Attempt = r.GetInt32(o + 2),
        CopyNb = r.GetInt32(o + 3),
        Format = Enum.Parse<AggregationPayloadFormat>(r.GetString(o + 4)),
        State = StateNames.Parse<AggregationState>(r.GetString(o + 5)),
        MemberCount = r.GetInt32(o + 6),
        ActiveMemberCount = r.GetInt32(o + 7),
        PayloadBytes = r.GetInt64(o + 8),
        TapeFile = r.IsDBNull(o + 9) ? null : new TapeFileLocator(r.GetString(o + 9), r.GetInt32(o + 10), r.GetInt64(o + 11)),
        BlockCount = r.IsDBNull(o + 12) ? null : r.GetInt64(o + 12),
        CreatedAt = SqliteCatalog.At(r, o + 13) ?? default,
        WrittenAt = SqliteCatalog.At(r, o + 14),
        FailureReason = SqliteCatalog.Text(r, o + 15),
        RowVersion = r.GetInt64(o + 16),
    };
}

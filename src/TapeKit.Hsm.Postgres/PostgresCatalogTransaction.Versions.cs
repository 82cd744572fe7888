using System.Globalization;
using Npgsql;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    /// <summary>
    /// The text of one conditional update of a versioned row: every column but the key (and <paramref name="skipColumns"/>
    /// more) is set from <c>$2</c>…<c>$N</c>, <c>row_version</c> moves on by one, and the statement applies only to the
    /// version bound last (<c>$N+1</c>). It returns the row as stored.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="columns">The columns, the key first, in the order of the values bound.</param>
    /// <param name="skipColumns">Columns after the key that are part of the identity and never written.</param>
    /// <param name="extraPredicate">A further condition, or <see langword="null"/>.</param>
    /// <param name="returning">The columns returned (before <c>row_version</c>), when not <paramref name="columns"/>.</param>
    private static string VersionedUpdate(string table, string[] columns, int skipColumns = 0, string? extraPredicate = null, string[]? returning = null)
    {
        string set = string.Join(", ", columns.Select((c, i) => (c, i)).Skip(1 + skipColumns).Select(c => $"{c.c} = ${c.i + 1}"));
        string version = "$" + (columns.Length + 1).ToString(CultureInfo.InvariantCulture);
        string where = $"{columns[0]} = $1 AND row_version = {version}" + (extraPredicate is null ? "" : $" AND {extraPredicate}");
        return $"UPDATE {table} SET {set}, row_version = row_version + 1 WHERE {where} RETURNING {string.Join(", ", returning ?? columns)}, row_version";
    }

    /// <summary>
    /// Runs a <see cref="VersionedUpdate"/>. No row changed means no such row (a constraint error), a row whose identity
    /// would change (a constraint error), or another writer's committed update since the caller's read (a conflict:
    /// under READ COMMITTED the statement waited for that writer's lock and re-checked the version on its row).
    /// </summary>
    private async ValueTask<T> UpdateVersionedAsync<T>(
        string sql, object?[] values, long version, Func<NpgsqlDataReader, T> read, string table, string key, string entity, string id,
        string identity = "its identity would change")
    {
        List<T> rows = await QueryAsync(sql, read, [.. values, version]);
        if (rows.Count == 1)
        {
            return rows[0];
        }

        object? stored = await ScalarAsync($"SELECT row_version FROM {table} WHERE {key} = $1", values[0]);
        if (stored is not long storedVersion)
        {
            throw new CatalogConstraintException($"The {entity} row {id} does not exist.");
        }

        if (storedVersion == version)
        {
            throw new CatalogConstraintException($"The {entity} row {id} cannot be written: {identity}.");
        }

        _catalog.Contention.Lost(table, values[0]!);
        throw new CatalogConflictException(entity, id, version);
    }

    /// <summary>The row lock clause for a read by key of a row that recently lost a race (<see cref="ContendedRows"/>), else nothing.</summary>
    private string LockIfHot(string table, object key) => _catalog.Contention.IsHot(table, key) ? " FOR NO KEY UPDATE" : "";

    /// <summary>
    /// After a row was inserted with an id of its own (a rebuild from tape), moves the sequence past it so that no later
    /// allocation hands the id out again. Sequences are not transactional: an allocation racing this one between the read
    /// and <c>setval</c> could be handed an id again, which the primary key then refuses — never a silent reuse.
    /// </summary>
    private async ValueTask KeepSequenceAheadAsync(string sequence, long id) =>
        _ = await ScalarAsync($"""
            SELECT setval('{sequence}', $1) FROM {sequence}
            WHERE $1 > CASE WHEN is_called THEN last_value ELSE last_value - 1 END
            """, id);

    private static string Placeholders(int n) => string.Join(", ", Enumerable.Range(1, n).Select(i => "$" + i.ToString(CultureInfo.InvariantCulture)));
}

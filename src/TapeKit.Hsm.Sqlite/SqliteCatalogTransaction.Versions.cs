using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    /// <summary>
    /// One conditional update of a versioned row: every column but the key (and <paramref name="skipColumns"/> more)
    /// is written, <c>row_version</c> moves on by one, and the statement applies only to the version the caller read.
    /// No row changed means either no such row (a constraint error) or another writer's update in between (a conflict).
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key column, bound as <c>$p0</c>.</param>
    /// <param name="columns">The row's columns in the order of <paramref name="values"/>, the key first.</param>
    /// <param name="values">The values bound as <c>$p0</c>…<c>$pN</c>.</param>
    /// <param name="version">The version the caller read.</param>
    /// <param name="entity">The entity's name for errors.</param>
    /// <param name="id">The entity's id for errors.</param>
    /// <param name="extraPredicate">A further condition, or <see langword="null"/>.</param>
    /// <param name="skipColumns">Columns after the key that are part of the identity and never written.</param>
    private void UpdateVersioned(
        string table, string key, string columns, (string, object?)[] values, long version, string entity, string id,
        string? extraPredicate = null, int skipColumns = 0)
    {
        string[] names = columns.Split(',', StringSplitOptions.TrimEntries);
        string set = string.Join(", ", names.Select((col, i) => (col, i)).Skip(1 + skipColumns).Select(c => $"{c.col} = $p{c.i}"));
        string where = $"{key} = $p0 AND row_version = $version" + (extraPredicate is null ? "" : $" AND {extraPredicate}");
        int changed = Execute($"UPDATE {table} SET {set}, row_version = row_version + 1 WHERE {where}", [.. values, ("$version", version)]);
        if (changed == 1)
        {
            return;
        }

        if (Scalar($"SELECT row_version FROM {table} WHERE {key} = $p0", values[0]) is not long stored)
        {
            throw new CatalogConstraintException($"The {entity} row {id} does not exist.");
        }

        if (stored == version)
        {
            throw new CatalogConstraintException($"The {entity} row {id} cannot change its identity ({extraPredicate}).");
        }

        throw new CatalogConflictException(entity, id, version);
    }

    /// <summary>The next value of a named sequence: ids are never reused, and never read as <c>MAX + 1</c>.</summary>
    /// <param name="name">The sequence (<c>file_id</c>, <c>aggregation_id</c>).</param>
    private long NextSequenceValue(string name)
    {
        Live();
        return (long)Scalar("UPDATE sequences SET value = value + 1 WHERE name = $n RETURNING value", ("$n", name))!;
    }
}

using Microsoft.Data.Sqlite;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// One prepared <c>INSERT</c> into one table: values are bound by column name, then <see cref="Insert"/> runs the statement.
/// Prepared once per transaction so that millions of rows cost one parse.
/// </summary>
internal sealed class TableInserter : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly Dictionary<string, SqliteParameter> _byColumn = new(StringComparer.Ordinal);

    public TableInserter(SqliteConnection connection, string table, IReadOnlyList<string> columns)
    {
        _command = connection.CreateCommand();
        _command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        for (int i = 0; i < columns.Count; i++)
        {
            _byColumn[columns[i]] = _command.Parameters.Add(new SqliteParameter($"$p{i}", DBNull.Value));
        }
    }

    /// <summary>Binds a column's value for the next row (<see langword="null"/> is SQL NULL).</summary>
    public object? this[string column]
    {
        set => _byColumn[column].Value = value ?? DBNull.Value;
    }

    /// <summary>The transaction the next rows go in (a new one per batch).</summary>
    public SqliteTransaction? Transaction
    {
        set
        {
            _command.Transaction = value;
            _command.Prepare();
        }
    }

    public void Insert() => _command.ExecuteNonQuery();

    public void Dispose() => _command.Dispose();
}

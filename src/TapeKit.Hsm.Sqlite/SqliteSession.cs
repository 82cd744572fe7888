using Microsoft.Data.Sqlite;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// One open connection of a <see cref="SqliteHsmStore"/> with the statements compiled on it, kept between transactions
/// (the store lends it to one transaction at a time): each SQL text is parsed once per connection, not once per run
/// (compiling a statement costs more than running it). The cache is bounded: when a transaction ends with more than
/// <see cref="MaxStatements"/> texts cached (ids spelled into <c>IN</c> lists make new ones), the least recently used
/// are finalised.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    /// <summary>The most statements kept once a transaction has ended.</summary>
    internal const int MaxStatements = 256;

    private readonly Dictionary<string, Entry> _statements = new(StringComparer.Ordinal);
    private long _uses;

    public SqliteSession(SqliteConnection connection) => Connection = connection;

    /// <summary>The open connection.</summary>
    public SqliteConnection Connection { get; }

    /// <summary>The statements cached (for tests).</summary>
    internal int StatementCount => _statements.Count;

    /// <summary>
    /// The compiled command of <paramref name="sql"/> in <paramref name="txn"/> with <paramref name="args"/> bound (a
    /// parameter the text does not name is left out). The command belongs to the session: run it, dispose its reader,
    /// never dispose the command.
    /// </summary>
    /// <param name="sql">The statement text (several statements are allowed).</param>
    /// <param name="txn">The connection's current transaction, or <see langword="null"/> (a statement of its own).</param>
    /// <param name="args">Parameter names and values; <see langword="null"/> binds SQL <c>NULL</c>.</param>
    /// <param name="created">Whether the command was created (not yet compiled) by this call.</param>
    public SqliteCommand Command(string sql, SqliteTransaction? txn, (string Name, object? Value)[] args, out bool created)
    {
        _uses++;
        if (_statements.TryGetValue(sql, out Entry? entry))
        {
            entry.LastUse = _uses;
            entry.Command.Transaction = txn;
            if (!Rebind(entry.Command.Parameters, args))
            {
                entry.Command.Parameters.Clear();
                Bind(entry.Command.Parameters, sql, args);
            }

            created = false;
            return entry.Command;
        }

        SqliteCommand cmd = Connection.CreateCommand();
        cmd.Transaction = txn;
        cmd.CommandText = sql;
        Bind(cmd.Parameters, sql, args);
        _statements[sql] = new Entry(cmd) { LastUse = _uses };
        created = true;
        return cmd;
    }

    /// <summary>Forgets a command whose compilation failed, so that the text is compiled anew next time.</summary>
    /// <param name="sql">The statement text.</param>
    public void Forget(string sql)
    {
        if (_statements.Remove(sql, out Entry? entry))
        {
            entry.Command.Dispose();
        }
    }

    /// <summary>Finalises the least recently used statements beyond <see cref="MaxStatements"/>; call between transactions only.</summary>
    public void Trim()
    {
        if (_statements.Count <= MaxStatements)
        {
            return;
        }

        foreach (KeyValuePair<string, Entry> old in _statements.OrderBy(s => s.Value.LastUse).Take(_statements.Count - (MaxStatements / 2)).ToList())
        {
            old.Value.Command.Dispose();
            _statements.Remove(old.Key);
        }
    }

    /// <summary>Finalises every statement and closes the connection.</summary>
    public void Dispose()
    {
        foreach (Entry entry in _statements.Values)
        {
            entry.Command.Dispose();
        }

        _statements.Clear();
        Connection.Dispose();
    }

    private static void Bind(SqliteParameterCollection parameters, string sql, (string Name, object? Value)[] args)
    {
        foreach ((string name, object? value) in args)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }
    }

    /// <summary>Sets the values of a cached command's parameters; false when the arguments do not bind every one of them.</summary>
    private static bool Rebind(SqliteParameterCollection parameters, (string Name, object? Value)[] args)
    {
        int bound = 0;
        int next = 0;
        foreach ((string name, object? value) in args)
        {
            int i = next < parameters.Count && string.Equals(parameters[next].ParameterName, name, StringComparison.Ordinal) ? next : parameters.IndexOf(name);
            if (i < 0)
            {
                // Left out when the command was made: the text does not name it.
                continue;
            }

            parameters[i].Value = value ?? DBNull.Value;
            bound++;
            next = i + 1;
        }

        return bound == parameters.Count;
    }

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public long LastUse { get; set; }
    }
}

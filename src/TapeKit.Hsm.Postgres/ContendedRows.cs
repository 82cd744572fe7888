using System.Collections.Concurrent;
using System.Globalization;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Rows that recently lost an optimistic race in this process. For a short while, a transaction that reads one of them
/// by its key takes its row lock (<c>FOR NO KEY UPDATE</c>), so that the writers of a hot row queue behind each other
/// and each reads the version it will write, instead of all but one failing with a conflict, running again and failing
/// again. Cold rows stay optimistic: a read takes no lock and writes nothing. Correctness never depends on this (every
/// write is still conditional on the version read); only how many attempts a hot row costs does.
/// </summary>
/// <remarks>Contention is real time, not catalogue time: the window is measured on the wall clock, like the unit of work's back-off.</remarks>
internal sealed class ContendedRows
{
    /// <summary>How long a row is read with its lock after its last lost race.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>At most this many rows are remembered; beyond it the expired ones are dropped, then all.</summary>
    private const int MaxTracked = 4096;

    private readonly ConcurrentDictionary<(string Table, string Key), long> _lockedUntil = new();

    /// <summary>Records that a conditional write of a row lost to another writer.</summary>
    /// <param name="table">The row's table.</param>
    /// <param name="key">The row's key.</param>
    public void Lost(string table, object key)
    {
        if (_lockedUntil.Count >= MaxTracked)
        {
            DropExpired();
        }

        _lockedUntil[(table, KeyText(key))] = Environment.TickCount64 + (long)Window.TotalMilliseconds;
    }

    /// <summary>Whether a read of the row should take its lock.</summary>
    /// <param name="table">The row's table.</param>
    /// <param name="key">The row's key.</param>
    public bool IsHot(string table, object key)
    {
        (string, string) row = (table, KeyText(key));
        if (!_lockedUntil.TryGetValue(row, out long until))
        {
            return false;
        }

        if (until > Environment.TickCount64)
        {
            return true;
        }

        _ = _lockedUntil.TryRemove(new KeyValuePair<(string, string), long>(row, until));
        return false;
    }

    private void DropExpired()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<(string Table, string Key), long> entry in _lockedUntil)
        {
            if (entry.Value <= now)
            {
                _ = _lockedUntil.TryRemove(entry);
            }
        }

        if (_lockedUntil.Count >= MaxTracked)
        {
            _lockedUntil.Clear();
        }
    }

    private static string KeyText(object key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
}

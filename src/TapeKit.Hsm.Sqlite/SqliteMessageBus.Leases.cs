using Microsoft.Data.Sqlite;

namespace TapeKit.Hsm.Sqlite;

public sealed partial class SqliteMessageBus
{
    /// <inheritdoc />
    public async ValueTask<int> ReleaseLeasesAsync(Func<string, bool> isDeadConsumer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isDeadConsumer);
        var woken = new HashSet<string>(StringComparer.Ordinal);
        int released = 0;
        using (IDisposable _ = await _store.EnterWriterAsync(ct))
        {
            using SqliteConnection c = _store.Open();
            using SqliteTransaction txn = c.BeginTransaction(deferred: false);
            long now = _store.NowMs();
            var owners = new List<string>();
            using (SqliteCommand read = c.CreateCommand())
            {
                read.Transaction = txn;
                read.CommandText = "SELECT DISTINCT lease_owner FROM queue_messages WHERE lease_owner IS NOT NULL AND dead_reason IS NULL AND lease_until > $now";
                read.Parameters.AddWithValue("$now", now);
                using SqliteDataReader r = read.ExecuteReader();
                while (r.Read())
                {
                    owners.Add(r.GetString(0));
                }
            }

            using SqliteCommand release = c.CreateCommand();
            release.Transaction = txn;
            release.CommandText = """
                UPDATE queue_messages SET lease_owner = NULL, lease_token = NULL, lease_until = NULL, visible_at = MIN(visible_at, $now)
                WHERE lease_owner = $owner AND dead_reason IS NULL
                RETURNING queue
                """;
            release.Parameters.AddWithValue("$now", now);
            SqliteParameter owner = release.Parameters.Add("$owner", SqliteType.Text);
            foreach (string dead in owners.Where(isDeadConsumer))
            {
                owner.Value = dead;
                using SqliteDataReader r = release.ExecuteReader();
                while (r.Read())
                {
                    woken.Add(r.GetString(0));
                    released++;
                }
            }

            txn.Commit();
        }

        foreach (string q in woken)
        {
            _store.Wake(q);
        }

        return released;
    }
}

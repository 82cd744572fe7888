using Npgsql;

namespace TapeKit.Hsm.Postgres;

public sealed partial class PostgresMessageBus
{
    /// <inheritdoc />
    public async ValueTask<int> ReleaseLeasesAsync(Func<string, bool> isDeadConsumer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isDeadConsumer);
        DateTimeOffset now = Now();
        var owners = new List<string>();
        try
        {
            await using NpgsqlCommand read = Command(
                "SELECT DISTINCT lease_owner FROM queue_messages WHERE lease_owner IS NOT NULL AND dead_reason IS NULL AND lease_until > $1", now);
            await using NpgsqlDataReader r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                owners.Add(r.GetString(0));
            }
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }

        string[] dead = [.. owners.Where(isDeadConsumer)];
        if (dead.Length == 0)
        {
            return 0;
        }

        var woken = new HashSet<string>(StringComparer.Ordinal);
        int released = 0;
        try
        {
            await using NpgsqlCommand release = Command("""
                UPDATE queue_messages SET lease_owner = NULL, lease_token = NULL, lease_until = NULL, visible_at = LEAST(visible_at, $2)
                WHERE lease_owner = ANY($1) AND dead_reason IS NULL
                RETURNING queue
                """, dead, now);
            await using NpgsqlDataReader r = await release.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                woken.Add(r.GetString(0));
                released++;
            }
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }

        await NotifyAsync(woken, ct);
        return released;
    }
}

using System.Globalization;
using Npgsql;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Applies <see cref="PostgresSchema.Migrations"/>: each step in its own transaction with its <c>schema_version</c> row,
/// under a transaction-scoped advisory lock keyed by the schema name, so hosts that start together wait for one another
/// and apply each step once. PostgreSQL's DDL is transactional: a step either happens whole or not at all.
/// </summary>
/// <remarks>
/// Back the database up (<c>pg_dump</c>, or the site's base backup and WAL archive) before upgrading TapeKit across a
/// schema version: migrations are forward-only.
/// </remarks>
internal static class PostgresMigrator
{
    /// <summary>Creates the schema if needed and applies the missing migrations.</summary>
    /// <param name="dataSource">The catalogue's data source (its search path is the schema).</param>
    /// <param name="schema">The schema.</param>
    /// <param name="storeName">The store's name for messages.</param>
    /// <param name="ct">Cancels between steps.</param>
    /// <returns>The schema version now.</returns>
    public static async ValueTask<int> MigrateAsync(NpgsqlDataSource dataSource, string schema, string storeName, CancellationToken ct)
    {
        await using NpgsqlConnection c = await dataSource.OpenConnectionAsync(ct);
        while (true)
        {
            await using NpgsqlTransaction txn = await c.BeginTransactionAsync(ct);
            await ExecuteAsync(c, txn, "SELECT pg_advisory_xact_lock(hashtextextended('tapekit.hsm.migrate:' || $1, 0))", ct, schema);
            // Created only when missing: a role that may use the catalogue but not create in the database opens it too.
            if (!await ExistsAsync(c, txn, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", ct, schema))
            {
                await ExecuteAsync(c, txn, $"CREATE SCHEMA {PostgresCatalog.QuoteIdentifier(schema)}", ct);
            }

            if (!await ExistsAsync(c, txn, "SELECT to_regclass('schema_version') IS NOT NULL", ct))
            {
                await ExecuteAsync(c, txn, PostgresSchema.VersionTable, ct);
            }

            int version;
            await using (var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", c, txn))
            {
                version = Convert.ToInt32(await read.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            }

            if (version > PostgresSchema.LatestVersion)
            {
                throw new PostgresSchemaException(
                    $"The catalogue {storeName} has schema version {version}, newer than the {PostgresSchema.LatestVersion} this build writes: upgrade TapeKit.");
            }

            if (version == PostgresSchema.LatestVersion)
            {
                await txn.CommitAsync(ct);
                return version;
            }

            foreach (string statement in PostgresSchema.Migrations[version])
            {
                await ExecuteAsync(c, txn, statement, ct);
            }

            await ExecuteAsync(c, txn, "INSERT INTO schema_version (version) VALUES ($1)", ct, version + 1);
            await txn.CommitAsync(ct);
        }
    }

    private static async ValueTask<bool> ExistsAsync(NpgsqlConnection c, NpgsqlTransaction txn, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c, txn);
        foreach (object arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    private static async ValueTask ExecuteAsync(NpgsqlConnection c, NpgsqlTransaction txn, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c, txn);
        foreach (object arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        await cmd.ExecuteNonQueryAsync(ct);
    }
}

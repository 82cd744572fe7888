using Npgsql;
using TapeKit.Hsm.Postgres;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// A throwaway database on the PostgreSQL server named by <c>TAPEKIT_POSTGRES</c> (an Npgsql connection string of a role
/// that may create databases), created for one test class and dropped after it; each test opens its catalogue in a
/// schema of its own. Without the variable the tests that need it are skipped with the reason — except when
/// <c>CI=true</c>, where they fail: <c>.ci/run</c> starts a server and sets the variable.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    /// <summary>The environment variable that names the server.</summary>
    public const string Variable = "TAPEKIT_POSTGRES";

    /// <summary>Why the tests are skipped.</summary>
    public const string NotConfigured = "PostgreSQL not configured: set TAPEKIT_POSTGRES";

    private static readonly string? Server = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    private readonly string _name = $"tapekit_test_{Guid.NewGuid():N}";

    /// <summary>The throwaway database's connection string, once created.</summary>
    private string? _connectionString;

    /// <summary>The throwaway database's connection string; skips the test (fails it when <c>CI=true</c>) without a server.</summary>
    public string ConnectionString => _connectionString ?? throw Unconfigured();

    public async Task InitializeAsync()
    {
        if (Server is null)
        {
            return;
        }

        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _name }.ToString();
    }

    /// <summary>Opens a catalogue in a new schema of the database.</summary>
    /// <param name="time">The catalogue's clock.</param>
    public ValueTask<PostgresCatalog> OpenCatalogAsync(TimeProvider time) =>
        PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = ConnectionString, Schema = NewSchemaName() }, time);

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchemaName() => $"t_{Guid.NewGuid():N}";

    /// <summary>Opens a plain connection to the database (for what a test does behind the catalogue's back).</summary>
    public async ValueTask<NpgsqlConnection> OpenConnectionAsync()
    {
        var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        // FORCE ends the connections that pools still hold. Right after a server restart, or with a connection this role
        // may not end, the drop can be refused: the database is then left for the next run (.ci/run drops every
        // tapekit_test_ database before the tests), never a failure of the tests that used it.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(Server);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (NpgsqlException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Restarts the PostgreSQL cluster that serves <c>TAPEKIT_POSTGRES</c> (Debian's <c>pg_ctlcluster</c>, found by its
    /// port in <c>pg_lsclusters</c>): every connection drops, committed rows stay. Returns once the server accepts
    /// connections again.
    /// </summary>
    public static async Task RestartServerAsync()
    {
        string server = Server ?? throw Unconfigured();
        int port = new NpgsqlConnectionStringBuilder(server).Port;
        string clusters = await ServerCommand.RunAsync("pg_lsclusters", "-h");
        string[] cluster = clusters.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(fields => fields.Length > 2 && fields[2] == port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            ?? throw ServerCommand.Unavailable($"pg_lsclusters lists no cluster on port {port}");
        _ = await ServerCommand.RunAsync("pg_ctlcluster", cluster[0], cluster[1], "restart");
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await using var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
                await probe.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (attempt < 120)
            {
                await Task.Delay(250);
            }
        }
    }

    private static Exception Unconfigured() => Environment.GetEnvironmentVariable("CI") == "true"
        ? new InvalidOperationException($"{NotConfigured}. With CI=true the PostgreSQL tests never skip: .ci/run starts a server and sets it.")
        : new SkipException(NotConfigured);
}

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

/// <summary>The SQLite store's sessions: connections lent to one transaction at a time with their compiled statements.</summary>
public sealed class SqliteSessionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private ValueTask<SqliteHsmStore> OpenAsync() => SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = _dir.File("s.db") }, _time);

    [Fact]
    public async Task A_statement_compiled_in_one_transaction_is_kept_for_the_next_on_the_same_connection()
    {
        await using SqliteHsmStore store = await OpenAsync();
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            Assert.Null(await txn.GetFileAsync(42));
            await txn.CommitAsync();
        }

        SqliteSession session = store.RentSession();
        try
        {
            Assert.True(session.StatementCount > 0);
            int before = session.StatementCount;
            store.ReturnSession(session, reusable: true);
            await using (ICatalogTransaction again = await store.Catalog.BeginAsync())
            {
                Assert.Null(await again.GetFileAsync(43));
            }

            session = store.RentSession();
            Assert.Equal(before, session.StatementCount);
        }
        finally
        {
            store.ReturnSession(session, reusable: true);
        }
    }

    [Fact]
    public async Task A_cached_command_is_bound_anew_each_run_nulls_included()
    {
        await using SqliteHsmStore store = await OpenAsync();
        SqliteSession session = store.RentSession();
        try
        {
            using SqliteTransaction txn = session.Connection.BeginTransaction();
            const string sql = "SELECT coalesce($a, 'none') || '/' || coalesce($b, 'none')";
            Assert.Equal("1/2", session.Command(sql, txn, [("$a", 1L), ("$b", 2L)], out bool created).ExecuteScalar());
            Assert.True(created);
            Assert.Equal("none/3", session.Command(sql, txn, [("$a", null), ("$b", 3L)], out created).ExecuteScalar());
            Assert.False(created);
            // The arguments in another order, and one the text does not name.
            Assert.Equal("5/4", session.Command(sql, txn, [("$b", 4L), ("$unused", 9L), ("$a", 5L)], out _).ExecuteScalar());
            Assert.Equal(1, session.StatementCount);
        }
        finally
        {
            store.ReturnSession(session, reusable: false);
        }
    }

    [Fact]
    public async Task A_cached_command_not_given_all_its_parameters_is_refused_rather_than_run_with_stale_values()
    {
        await using SqliteHsmStore store = await OpenAsync();
        SqliteSession session = store.RentSession();
        try
        {
            using SqliteTransaction txn = session.Connection.BeginTransaction();
            const string sql = "SELECT $a + $b";
            Assert.Equal(3L, session.Command(sql, txn, [("$a", 1L), ("$b", 2L)], out _).ExecuteScalar());
            SqliteCommand partial = session.Command(sql, txn, [("$a", 10L)], out _);
            Assert.Throws<InvalidOperationException>(() => partial.ExecuteScalar());
        }
        finally
        {
            store.ReturnSession(session, reusable: false);
        }
    }

    [Fact]
    public async Task Trimming_keeps_the_most_recently_used_statements_within_the_bound()
    {
        await using SqliteHsmStore store = await OpenAsync();
        SqliteSession session = store.RentSession();
        try
        {
            using (SqliteTransaction txn = session.Connection.BeginTransaction())
            {
                for (int i = 0; i <= SqliteSession.MaxStatements; i++)
                {
                    _ = session.Command($"SELECT {i}", txn, [], out _).ExecuteScalar();
                }

                Assert.Equal(SqliteSession.MaxStatements + 1, session.StatementCount);
            }

            session.Trim();
            Assert.Equal(SqliteSession.MaxStatements / 2, session.StatementCount);
            using SqliteTransaction next = session.Connection.BeginTransaction();
            _ = session.Command($"SELECT {SqliteSession.MaxStatements}", next, [], out bool created);
            Assert.False(created);
            _ = session.Command("SELECT 0", next, [], out created);
            Assert.True(created);
        }
        finally
        {
            store.ReturnSession(session, reusable: false);
        }
    }

    [Fact]
    public async Task A_rolled_back_transaction_leaves_its_connection_usable_and_a_disposed_store_closes_its_sessions()
    {
        SqliteHsmStore store = await OpenAsync();
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            _ = await txn.AllocateFileIdAsync();
        }

        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            // The allocation above was rolled back: the sequence starts again.
            Assert.Equal(1, await txn.AllocateFileIdAsync());
            await txn.CommitAsync();
        }

        SqliteSession session = store.RentSession();
        store.ReturnSession(session, reusable: true);
        await store.DisposeAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, session.Connection.State);
        Assert.Throws<ObjectDisposedException>(() => store.RentSession());
    }
}

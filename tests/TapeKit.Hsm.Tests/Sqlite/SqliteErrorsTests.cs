using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

/// <summary>SQLite's result codes become the HSM's store errors at the adapter's edge (a full disk included).</summary>
public sealed class SqliteErrorsTests
{
    [Fact]
    public void A_full_database_is_a_full_store_that_names_the_catalogue_and_is_not_retried_at_once()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tapekit-full-{Guid.NewGuid():N}.db");
        try
        {
            // SQLite's own FULL (13): the page limit stands in for a full disk, which answers with the same code.
            SqliteException full;
            using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                c.Open();
                using SqliteCommand cmd = c.CreateCommand();
                cmd.CommandText = "CREATE TABLE t (b BLOB); PRAGMA max_page_count = 3;";
                cmd.ExecuteNonQuery();
                cmd.CommandText = "INSERT INTO t VALUES (zeroblob(65536))";
                full = Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
            }

            var e = Assert.IsType<CatalogStoreException>(SqliteErrors.Translate(full, path));

            Assert.Equal(CatalogStoreErrorKind.Full, e.Kind);
            Assert.False(e.IsTransient);
            Assert.Same(full, e.InnerException);
            Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("disk full", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_queue_locked_by_another_writer_past_the_busy_timeout_fails_as_the_catalogue_does()
    {
        // The queues share the catalogue's file: a lock held by another process must reach the queue's consumer as the
        // HSM's Busy error (transient, retried by the hosts), not as SQLite's exception.
        using var dir = new TempDirectory();
        string path = dir.File("hsm.db");
        await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(
            new SqliteHsmOptions { Path = path, BusyTimeout = TimeSpan.FromMilliseconds(100) }, TimeProvider.System);
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        other.Open();
        using (SqliteCommand lockIt = other.CreateCommand())
        {
            lockIt.CommandText = "BEGIN EXCLUSIVE";
            lockIt.ExecuteNonQuery();
        }

        var busy = await Assert.ThrowsAsync<CatalogStoreException>(async () => await store.Bus.ReceiveAsync("any-queue", new ReceiveOptions("t")));

        Assert.Equal(CatalogStoreErrorKind.Busy, busy.Kind);
        Assert.True(busy.IsTransient);
        Assert.IsType<SqliteException>(busy.InnerException);
    }

    [Fact]
    public void Other_io_errors_stay_io_errors()
    {
        var e = Assert.IsType<CatalogStoreException>(SqliteErrors.Translate(new SqliteException("disk I/O error", 10), "/x/catalogue.db"));

        Assert.Equal(CatalogStoreErrorKind.Io, e.Kind);
    }
}

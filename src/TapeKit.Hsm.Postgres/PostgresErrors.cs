using Npgsql;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Translates PostgreSQL's SQLSTATEs and Npgsql's connection errors into the HSM's exception family at the adapter's
/// edge, so that no host or tool above it decides by a PostgreSQL code
/// (https://www.postgresql.org/docs/15/errcodes-appendix.html).
/// </summary>
internal static class PostgresErrors
{
    /// <summary>
    /// Translates <paramref name="e"/>. A SQLSTATE without a catalogue meaning (a bug in a statement, such as a syntax
    /// error) stays as it is.
    /// </summary>
    /// <param name="e">Npgsql's exception.</param>
    /// <param name="store">The store, named in the message (host, database and schema).</param>
    public static Exception Translate(NpgsqlException e, string store)
    {
        if (e is not PostgresException p)
        {
            // No answer from the server: refused, reset, timed out, or the server went away mid-statement.
            return new CatalogStoreException(CatalogStoreErrorKind.Unavailable,
                $"The catalogue {store} could not be reached or the connection to it was lost: {e.Message}", e);
        }

        string code = p.SqlState;
        return code switch
        {
            PostgresErrorCodes.SerializationFailure => new CatalogStoreException(CatalogStoreErrorKind.SerializationFailure,
                $"The catalogue {store} aborted a transaction that raced another writer (serialization failure).", e),
            PostgresErrorCodes.DeadlockDetected => new CatalogStoreException(CatalogStoreErrorKind.SerializationFailure,
                $"The catalogue {store} aborted a transaction that deadlocked with another writer.", e),
            PostgresErrorCodes.LockNotAvailable => new CatalogStoreException(CatalogStoreErrorKind.Busy,
                $"A row of the catalogue {store} stayed locked by another writer longer than the lock timeout.", e),
            PostgresErrorCodes.QueryCanceled => new CatalogStoreException(CatalogStoreErrorKind.Busy,
                $"The catalogue {store} cancelled a statement that ran longer than its statement timeout.", e),
            PostgresErrorCodes.DiskFull => new CatalogStoreException(CatalogStoreErrorKind.Full,
                $"The catalogue {store} cannot be written: disk full ({p.MessageText}).", e),
            PostgresErrorCodes.DataCorrupted or PostgresErrorCodes.IndexCorrupted => new CatalogStoreException(CatalogStoreErrorKind.Corrupt,
                $"The catalogue {store} reports damaged data: {p.MessageText}", e),
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.InvalidSchemaName
                => new CatalogStoreException(CatalogStoreErrorKind.Corrupt,
                    $"The catalogue {store} is not a TapeKit HSM catalogue of this version: {p.MessageText}", e),
            _ when code.StartsWith("23", StringComparison.Ordinal) => new CatalogConstraintException(
                $"The catalogue {store} refused a write ({p.ConstraintName ?? p.MessageText}).", e),
            // Connection exceptions, the server shutting down or restarting (pg_terminate_backend is admin_shutdown),
            // and too many connections: the next attempt, on a new connection, may succeed.
            _ when code.StartsWith("08", StringComparison.Ordinal) || code.StartsWith("57P", StringComparison.Ordinal)
                || code == PostgresErrorCodes.TooManyConnections || code == PostgresErrorCodes.OutOfMemory
                => new CatalogStoreException(CatalogStoreErrorKind.Unavailable,
                    $"The catalogue {store} is unavailable ({p.MessageText}).", e),
            _ when code.StartsWith("58", StringComparison.Ordinal) => new CatalogStoreException(CatalogStoreErrorKind.Io,
                $"The catalogue {store} could not read or write its files: {p.MessageText}", e),
            _ => e,
        };
    }
}

using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// Translates SQLite's result codes into the HSM's exception family at the adapter's edge, so that no host or tool
/// above it decides by a SQLite number.
/// </summary>
internal static class SqliteErrors
{
    /// <summary><c>SQLITE_CONSTRAINT</c>: a unique, foreign-key or check constraint.</summary>
    public const int Constraint = 19;

    /// <summary><c>SQLITE_FULL</c>: the disk under the file (or the database's page limit) is full.</summary>
    public const int Full = 13;

    /// <summary>Whether <see cref="Translate"/> turns <paramref name="e"/> into one of the HSM's exceptions (a filter keeps the others' stack).</summary>
    /// <param name="e">SQLite's exception.</param>
    public static bool HasMeaning(SqliteException e) => !ReferenceEquals(Translate(e, string.Empty), e);

    /// <summary>Translates <paramref name="e"/>; a code without a catalogue meaning (a bug in a statement) stays as it is.</summary>
    /// <param name="e">SQLite's exception.</param>
    /// <param name="path">The store's file, named in the message.</param>
    public static Exception Translate(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        Constraint => new CatalogConstraintException($"The catalogue '{path}' refused a write: {e.Message}", e),
        5 or 6 => new CatalogStoreException(CatalogStoreErrorKind.Busy,
            $"The catalogue '{path}' stayed locked by another writer longer than the busy timeout.", e),
        Full => new CatalogStoreException(CatalogStoreErrorKind.Full,
            $"The catalogue '{path}' cannot be written: disk full (SQLite error {e.SqliteErrorCode}: {e.Message}); the transaction was rolled back, and writes work again once space is freed on that disk.", e),
        8 or 10 or 14 or 15 => new CatalogStoreException(CatalogStoreErrorKind.Io,
            $"The catalogue '{path}' could not be read or written (SQLite error {e.SqliteErrorCode}: {e.Message}).", e),
        11 or 26 => new CatalogStoreException(CatalogStoreErrorKind.Corrupt,
            $"The catalogue '{path}' is damaged or is not a TapeKit HSM store: {e.Message}", e),
        _ => e,
    };
}

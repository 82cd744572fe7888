using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Cli.Hsm;

/// <summary>Opens the SQLite HSM stores the <c>hsm</c> commands read (and, for an operator's retry, write).</summary>
public static class CliHsmStores
{
    /// <summary>
    /// Opens an existing store read-only (<see cref="SqliteHsmOptions.ReadOnly"/>): nothing is created, migrated or
    /// written, so a diagnostic can run next to a live HSM.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <returns>The store; dispose it.</returns>
    /// <exception cref="IOException">The file does not exist or cannot be opened (exit code 5).</exception>
    /// <exception cref="CliInvalidInputException">The file is not a TapeKit HSM store of this build's schema (exit code 3).</exception>
    public static SqliteHsmStore OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: a directory, not an HSM store.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such HSM store (the file does not exist).", path);
        }

        try
        {
            return Sync(SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, ReadOnly = true }, TimeProvider.System));
        }
        catch (SqliteSchemaException e)
        {
            throw new CliInvalidInputException(e.Message, e);
        }
        catch (CatalogStoreException e) when (e.Kind == CatalogStoreErrorKind.Corrupt)
        {
            throw new CliInvalidInputException($"{path}: not a TapeKit HSM store: {e.Message}", e);
        }
        catch (CatalogStoreException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Opens an existing store of this build's schema for writing: the schema is checked read-only first, so nothing
    /// is ever created or migrated (a migration is the HSM's own start-up's business, not an operator's command next to
    /// it). SQLite serialises the writes of the tool and of a live HSM on the same file.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <returns>The store; dispose it.</returns>
    /// <exception cref="IOException">The file does not exist or cannot be opened (exit code 5).</exception>
    /// <exception cref="CliInvalidInputException">The file is not a TapeKit HSM store of this build's schema (exit code 3).</exception>
    public static SqliteHsmStore OpenForUpdate(string path)
    {
        using (OpenReadOnly(path))
        {
        }

        try
        {
            return Sync(SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path }, TimeProvider.System));
        }
        catch (CatalogStoreException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Waits for a catalogue call (the SQLite catalogue completes synchronously; the tool has no synchronisation context).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The call.</param>
    /// <returns>Its result.</returns>
    internal static T Sync<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    /// <summary>Waits for a catalogue call.</summary>
    /// <param name="task">The call.</param>
    internal static void Sync(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}

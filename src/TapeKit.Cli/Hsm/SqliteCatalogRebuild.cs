using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Rebuild;
using TapeKit.Hsm.Sqlite;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Hsm;

/// <summary>
/// <c>tapekit catalog rebuild --db FILE.db</c>: the HSM's <see cref="CatalogRebuild"/> into a new SQLite store. This
/// class only opens the cartridges (with the CLI's progress), and writes the store beside the target, replacing the
/// file only when complete.
/// </summary>
public static class SqliteCatalogRebuild
{
    /// <summary>Scans the tapes and writes a new catalogue at <paramref name="path"/>, replacing the file only when complete.</summary>
    /// <param name="console">For warnings while mounting.</param>
    /// <param name="path">The SQLite file to write.</param>
    /// <param name="tapes">Virtual cartridge directories, in the order their copies are numbered.</param>
    /// <param name="options">Pool and disk library.</param>
    /// <param name="force">Replace a catalogue file that is not empty.</param>
    /// <param name="progress">Shows the scan of each tape; <see langword="null"/> for none.</param>
    /// <returns>The counts and what was reported.</returns>
    /// <exception cref="UnsafeOperationException">The file is a catalogue that is not empty, and <paramref name="force"/> is off (exit 4).</exception>
    public static RebuildReport Run(CliConsole console, string path, IReadOnlyList<string> tapes, RebuildOptions options, bool force, CliProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(tapes);
        ArgumentNullException.ThrowIfNull(options);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"--db {path}: a directory, not a catalogue file.");
        }

        if (!force && File.Exists(full) && !IsEmptyCatalog(full))
        {
            throw new UnsafeOperationException($"--db {path}: the file exists and is not an empty catalogue; a rebuild would replace it. Give --force to replace it.", path, UnsafeOperationKind.DestinationNotEmpty);
        }

        progress ??= new CliProgress(null);
        List<ScannedTape> scanned = [.. tapes.Select(t => Scan(console, t, progress))];
        if (scanned.GroupBy(t => t.Vsn, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CliUsageException($"--tape: volume {twice.Key} is given twice.");
        }

        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
        RebuildReport report;
        try
        {
            using (SqliteHsmStore store = CliHsmStores.Sync(SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = temp, BackupBeforeMigration = false }, TimeProvider.System)))
            {
                report = CliHsmStores.Sync(new ValueTask<RebuildReport>(CatalogRebuild.RunAsync(store.Catalog, scanned, options)));
            }

            // Closing the last connection checkpoints the WAL into the file and removes it; the rename needs a whole file.
            if (File.Exists(temp + "-wal"))
            {
                throw new IOException($"{temp}: SQLite kept a write-ahead log after closing; the rebuilt catalogue is left there.");
            }

            File.Delete(full + "-wal");
            File.Delete(full + "-shm");
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            File.Delete(temp + "-wal");
            File.Delete(temp + "-shm");
            throw;
        }

        return report;
    }

    /// <summary>Whether the file is empty, or a catalogue with no file, list or tape.</summary>
    /// <param name="path">An existing file.</param>
    /// <returns><see langword="false"/> for a catalogue with rows, and for anything that is not a catalogue.</returns>
    internal static bool IsEmptyCatalog(string path)
    {
        if (new FileInfo(path).Length == 0)
        {
            return true;
        }

        try
        {
            using SqliteHsmStore store = CliHsmStores.OpenReadOnly(path);
            return CliHsmStores.Sync(new ValueTask<bool>(CatalogRebuild.IsEmptyAsync(store.Catalog)));
        }
        catch (Exception e) when (e is CliInvalidInputException or IOException or TapeKit.Hsm.HsmException)
        {
            return false;
        }
    }

    private static ScannedTape Scan(CliConsole console, string tape, CliProgress progress)
    {
        using ITapeDrive drive = progress.Counting(CliTapes.Open(console, tape, null));
        VirtualCartridgeInfo info = VirtualCartridge.ReadInfo(tape);
        AulVolume volume = AulVolume.Mount(drive, info.Vsn, LabelReadMode.Strict);
        return progress.Show($"Scanning {volume.Vsn}", null, () =>
            TapeScanner.Scan(volume, info.MediaProfile, (long)Math.Min(info.Capacity, long.MaxValue), progress.Listed));
    }
}

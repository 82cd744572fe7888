using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    private const string TapeColumns = """
        vsn, media_type, pool, library, state, label_format, block_size, last_fseq, bytes_used, capacity_estimate, mount_count,
        last_mounted_at, last_unmounted_at, read_errors, write_errors, mounted_by, mount_lease_until
        """;

    public ValueTask<TapeRecord?> GetTapeAsync(string vsn) =>
        ValueTask.FromResult(QueryTapes($"SELECT {TapeColumns}, row_version FROM tapes WHERE vsn = $v", ("$v", vsn)).FirstOrDefault());

    public ValueTask InsertTapeAsync(TapeRecord tape)
    {
        Live();
        ArgumentNullException.ThrowIfNull(tape);
        try
        {
            Execute($"INSERT INTO tapes ({TapeColumns}) VALUES ({Placeholders(17)})", TapeValues(tape));
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"Tape {tape.Vsn} is already in the catalogue.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<TapeRecord> UpdateTapeAsync(TapeRecord tape)
    {
        Live();
        ArgumentNullException.ThrowIfNull(tape);
        // The counters (last_fseq, bytes_used) are left out of the column list: they move only in AdvanceTapeAsync.
        (string, object?)[] values = TapeValues(tape);
        UpdateVersioned("tapes", "vsn", TapeColumns.Replace("last_fseq, bytes_used, ", "", StringComparison.Ordinal),
            [.. values.Where(v => v.Item1 is not ("$p7" or "$p8")).Select((v, i) => ($"$p{i}", v.Item2))], tape.RowVersion, "tape", tape.Vsn);
        return GetTapeAsync(tape.Vsn)!;
    }

    public ValueTask<TapeRecord?> AdvanceTapeAsync(string vsn, int committedFseq, long addedBytes)
    {
        Live();
        ArgumentOutOfRangeException.ThrowIfNegative(addedBytes);
        Execute("""
            UPDATE tapes SET last_fseq = MAX(last_fseq, $f), bytes_used = bytes_used + $b,
                state = CASE state WHEN 'FREE' THEN 'FILLING' ELSE state END, row_version = row_version + 1
            WHERE vsn = $v
            """, ("$v", vsn), ("$f", committedFseq), ("$b", addedBytes));
        return GetTapeAsync(vsn);
    }

    private static (string, object?)[] TapeValues(TapeRecord t)
    {
        object?[] values =
        [
            t.Vsn, t.MediaType, t.Pool, t.Library, StateNames.Of(t.State), t.LabelFormat, t.BlockSize, t.LastFseq, t.BytesUsed, t.CapacityEstimate,
            t.MountCount, SqliteCatalog.Ms(t.LastMountedAt), SqliteCatalog.Ms(t.LastUnmountedAt), t.ReadErrors, t.WriteErrors, t.MountedBy,
            SqliteCatalog.Ms(t.MountLeaseUntil),
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    public ValueTask<IReadOnlyList<TapeRecord>> QueryTapesAsync(string? pool = null) =>
        ValueTask.FromResult<IReadOnlyList<TapeRecord>>(QueryTapes($"SELECT {TapeColumns}, row_version FROM tapes WHERE $pool IS NULL OR pool = $pool ORDER BY vsn", ("$pool", pool)));

    private List<TapeRecord> QueryTapes(string sql, params (string Name, object? Value)[] args) =>
        Translated(() => ReadTapes(sql, args));

    private List<TapeRecord> ReadTapes(string sql, (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<TapeRecord>();
        while (r.Read())
        {
            rows.Add(new TapeRecord
            {
                Vsn = r.GetString(0),
                MediaType = r.GetString(1),
                Pool = r.GetString(2),
                Library = r.GetString(3),
                State = StateNames.Parse<TapeState>(r.GetString(4)),
                LabelFormat = r.GetString(5),
                BlockSize = r.GetInt32(6),
                LastFseq = r.GetInt32(7),
                BytesUsed = r.GetInt64(8),
                CapacityEstimate = r.GetInt64(9),
                MountCount = r.GetInt32(10),
                LastMountedAt = SqliteCatalog.At(r, 11),
                LastUnmountedAt = SqliteCatalog.At(r, 12),
                ReadErrors = r.GetInt32(13),
                WriteErrors = r.GetInt32(14),
                MountedBy = SqliteCatalog.Text(r, 15),
                MountLeaseUntil = SqliteCatalog.At(r, 16),
                RowVersion = r.GetInt64(17),
            });
        }

        return rows;
    }
}

using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    private static readonly string[] TapeColumns =
    [
        "vsn", "media_type", "pool", "library", "state", "label_format", "block_size", "last_fseq", "bytes_used", "capacity_estimate",
        "mount_count", "last_mounted_at", "last_unmounted_at", "read_errors", "write_errors", "mounted_by", "mount_lease_until",
    ];

    /// <summary>The columns <see cref="UpdateTapeAsync"/> writes: all but the counters, which move only forward.</summary>
    private static readonly string[] TapeColumnsButCounters = [.. TapeColumns.Where(c => c is not ("last_fseq" or "bytes_used"))];

    private static readonly string TapeSelect = $"SELECT {string.Join(", ", TapeColumns)}, row_version FROM tapes";

    private static readonly string TapeInsert = $"""
        INSERT INTO tapes ({string.Join(", ", TapeColumns)}) VALUES ({Placeholders(TapeColumns.Length)}) ON CONFLICT DO NOTHING
        """;

    private static readonly string TapeUpdate = VersionedUpdate("tapes", TapeColumnsButCounters, returning: TapeColumns);

    public async ValueTask<TapeRecord?> GetTapeAsync(string vsn) =>
        (await QueryAsync($"{TapeSelect} WHERE vsn = $1{LockIfHot("tapes", vsn)}", ReadTape, vsn)).FirstOrDefault();

    public async ValueTask InsertTapeAsync(TapeRecord tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (await ExecuteAsync(TapeInsert, TapeValues(tape)) == 0)
        {
            throw new CatalogConstraintException($"Tape {tape.Vsn} is already in the catalogue.");
        }
    }

    public async ValueTask<TapeRecord> UpdateTapeAsync(TapeRecord tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        object?[] all = TapeValues(tape);
        object?[] values = [.. all.Where((_, i) => TapeColumns[i] is not ("last_fseq" or "bytes_used"))];
        return await UpdateVersionedAsync(TapeUpdate, values, tape.RowVersion, ReadTape, "tapes", "vsn", "tape", tape.Vsn);
    }

    public async ValueTask<TapeRecord?> AdvanceTapeAsync(string vsn, int committedFseq, long addedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(addedBytes);
        // Under READ COMMITTED a concurrent advance makes this statement wait and then apply to the newest row: GREATEST and
        // the addition see every committed advance, so the counters never move back and no bytes are lost.
        return (await QueryAsync($"""
            UPDATE tapes SET last_fseq = GREATEST(last_fseq, $2), bytes_used = bytes_used + $3,
                state = CASE state WHEN 'FREE' THEN 'FILLING' ELSE state END, row_version = row_version + 1
            WHERE vsn = $1
            RETURNING {string.Join(", ", TapeColumns)}, row_version
            """, ReadTape, vsn, committedFseq, addedBytes)).FirstOrDefault();
    }

    public async ValueTask<IReadOnlyList<TapeRecord>> QueryTapesAsync(string? pool = null) =>
        await QueryAsync($"{TapeSelect} WHERE $1::text IS NULL OR pool = $1 ORDER BY vsn", ReadTape, pool);

    private static object?[] TapeValues(TapeRecord t) =>
    [
        t.Vsn, t.MediaType, t.Pool, t.Library, StateNames.Of(t.State), t.LabelFormat, t.BlockSize, t.LastFseq, t.BytesUsed, t.CapacityEstimate,
        t.MountCount, t.LastMountedAt, t.LastUnmountedAt, t.ReadErrors, t.WriteErrors, t.MountedBy, t.MountLeaseUntil,
    ];

    private static TapeRecord ReadTape(NpgsqlDataReader r) => new()
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
        LastMountedAt = At(r, 11),
        LastUnmountedAt = At(r, 12),
        ReadErrors = r.GetInt32(13),
        WriteErrors = r.GetInt32(14),
        MountedBy = Text(r, 15),
        MountLeaseUntil = At(r, 16),
        RowVersion = r.GetInt64(17),
    };
}

using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    private const string DriveColumns = "library, drive, vsn, pool, mode, holder, request_id, lease_until, granted_at, released_at";

    private const string MountRequestColumns = "request_id, library, vsn, pool, mode, priority, requester, created_at, lease_until, bypass_remount_guard";

    public async ValueTask<IReadOnlyList<DriveRecord>> QueryDrivesAsync(string library) =>
        await QueryAsync($"SELECT {DriveColumns}, row_version FROM drives WHERE library = $1 ORDER BY drive", ReadDrive, library);

    public async ValueTask InsertDriveAsync(DriveRecord drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        // Not ON CONFLICT DO NOTHING: a cartridge in another drive must fail as loudly as a duplicate drive.
        _ = await ExecuteAsync($"INSERT INTO drives ({DriveColumns}) VALUES ({Placeholders(10)})", DriveValues(drive));
    }

    public async ValueTask<DriveRecord> UpdateDriveAsync(DriveRecord drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        // Under READ COMMITTED a concurrent update makes this statement wait and then re-check the version on the newest row.
        List<DriveRecord> rows = await QueryAsync($"""
            UPDATE drives SET vsn = $3, pool = $4, mode = $5, holder = $6, request_id = $7, lease_until = $8, granted_at = $9,
                released_at = $10, row_version = row_version + 1
            WHERE library = $1 AND drive = $2 AND row_version = $11
            RETURNING {DriveColumns}, row_version
            """, ReadDrive, [.. DriveValues(drive), drive.RowVersion]);
        if (rows.Count == 1)
        {
            return rows[0];
        }

        if (await ScalarAsync("SELECT row_version FROM drives WHERE library = $1 AND drive = $2", drive.Library, drive.Drive) is null)
        {
            throw new CatalogConstraintException($"The drive row {drive.Library}/{drive.Drive} does not exist.");
        }

        throw new CatalogConflictException("drive", $"{drive.Library}/{drive.Drive}", drive.RowVersion);
    }

    public async ValueTask InsertMountRequestAsync(MountRequestRecord request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = await ExecuteAsync($"INSERT INTO mount_requests ({MountRequestColumns}) VALUES ({Placeholders(10)})",
            request.RequestId, request.Library, request.Vsn, request.Pool, ModeName(request.Mode), (int)request.Priority, request.Requester,
            request.CreatedAt, request.LeaseUntil, request.BypassRemountGuard);
    }

    public async ValueTask<IReadOnlyList<MountRequestRecord>> QueryMountRequestsAsync(string library) =>
        await QueryAsync($"SELECT {MountRequestColumns} FROM mount_requests WHERE library = $1 ORDER BY created_at, request_id", r => new MountRequestRecord
        {
            RequestId = r.GetGuid(0),
            Library = r.GetString(1),
            Vsn = r.GetString(2),
            Pool = r.GetString(3),
            Mode = ParseMode(r.GetString(4)),
            Priority = (RequestPriority)r.GetInt32(5),
            Requester = r.GetString(6),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(7),
            LeaseUntil = r.GetFieldValue<DateTimeOffset>(8),
            BypassRemountGuard = r.GetBoolean(9),
        }, library);

    public async ValueTask<bool> RenewMountRequestAsync(Guid requestId, DateTimeOffset leaseUntil) =>
        await ExecuteAsync("UPDATE mount_requests SET lease_until = $2 WHERE request_id = $1", requestId, leaseUntil) == 1;

    public async ValueTask<bool> DeleteMountRequestAsync(Guid requestId) =>
        await ExecuteAsync("DELETE FROM mount_requests WHERE request_id = $1", requestId) == 1;

    private static object?[] DriveValues(DriveRecord d) =>
    [
        d.Library, d.Drive, d.Vsn, d.Pool, d.Mode is { } m ? ModeName(m) : null, d.Holder, d.RequestId, d.LeaseUntil, d.GrantedAt, d.ReleasedAt,
    ];

    private static DriveRecord ReadDrive(NpgsqlDataReader r) => new()
    {
        Library = r.GetString(0),
        Drive = r.GetInt32(1),
        Vsn = Text(r, 2),
        Pool = Text(r, 3),
        Mode = Text(r, 4) is { } m ? ParseMode(m) : null,
        Holder = Text(r, 5),
        RequestId = r.IsDBNull(6) ? null : r.GetGuid(6),
        LeaseUntil = At(r, 7),
        GrantedAt = At(r, 8),
        ReleasedAt = At(r, 9),
        RowVersion = r.GetInt64(10),
    };

    private static string ModeName(MountMode mode) => mode == MountMode.Write ? "WRITE" : "READ";

    private static MountMode ParseMode(string name) => name == "WRITE" ? MountMode.Write : MountMode.Read;
}

using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    private const string DriveColumns = "library, drive, vsn, pool, mode, holder, request_id, lease_until, granted_at, released_at";

    private const string MountRequestColumns = "request_id, library, vsn, pool, mode, priority, requester, created_at, lease_until, bypass_remount_guard";

    public ValueTask<IReadOnlyList<DriveRecord>> QueryDrivesAsync(string library) =>
        ValueTask.FromResult<IReadOnlyList<DriveRecord>>(Translated(() => ReadDrives(
            $"SELECT {DriveColumns}, row_version FROM drives WHERE library = $l ORDER BY drive", ("$l", library))));

    public ValueTask InsertDriveAsync(DriveRecord drive)
    {
        Live();
        ArgumentNullException.ThrowIfNull(drive);
        try
        {
            Execute($"INSERT INTO drives ({DriveColumns}) VALUES ({Placeholders(10)})", DriveValues(drive));
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"Drive {drive.Drive} of library {drive.Library} is in the catalogue already, or cartridge {drive.Vsn} is in another drive.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<DriveRecord> UpdateDriveAsync(DriveRecord drive)
    {
        Live();
        ArgumentNullException.ThrowIfNull(drive);
        int changed;
        try
        {
            changed = Execute("""
                UPDATE drives SET vsn = $p2, pool = $p3, mode = $p4, holder = $p5, request_id = $p6, lease_until = $p7, granted_at = $p8,
                    released_at = $p9, row_version = row_version + 1
                WHERE library = $p0 AND drive = $p1 AND row_version = $version
                """, [.. DriveValues(drive), ("$version", drive.RowVersion)]);
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"Cartridge {drive.Vsn} is in another drive already: a tape is mounted once at most.", e);
        }

        if (changed != 1)
        {
            if (Scalar("SELECT row_version FROM drives WHERE library = $l AND drive = $d", ("$l", drive.Library), ("$d", drive.Drive)) is null)
            {
                throw new CatalogConstraintException($"The drive row {drive.Library}/{drive.Drive} does not exist.");
            }

            throw new CatalogConflictException("drive", $"{drive.Library}/{drive.Drive}", drive.RowVersion);
        }

        return ValueTask.FromResult(drive with { RowVersion = drive.RowVersion + 1 });
    }

    public ValueTask InsertMountRequestAsync(MountRequestRecord request)
    {
        Live();
        ArgumentNullException.ThrowIfNull(request);
        object?[] values =
        [
            request.RequestId.ToString("N"), request.Library, request.Vsn, request.Pool, ModeName(request.Mode), (int)request.Priority, request.Requester,
            SqliteCatalog.Ms(request.CreatedAt), SqliteCatalog.Ms(request.LeaseUntil), request.BypassRemountGuard ? 1 : 0,
        ];
        Execute($"INSERT INTO mount_requests ({MountRequestColumns}) VALUES ({Placeholders(10)})", [.. values.Select((v, i) => ($"$p{i}", v))]);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<MountRequestRecord>> QueryMountRequestsAsync(string library) =>
        ValueTask.FromResult<IReadOnlyList<MountRequestRecord>>(Translated(() =>
        {
            SqliteCommand cmd = Command($"SELECT {MountRequestColumns} FROM mount_requests WHERE library = $l ORDER BY created_at, request_id", ("$l", library));
            using SqliteDataReader r = cmd.ExecuteReader();
            var rows = new List<MountRequestRecord>();
            while (r.Read())
            {
                rows.Add(new MountRequestRecord
                {
                    RequestId = Guid.ParseExact(r.GetString(0), "N"),
                    Library = r.GetString(1),
                    Vsn = r.GetString(2),
                    Pool = r.GetString(3),
                    Mode = ParseMode(r.GetString(4)),
                    Priority = (RequestPriority)r.GetInt32(5),
                    Requester = r.GetString(6),
                    CreatedAt = SqliteCatalog.At(r, 7)!.Value,
                    LeaseUntil = SqliteCatalog.At(r, 8)!.Value,
                    BypassRemountGuard = r.GetInt64(9) != 0,
                });
            }

            return rows;
        }));

    public ValueTask<bool> RenewMountRequestAsync(Guid requestId, DateTimeOffset leaseUntil)
    {
        Live();
        return ValueTask.FromResult(Execute("UPDATE mount_requests SET lease_until = $u WHERE request_id = $id",
            ("$u", SqliteCatalog.Ms(leaseUntil)), ("$id", requestId.ToString("N"))) == 1);
    }

    public ValueTask<bool> DeleteMountRequestAsync(Guid requestId)
    {
        Live();
        return ValueTask.FromResult(Execute("DELETE FROM mount_requests WHERE request_id = $id", ("$id", requestId.ToString("N"))) == 1);
    }

    private static (string, object?)[] DriveValues(DriveRecord d)
    {
        object?[] values =
        [
            d.Library, d.Drive, d.Vsn, d.Pool, d.Mode is { } m ? ModeName(m) : null, d.Holder, d.RequestId?.ToString("N"),
            SqliteCatalog.Ms(d.LeaseUntil), SqliteCatalog.Ms(d.GrantedAt), SqliteCatalog.Ms(d.ReleasedAt),
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    private List<DriveRecord> ReadDrives(string sql, params (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<DriveRecord>();
        while (r.Read())
        {
            rows.Add(new DriveRecord
            {
                Library = r.GetString(0),
                Drive = r.GetInt32(1),
                Vsn = SqliteCatalog.Text(r, 2),
                Pool = SqliteCatalog.Text(r, 3),
                Mode = SqliteCatalog.Text(r, 4) is { } m ? ParseMode(m) : null,
                Holder = SqliteCatalog.Text(r, 5),
                RequestId = SqliteCatalog.Text(r, 6) is { } id ? Guid.ParseExact(id, "N") : null,
                LeaseUntil = SqliteCatalog.At(r, 7),
                GrantedAt = SqliteCatalog.At(r, 8),
                ReleasedAt = SqliteCatalog.At(r, 9),
                RowVersion = r.GetInt64(10),
            });
        }

        return rows;
    }

    private static string ModeName(MountMode mode) => mode == MountMode.Write ? "WRITE" : "READ";

    private static MountMode ParseMode(string name) => name == "WRITE" ? MountMode.Write : MountMode.Read;
}

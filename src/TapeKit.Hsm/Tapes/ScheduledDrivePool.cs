using Microsoft.Extensions.Logging;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// An <see cref="ITapeDrivePool"/> whose drives are handed out by an <see cref="IDriveScheduler"/>: a session queues a
/// mount request, waits for its grant (at most <see cref="MountWait"/>), mounts on the granted drive of the
/// <see cref="VirtualLibraryDrivePool"/>, renews the drive's lease while the mount lives, and gives the lease back —
/// with the cartridge left in the drive — when the mount is disposed. Hosts on several machines sharing one library
/// and one catalogue thus never arbitrate drives themselves.
/// </summary>
public sealed partial class ScheduledDrivePool : ITapeDrivePool
{
    private readonly IDriveScheduler _scheduler;
    private readonly VirtualLibraryDrivePool _drives;
    private readonly ICatalog _catalog;
    private readonly string _requester;
    private readonly TimeSpan _renewEvery;
    private int _registered;

    /// <summary>Creates the pool.</summary>
    /// <param name="scheduler">The scheduler of the library's drives.</param>
    /// <param name="drives">The drives themselves; the scheduler's grants name drives of this pool.</param>
    /// <param name="catalog">The catalogue (tape pools of cartridges asked for by VSN alone; its clock times the waits).</param>
    /// <param name="requester">Who asks when a caller gives no request of its own (a host or worker id).</param>
    /// <param name="renewEvery">How often a granted lease is renewed; a third of the scheduler's mount lease when <see langword="null"/>.</param>
    public ScheduledDrivePool(IDriveScheduler scheduler, VirtualLibraryDrivePool drives, ICatalog catalog, string requester, TimeSpan? renewEvery = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(drives);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(requester);
        _scheduler = scheduler;
        _drives = drives;
        _catalog = catalog;
        _requester = requester;
        _renewEvery = renewEvery ?? (scheduler is DriveScheduler s ? s.Options.MountLease / 3 : TimeSpan.FromMinutes(1));
    }

    /// <summary>How long a session waits for a grant before it gives up with a busy <see cref="TapeMountException"/> (default 2 min; F14).</summary>
    public TimeSpan MountWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a session waits before asking again when the robot is behind the scheduler (a cartridge still being unloaded elsewhere).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where a drive taken out of service is reported (a warning with the reason); nowhere when <see langword="null"/>.</summary>
    public ILogger? Logger { get; init; }

    /// <inheritdoc/>
    public int Mounts => _drives.Mounts;

    /// <inheritdoc/>
    /// <remarks>Blocks the caller while the request waits (labelling tools call it).</remarks>
    public TapeMount Acquire(string vsn) => Task.Run(() => AcquireAsync(vsn).AsTask()).GetAwaiter().GetResult();

    /// <inheritdoc/>
    /// <remarks>A write request (it excludes every other session of the tape) in the tape's pool, for this pool's requester.</remarks>
    public async ValueTask<TapeMount> AcquireAsync(string vsn, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        string pool = await _catalog.ReadAsync(async txn => (await txn.GetTapeAsync(vsn))?.Pool ?? "", ct);
        return await AcquireAsync(new MountRequest { Vsn = vsn, Pool = pool, Mode = MountMode.Write, Requester = _requester }, ct);
    }

    /// <inheritdoc/>
    public async ValueTask<TapeMount> AcquireAsync(MountRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RegisterAsync(ct);
        using var wait = new CancellationTokenSource(MountWait, _catalog.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, wait.Token);
        while (true)
        {
            DriveGrant grant;
            try
            {
                grant = await _scheduler.AcquireAsync(request, linked.Token);
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TapeMountException(request.Vsn, $"No drive was granted for {request.Vsn} within {MountWait}{await OutOfServiceNoteAsync()}.", busy: true);
            }

            TapeMount mount;
            try
            {
                mount = await _drives.AcquireOnAsync(request.Vsn, grant.Drive, ct);
            }
            catch (TapeMountException e) when (e.FailedDrive == grant.Drive)
            {
                // The drive itself failed: it is taken out of service (the work and the cartridge are not blamed), and the
                // request is asked again — another drive takes it, or it waits for one until MountWait says busy.
                if (Logger is { } logger)
                {
                    LogDriveOutOfService(logger, _scheduler.Library, grant.Drive, e.Message);
                }

                _ = await _scheduler.TakeOutOfServiceAsync(grant, LoadedOn(grant.Drive), e.Message, CancellationToken.None);
                continue;
            }
            catch (Exception e)
            {
                _ = await _scheduler.ReleaseAsync(grant, LoadedOn(grant.Drive), CancellationToken.None);
                if (e is TapeMountException { Busy: true } && !linked.IsCancellationRequested)
                {
                    // The robot and the scheduler disagree (a cartridge still being unloaded, or left where the rows do not
                    // say): bring the free drives' rows to the robot's view and ask again.
                    await RegisterAsync(ct, again: true);
                    await Task.Delay(RetryDelay, _catalog.Time, linked.Token);
                    continue;
                }

                throw;
            }

            var renewal = new CancellationTokenSource();
            Task renewing = RenewWhileMountedAsync(grant, mount, renewal.Token);
            mount.OnReleased(async m =>
            {
                await renewal.CancelAsync();
                await renewing;
                renewal.Dispose();
                _ = await _scheduler.ReleaseAsync(grant, LoadedOn(m.Drive), CancellationToken.None);
            });
            return mount;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Only drives whose dismount delay is over and whose cartridge nobody waits for; each under a lease while it is unloaded.</remarks>
    public async ValueTask<IReadOnlyList<string>> DismountIdleAsync(CancellationToken ct = default)
    {
        await RegisterAsync(ct);
        var dismounted = new List<string>();
        foreach (DriveGrant grant in await _scheduler.TakeIdleForDismountAsync(_requester, ct))
        {
            bool outOfService = false;
            try
            {
                if (_drives.Drives.Contains(grant.Drive) && await _drives.DismountAsync(grant.Drive, ct) is { } vsn)
                {
                    dismounted.Add(vsn);
                }
            }
            catch (TapeLibraryException e) when (e.LibraryKind == TapeLibraryErrorKind.DriveFailed)
            {
                // The drive failed with its cartridge in it: out of service, and the other drives go on being unloaded.
                if (Logger is { } logger)
                {
                    LogDriveOutOfService(logger, _scheduler.Library, grant.Drive, e.Message);
                }

                outOfService = await _scheduler.TakeOutOfServiceAsync(grant, LoadedOn(grant.Drive), e.Message, CancellationToken.None);
            }
            finally
            {
                if (!outOfService)
                {
                    _ = await _scheduler.ReleaseAsync(grant, LoadedOn(grant.Drive), CancellationToken.None);
                }
            }
        }

        return dismounted;
    }

    /// <summary>The drive rows are brought to the robot's inventory the first time the pool is used, and when a mount finds them wrong.</summary>
    private async ValueTask RegisterAsync(CancellationToken ct, bool again = false)
    {
        if (again || Volatile.Read(ref _registered) == 0)
        {
            var loaded = _drives.Drives.ToDictionary(d => d, LoadedOn);
            await _scheduler.RegisterDrivesAsync(loaded, ct);
            Volatile.Write(ref _registered, 1);
        }
    }

    /// <summary>When drives are out of service, a clause saying which and why (the reason a request waits); empty otherwise.</summary>
    private async ValueTask<string> OutOfServiceNoteAsync()
    {
        IReadOnlyList<DriveRecord> rows = await _scheduler.GetDrivesAsync(CancellationToken.None);
        DriveRecord[] down = [.. rows.Where(d => _drives.Drives.Contains(d.Drive) && d.IsOutOfServiceAt(_catalog.Time.GetUtcNow()))];
        if (down.Length == 0)
        {
            return "";
        }

        string which = string.Join(", ", down.Select(d => $"drive {d.Drive} until {d.LeaseUntil:u}"));
        return down.Length == _drives.Drives.Count
            ? $": every drive of library {_scheduler.Library} is out of service after a failure ({which}); the work waits for one"
            : $" ({which} out of service after a failure)";
    }

    [LoggerMessage(1, LogLevel.Warning, "Drive {Drive} of library {Library} failed and is taken out of service; its sessions go to the other drives: {Reason}")]
    private static partial void LogDriveOutOfService(ILogger logger, string library, int drive, string reason);

    /// <summary>What the robot says is in a drive: the truth the scheduler's row is brought back to on release.</summary>
    private string? LoadedOn(int drive) => _drives.Library.Inventory().Drives.Where(d => d.Drive == drive).Select(d => d.Vsn).FirstOrDefault();

    private async Task RenewWhileMountedAsync(DriveGrant grant, TapeMount mount, CancellationToken stop)
    {
        DateTimeOffset leaseUntil = grant.LeaseUntil;
        while (true)
        {
            try
            {
                await Task.Delay(_renewEvery, _catalog.Time, stop);
                if (await _scheduler.RenewAsync(grant, stop) is not { } renewed)
                {
                    // Taken back (the lease ran out, or the holder's process was fenced): the running drive call finishes,
                    // the next one fails, and the release changes nothing.
                    mount.Revoke($"the scheduler took drive {grant.Drive} back: its lease was lost");
                    return;
                }

                leaseUntil = renewed.LeaseUntil;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return; // The mount was disposed.
            }
            catch (HsmException) when (_catalog.Time.GetUtcNow() < leaseUntil)
            {
                // The catalogue did not answer; the lease still runs, and the next renewal may get through.
            }
            catch (HsmException e)
            {
                // The lease ran out while the catalogue was away: the scheduler may hand the drive to someone else.
                mount.Revoke($"drive {grant.Drive}'s lease ran out while the catalogue was unreachable ({e.Message})");
                return;
            }
        }
    }
}

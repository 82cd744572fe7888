using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// The <see cref="IDriveScheduler"/> over the catalogue: drive rows and mount requests are catalogue rows, every
/// decision is made in one catalogue transaction and written with conditional updates, so any number of schedulers in
/// any number of processes may run passes at once — a pass that lost a race is run again from fresh reads. Time comes
/// from the catalogue's clock.
/// </summary>
/// <remarks>
/// Order of service: priority (highest first), then the tape pool whose last grant is oldest (a pool never served goes
/// first; round robin between pools of equal priority), then the oldest request. A request for a cartridge that is in a
/// free drive takes that drive (no mount). Otherwise it takes an empty drive, else a drive whose cartridge finished its
/// dismount delay, else — rather than let it wait for a cartridge nobody asked for — the drive idle longest.
/// </remarks>
public sealed class DriveScheduler : IDriveScheduler
{
    private readonly ICatalog _catalog;
    private readonly DriveSchedulerOptions _options;
    private long _guardBlocked;
    private long _guardBypassed;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="catalog">The catalogue holding the drive rows and requests; its clock is the scheduler's.</param>
    /// <param name="options">The settings; the defaults of <see cref="DriveSchedulerOptions"/> when <see langword="null"/>.</param>
    public DriveScheduler(ICatalog catalog, DriveSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _options = options ?? new DriveSchedulerOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.Library, nameof(options));
        if (_options.RequestLease <= _options.PollInterval || _options.MountLease <= TimeSpan.Zero)
        {
            throw new ArgumentException("A request's lease must be longer than the poll interval, and the mount lease positive.", nameof(options));
        }
    }

    /// <summary>The audit entity name of drive state changes (the entity id is <c>library/drive</c>).</summary>
    public const string DriveEntity = "drive";

    /// <inheritdoc/>
    public string Library => _options.Library;

    /// <summary>The settings.</summary>
    public DriveSchedulerOptions Options => _options;

    /// <summary>How often this scheduler's passes held a read request back by the remount guard.</summary>
    public long RemountGuardBlocked => Interlocked.Read(ref _guardBlocked);

    /// <summary>How often this scheduler's passes mounted a tape within its remount guard (urgent or bypassing request).</summary>
    public long RemountGuardBypassed => Interlocked.Read(ref _guardBypassed);

    /// <inheritdoc/>
    public ValueTask RegisterDrivesAsync(IReadOnlyDictionary<int, string?> drives, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(drives);
        return _catalog.RunAsync(async txn =>
        {
            List<DriveRecord> known = [.. await txn.QueryDrivesAsync(Library)];
            foreach ((int drive, string? vsn) in drives.OrderBy(d => d.Key))
            {
                int row = known.FindIndex(d => d.Drive == drive);
                if (row >= 0 && ((known[row].IsLeasedAt(txn.Now) && !known[row].IsOutOfServiceAt(txn.Now)) || known[row].Vsn == vsn))
                {
                    continue; // whoever holds a drive moves its cartridge; the scheduler's view of it is theirs
                }

                // A drive out of service has no session moving its cartridge: the robot's view is the truth (a cartridge an
                // operator took out of the failed drive, or one put back in its slot when the library started again).

                // A cartridge the catalogue places in another drive is left out: the drive it is really in says so in turn.
                string? placed = vsn is not null && known.Any(d => d.Vsn == vsn && d.Drive != drive) ? null : vsn;
                try
                {
                    if (row < 0)
                    {
                        var added = new DriveRecord { Library = Library, Drive = drive, Vsn = placed, ReleasedAt = placed is null ? null : txn.Now };
                        await txn.InsertDriveAsync(added);
                        known.Add(added);
                    }
                    else if (known[row].Vsn != placed)
                    {
                        known[row] = await txn.UpdateDriveAsync(known[row] with { Vsn = placed, ReleasedAt = txn.Now });
                    }
                }
                catch (CatalogConstraintException)
                {
                    // Another host registered it since this one read the rows: run again and keep its row.
                    throw new CatalogConflictException("drive", $"{Library}/{drive}", 0);
                }
            }
        }, ct);
    }

    /// <inheritdoc/>
    public async ValueTask<Guid> EnqueueAsync(MountRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Vsn);
        ArgumentException.ThrowIfNullOrEmpty(request.Requester);
        var id = Guid.NewGuid();
        await _catalog.RunAsync(txn => txn.InsertMountRequestAsync(new MountRequestRecord
        {
            RequestId = id,
            Library = Library,
            Vsn = request.Vsn,
            Pool = request.Pool,
            Mode = request.Mode,
            Priority = request.Priority,
            Requester = request.Requester,
            CreatedAt = txn.Now,
            LeaseUntil = txn.Now + _options.RequestLease,
            BypassRemountGuard = request.BypassRemountGuard,
        }), ct);
        return id;
    }

    /// <inheritdoc/>
    public ValueTask<DriveGrant?> PollAsync(Guid requestId, CancellationToken ct = default) =>
        _catalog.RunAsync(async txn =>
        {
            if (await GrantOfAsync(txn, requestId) is { } granted)
            {
                return granted;
            }

            if (!await txn.RenewMountRequestAsync(requestId, txn.Now + _options.RequestLease))
            {
                // Read committed (PostgreSQL): another process's scheduling round may have granted the request, which takes it
                // out of the queue, between the look for a grant above and the renewal. Its grant is visible now; missing
                // it failed the session's mount and left the drive leased to nobody until the grant's lease ran out.
                return await GrantOfAsync(txn, requestId)
                    ?? throw new TapeMountException("", $"Mount request {requestId:N} is no longer queued: it was cancelled, or its lease expired.");
            }

            _ = await ScheduleInAsync(txn);
            return await GrantOfAsync(txn, requestId);
        }, ct);

    /// <inheritdoc/>
    public async ValueTask<DriveGrant> AcquireAsync(MountRequest request, CancellationToken ct = default)
    {
        Guid id = await EnqueueAsync(request, ct);
        try
        {
            while (true)
            {
                if (await PollAsync(id, ct) is { } grant)
                {
                    return grant;
                }

                await Task.Delay(_options.PollInterval, _catalog.Time, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // Withdrawn whatever the caller's token says; a grant made meanwhile is given back at once.
            if (!await CancelAsync(id, CancellationToken.None) && await _catalog.RunAsync(txn => GrantOfAsync(txn, id), CancellationToken.None) is { } late)
            {
                // Nothing was mounted for it: the drive holds what it held, which the catalogue no longer says; the pool
                // brings the row back to the robot's view (RegisterDrivesAsync) when a mount finds it wrong.
                _ = await ReleaseAsync(late, null, CancellationToken.None);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> CancelAsync(Guid requestId, CancellationToken ct = default) =>
        _catalog.RunAsync(txn => txn.DeleteMountRequestAsync(requestId), ct);

    /// <inheritdoc/>
    public ValueTask<int> ScheduleAsync(CancellationToken ct = default) => _catalog.RunAsync(ScheduleInAsync, ct);

    /// <inheritdoc/>
    public ValueTask<DriveGrant?> RenewAsync(DriveGrant grant, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return _catalog.RunAsync(async txn =>
        {
            if (await HeldAsync(txn, grant) is not { } drive)
            {
                return null;
            }

            DriveRecord renewed = await txn.UpdateDriveAsync(drive with { LeaseUntil = txn.Now + _options.MountLease });
            return grant with { LeaseUntil = renewed.LeaseUntil!.Value };
        }, ct);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleaseAsync(DriveGrant grant, string? loadedVsn, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return _catalog.RunAsync(async txn =>
        {
            if ((await txn.QueryDrivesAsync(Library)).FirstOrDefault(d => d.Drive == grant.Drive && d.RequestId == grant.RequestId) is not { } drive)
            {
                return false; // the lease ended and the drive was taken back; whoever has it now decides
            }

            // A cartridge the catalogue has placed elsewhere meanwhile (a failed mount of it) is not claimed twice.
            bool elsewhere = loadedVsn is not null && (await txn.QueryDrivesAsync(Library)).Any(d => d.Vsn == loadedVsn && d.Drive != grant.Drive);
            _ = await txn.UpdateDriveAsync(drive with
            {
                Vsn = elsewhere ? null : loadedVsn,
                Holder = null,
                RequestId = null,
                LeaseUntil = null,
                ReleasedAt = txn.Now,
            });
            return true;
        }, ct);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TakeOutOfServiceAsync(DriveGrant grant, string? loadedVsn, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return _catalog.RunAsync(async txn =>
        {
            if ((await txn.QueryDrivesAsync(Library)).FirstOrDefault(d => d.Drive == grant.Drive && d.RequestId == grant.RequestId) is not { } drive)
            {
                return false;
            }

            bool elsewhere = loadedVsn is not null && (await txn.QueryDrivesAsync(Library)).Any(d => d.Vsn == loadedVsn && d.Drive != grant.Drive);
            _ = await txn.UpdateDriveAsync(drive with
            {
                Vsn = elsewhere ? null : loadedVsn,
                Holder = DriveRecord.OutOfServiceHolder,
                RequestId = null,
                LeaseUntil = txn.Now + _options.OutOfServiceFor,
                ReleasedAt = txn.Now,
            });
            await txn.AddTransitionAsync(new TransitionRecord(DriveEntity, $"{Library}/{grant.Drive}", "IN_SERVICE", "OUT_OF_SERVICE", "F14", HsmActor.Migrator,
                $"{reason} (out of service until {txn.Now + _options.OutOfServiceFor:u})", txn.Now));
            return true;
        }, ct);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DriveGrant>> TakeIdleForDismountAsync(string holder, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return _catalog.RunAsync(async txn =>
        {
            _ = await ScheduleInAsync(txn); // a waiting request may still want one of the cartridges
            HashSet<string> wanted = [.. (await txn.QueryMountRequestsAsync(Library)).Select(r => r.Vsn)];
            var grants = new List<DriveGrant>();
            foreach (DriveRecord d in await txn.QueryDrivesAsync(Library))
            {
                if (d.Vsn is null || d.IsLeasedAt(txn.Now) || wanted.Contains(d.Vsn) || d.ReleasedAt + _options.DismountDelay > txn.Now)
                {
                    continue;
                }

                var id = Guid.NewGuid();
                DriveRecord leased = await txn.UpdateDriveAsync(d with { Holder = holder, RequestId = id, LeaseUntil = txn.Now + _options.MountLease });
                grants.Add(new DriveGrant(id, Library, d.Drive, d.Vsn, d.Mode ?? MountMode.Read, holder, leased.LeaseUntil!.Value));
            }

            return (IReadOnlyList<DriveGrant>)grants;
        }, ct);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DriveRecord>> GetDrivesAsync(CancellationToken ct = default) =>
        _catalog.ReadAsync(txn => txn.QueryDrivesAsync(Library), ct);

    /// <summary>The pass itself, inside the caller's transaction.</summary>
    private async ValueTask<int> ScheduleInAsync(ICatalogTransaction txn)
    {
        DateTimeOffset now = txn.Now;
        var waiting = new List<MountRequestRecord>();
        foreach (MountRequestRecord r in await txn.QueryMountRequestsAsync(Library))
        {
            if (r.LeaseUntil < now)
            {
                _ = await txn.DeleteMountRequestAsync(r.RequestId); // its waiter is gone
            }
            else
            {
                waiting.Add(r);
            }
        }

        List<DriveRecord> drives = [.. await txn.QueryDrivesAsync(Library)];
        for (int i = 0; i < drives.Count; i++)
        {
            DriveRecord d = drives[i];
            if (d.Holder is not null && (!d.IsLeasedAt(now) || await txn.IsFencedAsync(d.Holder)))
            {
                // The holder vanished (lease over, or its instance restarted): the drive is free, its cartridge still in it,
                // and the next session positions from the start of the tape as every session does.
                drives[i] = await txn.UpdateDriveAsync(d with { Holder = null, RequestId = null, LeaseUntil = null, ReleasedAt = now });
            }
        }

        if (waiting.Count == 0)
        {
            return 0;
        }

        Dictionary<string, DateTimeOffset> lastServed = drives.Where(d => d.Pool is not null && d.GrantedAt is not null)
            .GroupBy(d => d.Pool!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(d => d.GrantedAt!.Value), StringComparer.Ordinal);
        var blocked = new HashSet<Guid>();
        int granted = 0;
        while (true)
        {
            MountRequestRecord? chosen = null;
            int chosenDrive = -1;
            bool bypass = false;
            foreach (MountRequestRecord r in waiting
                .OrderByDescending(r => r.Priority)
                .ThenBy(r => lastServed.TryGetValue(r.Pool, out DateTimeOffset t) ? t : DateTimeOffset.MinValue)
                .ThenBy(r => r.CreatedAt)
                .ThenBy(r => r.RequestId.ToString("N"), StringComparer.Ordinal))
            {
                if (blocked.Contains(r.RequestId))
                {
                    continue;
                }

                int holder = drives.FindIndex(d => d.Vsn == r.Vsn);
                if (holder >= 0)
                {
                    if (drives[holder].IsLeasedAt(now))
                    {
                        continue; // one session per tape: a read never joins a write session, nor the other way round
                    }

                    (chosen, chosenDrive) = (r, holder);
                    break;
                }

                int guard = await RemountGuardAsync(txn, r);
                if (guard < 0)
                {
                    blocked.Add(r.RequestId);
                    _ = Interlocked.Increment(ref _guardBlocked);
                    continue;
                }

                int free = FreeDriveFor(drives, waiting, now);
                if (free < 0)
                {
                    continue; // no drive for a new cartridge; a later request may still reuse a loaded one
                }

                (chosen, chosenDrive, bypass) = (r, free, guard > 0);
                break;
            }

            if (chosen is null)
            {
                return granted;
            }

            if (!await txn.DeleteMountRequestAsync(chosen.RequestId))
            {
                throw new CatalogConflictException("mount request", chosen.RequestId.ToString("N"), 0); // another pass granted it
            }

            try
            {
                drives[chosenDrive] = await txn.UpdateDriveAsync(drives[chosenDrive] with
                {
                    Vsn = chosen.Vsn,
                    Pool = chosen.Pool,
                    Mode = chosen.Mode,
                    Holder = chosen.Requester,
                    RequestId = chosen.RequestId,
                    LeaseUntil = now + _options.MountLease,
                    GrantedAt = now,
                });
            }
            catch (CatalogConstraintException e)
            {
                // Another pass put the cartridge in another drive since this one read the rows: lost the race, run again.
                _ = e;
                throw new CatalogConflictException("drive", $"{Library}/{drives[chosenDrive].Drive}", drives[chosenDrive].RowVersion);
            }

            if (bypass)
            {
                _ = Interlocked.Increment(ref _guardBypassed);
            }

            waiting.Remove(chosen);
            lastServed[chosen.Pool] = now;
            granted++;
        }
    }

    /// <summary>
    /// The remount guard (docs/hsm/overview.md#recalls) for a request whose cartridge is in no drive: −1 blocked, 0 not concerned, 1 within the
    /// guard but bypassed (urgent, or an operator's request).
    /// </summary>
    private async ValueTask<int> RemountGuardAsync(ICatalogTransaction txn, MountRequestRecord r)
    {
        if (r.Mode != MountMode.Read || await txn.GetTapeAsync(r.Vsn) is not { LastUnmountedAt: { } unmounted } || txn.Now - unmounted >= _options.RemountDelay)
        {
            return 0;
        }

        return r.BypassRemountGuard || r.Priority >= RequestPriority.Urgent ? 1 : -1;
    }

    /// <summary>The drive a new cartridge goes to: empty first, then past its dismount delay, then idle longest; −1 when none is free.</summary>
    private int FreeDriveFor(List<DriveRecord> drives, List<MountRequestRecord> waiting, DateTimeOffset now)
    {
        int best = -1;
        (int Rank, DateTimeOffset Released, int Drive) bestKey = default;
        for (int i = 0; i < drives.Count; i++)
        {
            DriveRecord d = drives[i];
            if (d.IsLeasedAt(now) || (d.Vsn is { } vsn && waiting.Any(w => w.Vsn == vsn)))
            {
                continue; // busy, or its cartridge is asked for: the request for it takes this drive
            }

            int rank = d.Vsn is null ? 0 : d.ReleasedAt + _options.DismountDelay <= now ? 1 : 2;
            (int, DateTimeOffset, int) key = (rank, d.ReleasedAt ?? DateTimeOffset.MinValue, d.Drive);
            if (best < 0 || key.CompareTo(bestKey) < 0)
            {
                (best, bestKey) = (i, key);
            }
        }

        return best;
    }

    /// <summary>The grant of a request, if a drive holds a live lease for it.</summary>
    private async ValueTask<DriveGrant?> GrantOfAsync(ICatalogTransaction txn, Guid requestId) =>
        (await txn.QueryDrivesAsync(Library)).FirstOrDefault(d => d.RequestId == requestId && d.IsLeasedAt(txn.Now)) is { } d
            ? new DriveGrant(requestId, Library, d.Drive, d.Vsn, d.Mode ?? MountMode.Read, d.Holder!, d.LeaseUntil!.Value)
            : null;

    private async ValueTask<DriveRecord?> HeldAsync(ICatalogTransaction txn, DriveGrant grant) =>
        (await txn.QueryDrivesAsync(Library)).FirstOrDefault(d => d.Drive == grant.Drive && d.RequestId == grant.RequestId && d.IsLeasedAt(txn.Now));
}

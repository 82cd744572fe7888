using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Migration;

/// <summary>
/// Keeps the work leases of every list a running worker holds (archive sessions, stage and purge commands), and the
/// tape reservation of an archive session (<c>MountedBy</c>/<c>MountLeaseUntil</c>), from running out while the work
/// goes on: at each checkpoint of the work, once a third of a lease has passed on the catalogue's clock, every held
/// lease is renewed in one transaction (L5). A list found no longer held — another attempt took it, or it is no longer
/// <c>ACTIVE</c> — is <see cref="IsLost">lost</see>: the worker stops its work and never commits it (F8), and its row is
/// left as the new owner made it.
/// </summary>
/// <remarks>
/// Renewal happens at work checkpoints (between tape files, after a mount, after a sync, between stage items and purge
/// deletions) measured on <see cref="ICatalog.Time"/>, not from a timer: a timer callback would run a catalogue
/// transaction concurrently with the worker's own (or, on a simulated clock, from inside a device call), while a
/// checkpoint renews in the worker's own flow, deterministically under any injected <see cref="TimeProvider"/>.
/// The price is that one uninterrupted step (a single tape file, a sync, a mount) must stay shorter than two thirds of
/// the work lease; the defaults (10 min, tape files of at most a few GB) leave room. One instance serves one worker
/// flow and is not thread-safe.
/// </remarks>
internal sealed class WorkLeaseHeartbeat
{
    private readonly ICatalog _catalog;
    private readonly string _ownerId;
    private readonly TimeSpan _workLease;
    private readonly TimeSpan _mountLease;
    private readonly Dictionary<Guid, HeldList> _held = [];
    private readonly HashSet<Guid> _lost = [];
    private string? _tape;
    private DateTimeOffset _tapeRenewedAt;

    /// <summary>Creates a heartbeat for one worker flow.</summary>
    /// <param name="catalog">The catalogue (its clock decides when a renewal is due).</param>
    /// <param name="ownerId">The owner recorded in the claims and the tape reservation.</param>
    /// <param name="workLease">The work lease each renewal grants; renewed once a third of it has passed.</param>
    /// <param name="mountLease">The tape reservation each renewal grants; renewed once a third of it has passed.</param>
    public WorkLeaseHeartbeat(ICatalog catalog, string ownerId, TimeSpan workLease, TimeSpan mountLease)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(workLease, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(mountLease, TimeSpan.Zero);
        _catalog = catalog;
        _ownerId = ownerId;
        _workLease = workLease;
        _mountLease = mountLease;
    }

    /// <summary>Whether the tape reservation was found taken by another owner (stop appending to it).</summary>
    public bool TapeLost { get; private set; }

    /// <summary>How many renewal transactions this heartbeat committed.</summary>
    public int Renewals { get; private set; }

    /// <summary>Starts keeping a claimed list's lease.</summary>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The claimed attempt (the fencing token).</param>
    /// <param name="leaseUntil">The lease the claim took; the first renewal falls due a third of a lease after it began.</param>
    public void Hold(Guid listId, int attempt, DateTimeOffset leaseUntil)
    {
        _held[listId] = new HeldList(attempt, leaseUntil - _workLease);
        _lost.Remove(listId);
    }

    /// <summary>Stops keeping a list's lease (it is committed, failed, or handed back).</summary>
    /// <param name="listId">The list.</param>
    public void Release(Guid listId) => _held.Remove(listId);

    /// <summary>Starts keeping the reservation of the tape a session has reserved and mounts.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="leaseUntil">The end of the reservation taken.</param>
    public void HoldTape(string vsn, DateTimeOffset leaseUntil)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        _tape = vsn;
        _tapeRenewedAt = leaseUntil - _mountLease;
        TapeLost = false;
    }

    /// <summary>Stops keeping the tape reservation (the session released it).</summary>
    public void ReleaseTape() => _tape = null;

    /// <summary>Whether the list's lease was found lost: its work must stop and it must never be committed.</summary>
    /// <param name="listId">The list.</param>
    public bool IsLost(Guid listId) => _lost.Contains(listId);

    /// <summary>
    /// A checkpoint: renews every held lease when a third of the work lease (or of the mount lease) has passed since
    /// it was taken or last renewed; otherwise does nothing.
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="true"/> when it renewed.</returns>
    public async ValueTask<bool> BeatAsync(CancellationToken ct = default)
    {
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        bool listsDue = _held.Values.Any(h => now - h.RenewedAt >= _workLease / 3);
        bool tapeDue = _tape is not null && !TapeLost && now - _tapeRenewedAt >= _mountLease / 3;
        if (!listsDue && !tapeDue)
        {
            return false;
        }

        await RenewAsync(ct);
        return true;
    }

    /// <summary>Renews every held lease now (one transaction); lists and a tape found taken become lost.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask RenewAsync(CancellationToken ct = default)
    {
        var lost = new List<Guid>();
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        DateTimeOffset now = txn.Now;
        foreach ((Guid listId, HeldList held) in _held)
        {
            FileListRecord? list = await txn.GetListAsync(listId);
            // The owner check first: a list another attempt (or owner) took is left exactly as the new owner made it.
            FileListRecord? renewed = list?.Owner == _ownerId
                ? await txn.TryMoveListAsync(listId, FileListState.Active, FileListEvent.LeaseRenewed, HsmActor.Migrator, held.Attempt,
                    mutate: l => l with { LeaseUntil = now + _workLease })
                : null;
            if (renewed is null)
            {
                lost.Add(listId);
            }
        }

        bool tapeLost = false;
        if (_tape is { } vsn && !TapeLost && await txn.GetTapeAsync(vsn) is { } tape)
        {
            if (tape.MountedBy == _ownerId)
            {
                _ = await txn.UpdateTapeAsync(tape with { MountLeaseUntil = now + _mountLease });
            }
            else
            {
                tapeLost = true;
            }
        }

        await txn.CommitAsync(ct);
        Renewals++;
        foreach (Guid listId in _held.Keys.ToList())
        {
            _held[listId] = _held[listId] with { RenewedAt = now };
        }

        foreach (Guid listId in lost)
        {
            _held.Remove(listId);
            _lost.Add(listId);
        }

        _tapeRenewedAt = now;
        TapeLost |= tapeLost;
    }

    private readonly record struct HeldList(int Attempt, DateTimeOffset RenewedAt);
}

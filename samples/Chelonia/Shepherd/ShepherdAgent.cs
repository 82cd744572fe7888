using System.Collections.Concurrent;
using System.Net;
using Chelonia.Hosting;
using Chelonia.Wire;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Shepherd;

/// <summary>
/// A Shepherd's background work, as the "Shepherd as sheep" model has it (docs/samples/chelonia.md) — the Librarian decides,
/// the Shepherd stores, verifies and reports: start-up recovery from its journal, heartbeats, numbered change reports
/// and digests (docs/hsm/replicas.md#reporting-without-overload), the transfers it is told to send (batched start, streamed push, confirmation or "unconfirmed"),
/// the surplus copies it is told to delete, and the spread-out checksum scan.
/// </summary>
public sealed class ShepherdAgent : IAsyncDisposable
{
    private const int OutgoingLimit = 2000;
    private const int StartBatch = 128;
    private const int ParallelSends = 6;

    private readonly ShepherdContext _c;
    private readonly ConcurrentDictionary<Guid, byte> _sending = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _awaiting = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _retiring = new();
    private readonly SemaphoreSlim _sendSlots = new(ParallelSends);
    private readonly CancellationTokenSource _stop = new();
    private Dictionary<string, string?> _addresses = new(StringComparer.Ordinal);
    private Task _running = Task.CompletedTask;
    private volatile bool _digestWanted;
    private int _disposed;
    private DateTimeOffset _nextReportAfter;

    /// <summary>Creates the agent.</summary>
    /// <param name="context">What it works with.</param>
    public ShepherdAgent(ShepherdContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _c = context;
        Reports = new ReportBacklog(context.NodeId, context.MaxReportEntries);
    }

    /// <summary>The change queue.</summary>
    public ReportBacklog Reports { get; }

    /// <summary>Reports sent and applied by this process.</summary>
    public int ReportsApplied { get; private set; }

    /// <summary>Registers with the Librarian, settles the journal and starts the loops.</summary>
    /// <param name="address">This Shepherd's URL.</param>
    public void Start(string address) => _running = Task.Run(() => RunAsync(address, _stop.Token));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _sendSlots.Dispose();
    }

    private async Task RunAsync(string address, CancellationToken ct)
    {
        HeartbeatAck ack = await RetryAsync(() => _c.Librarian.RegisterNodeAsync(_c.NodeId, address, ct), ct);
        Reports.Resume(ack.AcknowledgedSequence);
        await RecoverJournalAsync(ct);
        await Task.WhenAll(
            LoopAsync("heartbeat", _c.Timings.HeartbeatInterval, first => HeartbeatAsync(address, first, ct), ct),
            LoopAsync("reports", TimeSpan.FromMilliseconds(100), _ => ReportAsync(ct), ct),
            LoopAsync("transfers", _c.Timings.PollInterval, _ => OutgoingAsync(ct), ct),
            LoopAsync("retirements", _c.Timings.PollInterval, _ => RetireAsync(ct), ct),
            ScanAsync(ct));
    }

    /// <summary>
    /// Start-up (docs/hsm/rules.md#chelonia-failure-cases-b1b3, case C): an outgoing transfer found in the journal is reported failed (the Librarian answers that it
    /// succeeded when the target registered meanwhile); an incoming one whose copy was published is registered (late
    /// if it stalled), one whose copy is not there is reported failed.
    /// </summary>
    private async Task RecoverJournalAsync(CancellationToken ct)
    {
        foreach (JournalEntry e in _c.Journal.Load())
        {
            if (e.Role == TransferRole.Incoming && _c.Store.Get(e.FileId) is { } copy && copy.Xxh3 == e.Checksum.Value
                && await _c.Store.CheckAsync(copy, ct) == CopyCheck.Good)
            {
                _c.Store.MarkUnregistered(e.FileId, e.TransferId);
                Reports.Add(new ReplicaReportEntry(e.FileId, ReportedReplicaState.Registered, e.TransferId, e.Size, e.Checksum));
                continue;
            }

            string reason = e.Role == TransferRole.Incoming ? "the target restarted without the whole copy" : "the source restarted with the transfer in progress";
            _ = await RetryAsync(() => _c.Librarian.ReportFailedAsync(e.TransferId, reason, ct), ct);
            _c.Journal.Remove(e.TransferId);
        }
    }

    private async Task HeartbeatAsync(string address, bool first, CancellationToken ct)
    {
        HeartbeatAck? ack = await _c.Librarian.HeartbeatAsync(_c.NodeId, lostReportLog: first, ct);
        if (ack is null)
        {
            ack = await _c.Librarian.RegisterNodeAsync(_c.NodeId, address, ct);
            _digestWanted = true;
        }

        if (ack.DigestWanted)
        {
            _digestWanted = true;
        }
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        if (_digestWanted && Reports.InFlight is null)
        {
            _digestWanted = false;
            DigestComparison cmp = await _c.Librarian.CompareDigestAsync(_c.NodeId, _c.Store.Digest(), ct);
            Reports.Resume(cmp.AcknowledgedSequence);
            if (cmp.DifferingBuckets.Count > 0)
            {
                Reports.AddFirst(ReplicaDigest.Reconcile(_c.Store.DigestEntries(), cmp.DifferingBuckets, cmp.LibrarianView));
                _nextReportAfter = cmp.NextReportAfter;
            }
        }

        if (_c.Time.GetUtcNow() < _nextReportAfter || Reports.Next() is not { } report)
        {
            return;
        }

        if (report.Entries.Any(e => e.State == ReportedReplicaState.Registered))
        {
            TapeKit.IO.DirectorySync.Flush(_c.Store.Layout.Data); // the renames that published the copies survive a crash before they are registered
        }

        ReportAck ack = await _c.Librarian.ReportAsync(report, ct);
        _nextReportAfter = ack.NextReportAfter;
        _digestWanted |= ack.DigestWanted;
        switch (ack.Outcome)
        {
            case ReportOutcome.Applied:
                Reports.Acknowledge(ack.AcknowledgedSequence);
                ReportsApplied++;
                for (int i = 0; i < report.Entries.Count && i < ack.Results.Count; i++)
                {
                    Settle(report.Entries[i], ack.Results[i]);
                }

                break;
            case ReportOutcome.Duplicate:
                // Applied before, its answer lost: registrations go again (they are idempotent by transfer id) to learn their outcome.
                Reports.Acknowledge(ack.AcknowledgedSequence);
                foreach (ReplicaReportEntry e in report.Entries.Where(e => e.State == ReportedReplicaState.Registered))
                {
                    Reports.Add(e);
                }

                break;
            case ReportOutcome.OutOfSequence:
                Reports.Renumber(ack.AcknowledgedSequence);
                break;
            default:
                break; // TooEarly: the same report goes again at NextReportAfter.
        }
    }

    private void Settle(ReplicaReportEntry entry, ReplicaCallResult result)
    {
        switch (entry.State)
        {
            case ReportedReplicaState.Registered when entry.TransferId is { } id:
                if (result.DiscardData)
                {
                    _ = _c.Store.Delete(entry.FileId, onlyTransfer: id);
                }
                else
                {
                    _c.Store.MarkRegistered(entry.FileId, id);
                }

                _c.Journal.Remove(id);
                break;
            case ReportedReplicaState.Good or ReportedReplicaState.Corrupted when result.DiscardData:
                _ = _c.Store.Delete(entry.FileId);
                break;
            case ReportedReplicaState.Removed or ReportedReplicaState.Missing:
                _ = _retiring.TryRemove(entry.FileId, out _);
                break;
            default:
                break;
        }
    }

    private async Task OutgoingAsync(CancellationToken ct)
    {
        IReadOnlyList<ReplicaRecord> rows = await _c.Librarian.GetOutgoingAsync(_c.NodeId, OutgoingLimit, ct);
        var listed = rows.Select(r => r.TransferId).ToHashSet();
        DateTimeOffset now = _c.Time.GetUtcNow();
        foreach ((Guid id, DateTimeOffset sentAt) in _awaiting)
        {
            if (!listed.Contains(id) && rows.Count < OutgoingLimit)
            {
                // No longer CREATING: the target registered it (or it was settled otherwise). C.4.
                _c.Journal.Remove(id);
                _ = _awaiting.TryRemove(id, out _);
            }
            else if (now - sentAt > _c.Timings.RegistrationTimeout)
            {
                // C.2: the target did not register in time; the row stalls and is replaced, a late registration still counts.
                _ = await _c.Librarian.ReportUnconfirmedAsync(id, ct);
                _c.Journal.Remove(id);
                _ = _awaiting.TryRemove(id, out _);
            }
        }

        List<ReplicaRecord> fresh = [.. rows.Where(r => !_sending.ContainsKey(r.TransferId) && !_awaiting.ContainsKey(r.TransferId)).Take(StartBatch)];
        if (fresh.Count == 0)
        {
            return;
        }

        _addresses = (await _c.Librarian.GetNodesAsync(ct)).ToDictionary(n => n.NodeId, n => n.IsOnline ? n.Address : null, StringComparer.Ordinal);
        _c.Journal.Add([.. fresh.Select(r => new JournalEntry(r.TransferId, TransferRole.Outgoing, r.FileId, r.Size, r.Checksum, r.NodeId))]);
        IReadOnlyList<ReplicaCallResult> started = await _c.Librarian.StartTransfersAsync([.. fresh.Select(r => r.TransferId)], ct);
        for (int i = 0; i < fresh.Count; i++)
        {
            ReplicaRecord row = fresh[i];
            if (started[i].Outcome is ReplicaCallOutcome.Applied or ReplicaCallOutcome.Replayed && _sending.TryAdd(row.TransferId, 0))
            {
                await _sendSlots.WaitAsync(ct);
                _ = Task.Run(() => SendAsync(row, ct), CancellationToken.None);
            }
            else
            {
                _c.Journal.Remove(row.TransferId); // cancelled, unknown or settled: nothing to send
            }
        }
    }

    /// <summary>Pushes one copy to its target (failure case C, as the sender O).</summary>
    private async Task SendAsync(ReplicaRecord row, CancellationToken ct)
    {
        try
        {
            string? target = _addresses.GetValueOrDefault(row.NodeId);
            (StoredCopy Copy, FileStream Stream)? opened = _c.Store.OpenRead(row.FileId);
            if (opened is not { } source || source.Copy.Invalid || source.Copy.Xxh3 != row.Checksum.Value)
            {
                if (opened is { } unusable)
                {
                    await unusable.Stream.DisposeAsync();
                }

                await FailAsync(row, "the source holds no good copy");
                return;
            }

            await using var counting = new CountingStream(source.Stream);
            if (target is null)
            {
                await FailAsync(row, $"the target '{row.NodeId}' is not online");
                return;
            }

            try
            {
                using var content = new StreamContent(counting);
                content.Headers.ContentLength = row.Size;
                using HttpResponseMessage response = await _c.Peers.PutAsync(new Uri(new Uri(target), $"transfers/{row.TransferId}"), content, ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    _awaiting[row.TransferId] = _c.Time.GetUtcNow();
                    return;
                }

                ChelError error = await ChelHttp.ErrorOfAsync(response, ct);
                await FailAsync(row, $"the target answered {(int)response.StatusCode} {error.Error}: {error.Detail}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                if (counting.BytesRead >= row.Size)
                {
                    _awaiting[row.TransferId] = _c.Time.GetUtcNow(); // the last byte left: wait for the registration (C.2)
                }
                else
                {
                    await FailAsync(row, $"the connection to '{row.NodeId}' broke after {counting.BytesRead} bytes: {e.Message}"); // C.1
                }
            }
        }
        catch (Exception e) when (e is ChelHttpException or HttpRequestException && !ct.IsCancellationRequested)
        {
            _c.Log.LogWarning("Transfer {TransferId}: {Message}", row.TransferId, e.Message); // the journal keeps it; a restart reports it
        }
        finally
        {
            _ = _sending.TryRemove(row.TransferId, out _);
            _ = _sendSlots.Release();
        }

        async Task FailAsync(ReplicaRecord r, string reason)
        {
            _ = await _c.Librarian.ReportFailedAsync(r.TransferId, reason, ct);
            _c.Journal.Remove(r.TransferId);
        }
    }

    private async Task RetireAsync(CancellationToken ct)
    {
        DateTimeOffset now = _c.Time.GetUtcNow();
        foreach (ReplicaRecord row in await _c.Librarian.GetRetirementsAsync(_c.NodeId, OutgoingLimit, ct))
        {
            if (_retiring.TryGetValue(row.FileId, out DateTimeOffset since) && now - since < _c.Timings.RegistrationTimeout)
            {
                continue; // its Removed entry is queued or in flight
            }

            _ = _c.Store.Delete(row.FileId);
            _retiring[row.FileId] = now;
            Reports.Add(new ReplicaReportEntry(row.FileId, ReportedReplicaState.Removed));
        }
    }

    /// <summary>The spread-out checksum scan (docs/hsm/replicas.md#reporting-without-overload, rule 5): every registered copy once per period, random order; mismatches reported (P6).</summary>
    private async Task ScanAsync(CancellationToken ct)
    {
        var schedule = new ChecksumScanSchedule(_c.Timings.ScanPeriod, TimeSpan.FromMilliseconds(1), _c.Random);
        while (!ct.IsCancellationRequested)
        {
            List<long> ids = [.. _c.Store.Copies.Where(c => c.Registered && !c.Invalid).Select(c => c.FileId)];
            DateTimeOffset start = _c.Time.GetUtcNow();
            if (ids.Count == 0)
            {
                await Task.Delay(_c.Timings.ScanPeriod, _c.Time, ct);
                continue;
            }

            foreach ((long id, DateTimeOffset at) in schedule.PlanPeriod(ids, start))
            {
                TimeSpan wait = at - _c.Time.GetUtcNow();
                if (wait > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(wait, _c.Time, ct);
                }

                if (_c.Store.Get(id) is not { Registered: true, Invalid: false } copy)
                {
                    continue;
                }

                try
                {
                    switch (await _c.Store.CheckAsync(copy, ct))
                    {
                        case CopyCheck.Corrupted when _c.Store.MarkInvalid(copy):
                            Reports.Add(new ReplicaReportEntry(id, ReportedReplicaState.Corrupted));
                            break;
                        case CopyCheck.Missing:
                            Reports.Add(new ReplicaReportEntry(id, ReportedReplicaState.Missing));
                            break;
                        default:
                            break;
                    }
                }
                catch (IOException e)
                {
                    _c.Log.LogWarning("Checking file {FileId}: {Message}", id, e.Message);
                }
            }
        }
    }

    private async Task LoopAsync(string name, TimeSpan period, Func<bool, Task> step, CancellationToken ct)
    {
        bool first = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await step(first);
                first = false;
            }
            catch (Exception e) when (e is HttpRequestException or ChelHttpException or IOException && !ct.IsCancellationRequested)
            {
                _c.Log.LogWarning("The {Loop} loop failed and goes on: {Message}", name, e.Message);
            }

            await Task.Delay(period, _c.Time, ct);
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is HttpRequestException or ChelHttpException && !ct.IsCancellationRequested)
            {
                _c.Log.LogWarning("The Librarian is not reachable yet: {Message}", e.Message);
                await Task.Delay(_c.Timings.HeartbeatInterval, _c.Time, ct);
            }
        }
    }
}

/// <summary>What a Shepherd's parts share.</summary>
/// <param name="NodeId">Its node id.</param>
/// <param name="Store">Its copies.</param>
/// <param name="Journal">Its transfers in progress.</param>
/// <param name="Librarian">The Librarian.</param>
/// <param name="Peers">A client for the other Shepherds.</param>
/// <param name="Timings">The timings.</param>
/// <param name="Time">The clock.</param>
/// <param name="Random">The scan's order.</param>
/// <param name="Log">The log.</param>
/// <param name="MaxReportEntries">The most entries per report.</param>
public sealed record ShepherdContext(
    string NodeId, ReplicaStore Store, TransferJournal Journal, LibrarianClient Librarian, HttpClient Peers, ChelTimings Timings,
    TimeProvider Time, Random Random, ILogger Log, int MaxReportEntries = 1000);

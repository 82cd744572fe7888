using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// New files through their whole life over the public APIs, on top of the aged catalogue. First, outside the measured
/// window, <see cref="TimedAppends"/> files are ingested and appended one by one (the dispatcher handling each
/// <c>CacheWritten</c> alone: inbox, append to the open list, ack), which times the append. Then the measured life of the
/// rest: ingest (the disk mover's create + complete, durable, by group commit: <see cref="IngestBatch"/> files per commit,
/// as a disk mover serving concurrent writers acknowledges them), append (the received batches the dispatcher's service
/// loop handles), claim and commit of each full list (the migrator's catalogue calls around its tape work), then purge.
/// The bytes written in that window are divided by the files ingested in it, although the window also claims, commits
/// and purges the timed files: an upper bound for a file's life on the service path. What one file handled alone costs
/// is reported beside it.
/// </summary>
internal sealed class FreshFilesLifecycle(BenchSite site, int files)
{
    private const int BlockSize = 256 * 1024;
    private const long FileSize = 256 * 1024;
    private const int IngestBatch = 100;
    private const int TimedAppends = 300;

    public double IngestFilesPerSecond { get; private set; }

    public double AppendMs { get; private set; }

    public double ClaimMs { get; private set; }

    public double CommitMs { get; private set; }

    public double BytesWrittenPerFile { get; private set; }

    /// <summary>Bytes written per append when the dispatcher handles one <c>CacheWritten</c> alone (its own transaction).</summary>
    public double BytesWrittenPerLoneAppend { get; private set; }

    /// <summary>Bytes written per file by each step of the life, in order (ingest, append, list sent, claim and commit, replies, purge).</summary>
    public IReadOnlyList<(string Step, double BytesPerFile)> BytesWrittenPerFileByStep => _steps;

    private readonly List<(string Step, double BytesPerFile)> _steps = [];
    private long _stepStart;

    private void EndStep(string step)
    {
        long now = ProcessStats.BytesWritten();
        _steps.Add((step, (double)(now - _stepStart) / (files - TimedAppends)));
        _stepStart = now;
    }

    public async Task RunAsync()
    {
        await IngestAsync(TimedAppends);
        long loneBefore = ProcessStats.BytesWritten();
        AppendMs = Timing.Median(await AppendEachAsync(TimedAppends));
        BytesWrittenPerLoneAppend = (double)(ProcessStats.BytesWritten() - loneBefore) / TimedAppends;

        int measured = files - TimedAppends;
        long bytesBefore = ProcessStats.BytesWritten();
        _stepStart = bytesBefore;
        double ingestMs = await Timing.TimeMsAsync(() => IngestAsync(measured));
        IngestFilesPerSecond = measured / (ingestMs / 1000);
        EndStep("ingest");
        await site.PumpAsync(); // The service loop's received batches, a transaction each.
        EndStep("append");
        await site.PumpAsync(); // The timer round sends the full lists to the fresh disk library's command queue.
        EndStep("lists sent");
        (List<double> claims, List<double> commits) = await ArchiveEachListAsync();
        ClaimMs = Timing.Median(claims);
        CommitMs = Timing.Median(commits);
        EndStep("claim+commit");
        await site.PumpAsync(); // Confirmation and Archived replies; the host's FileArchived notifications.
        EndStep("replies");
        _ = await site.PurgeEverything(BenchPolicies.FreshLibrary).RunOnceAsync();
        await site.PumpAsync(); // CachePurged notifications.
        EndStep("purge");
        BytesWrittenPerFile = (double)(ProcessStats.BytesWritten() - bytesBefore) / measured;
    }

    private async Task IngestAsync(int count)
    {
        Checksum[] checksums = [new("adler32", "0badc0de")];
        for (int done = 0; done < count; done += IngestBatch)
        {
            NewCacheFile[] batch = [.. Enumerable.Range(0, Math.Min(IngestBatch, count - done)).Select(_ =>
            {
                string name = Guid.NewGuid().ToString("N");
                return new NewCacheFile(BenchPolicies.Attributes(BenchPolicies.FreshGroup, FileSize), "/data/fresh/" + name, "fresh/" + name, name);
            })];
            FileRecord[] created = await WriteCacheCatalog.CreateManyAsync(site.Catalog, site.Selector, batch);
            FileRecord?[] completed = await WriteCacheCatalog.CompleteManyAsync(site.Catalog, [.. created.Select(f => new CompletedCacheWrite(f.FileId, FileSize, checksums))]);
            if (completed.Any(f => f is null))
            {
                throw new InvalidOperationException("A file was not CREATED after its create.");
            }
        }
    }

    /// <summary>The dispatcher handles each of the first <paramref name="count"/> queued <c>CacheWritten</c> alone (inbox, append to the open list, ack): one sample each.</summary>
    private async Task<List<double>> AppendEachAsync(int count)
    {
        var samples = new List<double>(count);
        var receive = new ReceiveOptions(site.DispatcherOptions.DispatcherId, 1, site.DispatcherOptions.MessageLease);
        while (samples.Count < count)
        {
            IReadOnlyList<IDelivery> one = await site.Store.Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, receive);
            if (one.Count == 0)
            {
                break;
            }

            samples.Add(await Timing.TimeMsAsync(async () => await site.Dispatcher.HandleAsync(one[0])));
        }

        return samples;
    }

    /// <summary>What a migrator does per <c>Archive</c> command, minus the tape: claim (timed), aggregation G1–G3, commit (timed).</summary>
    private async Task<(List<double> Claims, List<double> Commits)> ArchiveEachListAsync()
    {
        var work = new ArchiveListWork(site.Catalog, "migrator-" + BenchPolicies.FreshLibrary);
        var receive = new ReceiveOptions("migrator-" + BenchPolicies.FreshLibrary, 1, TimeSpan.FromMinutes(10));
        var claims = new List<double>();
        var commits = new List<double>();
        int fseq = 0;
        long nextBlock = 1;
        while (true)
        {
            IReadOnlyList<IDelivery> one = await site.Store.Bus.ReceiveAsync(HsmTopology.CommandQueue(BenchPolicies.FreshLibrary), receive);
            if (one.Count == 0)
            {
                return (claims, commits);
            }

            IDelivery delivery = one[0];
            ArchiveCommand command = HsmMessages.Read<ArchiveCommand>(delivery.Message);
            ArchiveClaim claim = null!;
            claims.Add(await Timing.TimeMsAsync(async () =>
                claim = await work.ClaimAsync(delivery.Message, command.ListId, command.Attempt, TimeSpan.FromMinutes(10))));
            if (claim.Outcome != ArchiveClaimOutcome.Claimed)
            {
                throw new InvalidOperationException($"List {command.ListId:N} was not claimed: {claim.Outcome}.");
            }

            AggregationRecord aggregation = await work.BeginAggregationAsync(command.ListId, command.Attempt, 1)
                ?? throw new InvalidOperationException("Fenced while beginning the aggregation.");
            var tapeFile = new TapeFileLocator(BenchSite.FreshVsn, ++fseq, nextBlock);
            var members = claim.Members.Select((f, i) => new AggregationMemberRecord(aggregation.AggregationId, i, f.FileId, i * FileSize, i * (FileSize / BlockSize), 0, FileSize / BlockSize)).ToList();
            long blocks = members.Count * (FileSize / BlockSize);
            nextBlock += blocks + 2;
            if (!await work.RecordWriteStartAsync(aggregation.AggregationId, tapeFile) || !await work.RecordWrittenAsync(aggregation.AggregationId, blocks, members))
            {
                throw new InvalidOperationException("Fenced while recording the tape file.");
            }

            bool committed = false;
            commits.Add(await Timing.TimeMsAsync(async () =>
                committed = await work.CommitAsync(delivery.Message, command.ListId, command.Attempt, [aggregation.AggregationId])));
            if (!committed)
            {
                throw new InvalidOperationException($"List {command.ListId:N} was fenced at commit.");
            }

            _ = await delivery.AckAsync();
        }
    }
}

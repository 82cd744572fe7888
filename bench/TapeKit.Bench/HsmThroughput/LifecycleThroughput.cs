using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>
/// File lifecycles per second: ingest → archive list → <c>Archive</c> command over the bus → claim → commit archived.
/// N workers, each a disk mover and a migrator on its own connection: the disk mover ingests its share of the files
/// (create + complete, durable, a batch per commit, its <c>CacheWritten</c> events through the outbox); the migrator
/// receives <c>Archive</c> commands from the disk library's queue and does the catalogue and bus work of a migrator
/// around the tape (claim, aggregation begun, tape file written on the worker's own tape, commit, ack) — no tape I/O.
/// One dispatcher (the leader, as ever) relays the outbox, appends the files to lists of <c>--list</c> files and sends
/// each full list. The clock runs from the first ingest to the last commit.
/// </summary>
internal sealed class LifecycleThroughput(ThroughputWorld world, ThroughputSettings settings)
{
    public const string DispatcherId = "bench-dispatcher";
    public const string Library = "dl-bench";
    public const string Pool = "pool-bench";
    private const long FileSize = 256 * 1024;
    private const int BlockSize = 256 * 1024;

    public static BusTopology Topology(int workers) => HsmTopology.For(DispatcherId, [Library]);

    /// <summary>One run; returns files per second of wall time.</summary>
    public async Task<double> RunAsync()
    {
        ICatalog catalog = world.Catalog!;
        int workers = world.WorkerBuses.Count;
        var selector = new PolicySelector(new PolicySet
        {
            Version = 1,
            Rules = [new PolicyRule { Name = "bench", DiskLibrary = Library, TapePool = Pool, MaxFilesPerAggregation = settings.FilesPerList }],
        });
        await using (ICatalogTransaction txn = await catalog.BeginAsync())
        {
            for (int w = 0; w < workers; w++)
            {
                await txn.InsertTapeAsync(new TapeRecord { Vsn = Vsn(w), Pool = Pool, MediaType = "LTO-9", CapacityEstimate = 18_000_000_000_000 });
            }

            await txn.CommitAsync();
        }

        var options = new DispatcherOptions { DispatcherId = DispatcherId, Retention = null, NotifyHost = false };
        var dispatcher = new Dispatcher(catalog, options, new Random(20261207));
        await dispatcher.StartAsync();
        var service = new DispatcherService(dispatcher, catalog, world.DispatcherBus, options);

        int files = settings.Files;
        int archived = 0;
        using var done = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(done.Token, timeout.Token);
        long start = Stopwatch.GetTimestamp();
        long end = 0;
        var spent = new LifecycleTimeSpent();
        Exception? failure = null;

        // A task that fails stops the run at once (the others would wait for files that never come until the timeout).
        async Task StopOnFailure(Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await done.CancelAsync();
                throw;
            }
        }

        Task dispatching = Task.Run(() => StopOnFailure(() => DispatchAsync(service, spent, stop.Token)));
        var tasks = new List<Task>();
        int[] shares = [.. Enumerable.Range(0, workers).Select(w => files / settings.Batch / workers * settings.Batch + (w < files / settings.Batch % workers ? settings.Batch : 0))];
        for (int w = 0; w < workers; w++)
        {
            int worker = w;
            tasks.Add(Task.Run(() => StopOnFailure(async () =>
            {
                await IngestAsync(world.WorkerCatalogs[worker], selector, shares[worker]);
                spent.IngestEnded(start);
            })));
            tasks.Add(Task.Run(() => StopOnFailure(async () =>
            {
                await foreach (int n in MigrateAsync(worker, spent, stop.Token))
                {
                    if (Interlocked.Add(ref archived, n) >= files)
                    {
                        Volatile.Write(ref end, Stopwatch.GetTimestamp());
                        await done.CancelAsync();
                    }
                }
            })));
        }

        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception) when (done.IsCancellationRequested)
        {
            // Finished, or stopped by a failure (thrown below).
        }

        await done.CancelAsync();
        try
        {
            await dispatching;
        }
        catch (Exception) when (done.IsCancellationRequested)
        {
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"A task of the {world.Provider} lifecycle run with {workers} worker(s) failed: {failure.Message}", failure);
        }

        if (archived != files)
        {
            throw new InvalidOperationException($"{archived} of {files} files archived{(timeout.IsCancellationRequested ? " in 10 minutes" : "")}.");
        }

        Console.Error.WriteLine($"  {world.Provider}, {workers} worker(s): {files} files in {Stopwatch.GetElapsedTime(start, end).TotalSeconds:F2} s; {spent}");
        return files / Stopwatch.GetElapsedTime(start, end).TotalSeconds;
    }

    private static string Vsn(int worker) => $"TP{worker:D4}";

    /// <summary>The dispatcher's loop: rounds while there is work, a short pause when a round found none.</summary>
    private static async Task DispatchAsync(DispatcherService service, LifecycleTimeSpent spent, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            long t0 = Stopwatch.GetTimestamp();
            (int handled, _) = await service.PumpOnceAsync(ct);
            spent.Add(LifecycleTimeSpent.Dispatcher, t0, handled);
            if (handled == 0)
            {
                await Task.Delay(5, ct);
            }
        }
    }

    /// <summary>A disk mover: creates and completes its files a batch per commit (group commit of concurrent writers).</summary>
    private async Task IngestAsync(ICatalog catalog, PolicySelector selector, int count)
    {
        Checksum[] checksums = [new("adler32", "0badc0de")];
        for (int done = 0; done < count; done += settings.Batch)
        {
            NewCacheFile[] batch = [.. Enumerable.Range(0, Math.Min(settings.Batch, count - done)).Select(_ =>
            {
                string name = Guid.NewGuid().ToString("N");
                var attributes = new HsmFileAttributes { StorageGroup = "bench", FileFamily = "ff-bench", Wrapper = "cpio_odc", Library = "lib1", Size = FileSize };
                return new NewCacheFile(attributes, "/data/bench/" + name, "bench/" + name, name);
            })];
            FileRecord[] created = await WriteCacheCatalog.CreateManyAsync(catalog, selector, batch);
            FileRecord?[] completed = await WriteCacheCatalog.CompleteManyAsync(catalog, [.. created.Select(f => new CompletedCacheWrite(f.FileId, FileSize, checksums))]);
            if (completed.Any(f => f is null))
            {
                throw new InvalidOperationException("A file was not CREATED after its create.");
            }
        }
    }

    /// <summary>
    /// Runs a migrator step again when it lost an optimistic race: the dispatcher records the migrator's
    /// <c>Confirmation</c> on the list row while the migrator, with no tape I/O in between, already commits the list. The
    /// step rolled back whole, and runs again from fresh reads (the <see cref="Migrator"/> re-queues a claim that lost one).
    /// </summary>
    private static async ValueTask<T> RetryRacesAsync<T>(Func<ValueTask<T>> step, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (CatalogConflictException) when (attempt < 10)
            {
                await Task.Delay(attempt, ct);
            }
        }
    }

    /// <summary>A migrator without tape I/O: yields the files of each list it committed.</summary>
    private async IAsyncEnumerable<int> MigrateAsync(int worker, LifecycleTimeSpent spent, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        IMessageBus bus = world.WorkerBuses[worker];
        string id = $"bench-migrator-{worker}";
        var work = new ArchiveListWork(world.WorkerCatalogs[worker], id, notifyHost: false);
        var receive = new ReceiveOptions(id, 1, TimeSpan.FromMinutes(10));
        string queue = HsmTopology.CommandQueue(Library);
        int fseq = 0;
        long nextBlock = 1;
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<IDelivery> one = await bus.ReceiveAsync(queue, receive, ct);
            if (one.Count == 0)
            {
                await bus.WaitAsync(queue, TimeSpan.FromMilliseconds(20), ct);
                continue;
            }

            long t0 = Stopwatch.GetTimestamp();
            IDelivery delivery = one[0];
            ArchiveCommand command = HsmMessages.Read<ArchiveCommand>(delivery.Message);
            ArchiveClaim claim = await RetryRacesAsync(() => work.ClaimAsync(delivery.Message, command.ListId, command.Attempt, TimeSpan.FromMinutes(10), ct), ct);
            if (claim.Outcome != ArchiveClaimOutcome.Claimed)
            {
                throw new InvalidOperationException($"List {command.ListId:N} was not claimed: {claim.Outcome}.");
            }

            AggregationRecord aggregation = await work.BeginAggregationAsync(command.ListId, command.Attempt, 1, ct)
                ?? throw new InvalidOperationException("Fenced while beginning the aggregation.");
            var tapeFile = new TapeFileLocator(Vsn(worker), ++fseq, nextBlock);
            var members = claim.Members.Select((f, i) => new AggregationMemberRecord(aggregation.AggregationId, i, f.FileId, i * FileSize, i * (FileSize / BlockSize), 0, FileSize / BlockSize)).ToList();
            long blocks = members.Count * (FileSize / BlockSize);
            nextBlock += blocks + 2;
            if (!await work.RecordWriteStartAsync(aggregation.AggregationId, tapeFile, ct) || !await work.RecordWrittenAsync(aggregation.AggregationId, blocks, members, ct))
            {
                throw new InvalidOperationException("Fenced while recording the tape file.");
            }

            if (!await RetryRacesAsync(() => work.CommitAsync(delivery.Message, command.ListId, command.Attempt, [aggregation.AggregationId], ct), ct))
            {
                throw new InvalidOperationException($"List {command.ListId:N} was fenced at commit.");
            }

            _ = await delivery.AckAsync(CancellationToken.None);
            spent.Add(LifecycleTimeSpent.Migrator, t0, members.Count);
            yield return members.Count;
        }
    }
}

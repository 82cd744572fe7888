using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Testing;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>What a simulated migrator does with the next command it receives.</summary>
public enum MigratorBehavior
{
    /// <summary>Claim, "write and sync", commit.</summary>
    Commit,
    /// <summary>Acknowledge and reply Busy.</summary>
    Busy,
    /// <summary>Receive and crash before acknowledging (message lease expires, redelivery).</summary>
    CrashBeforeAck,
    /// <summary>Claim, acknowledge, then crash: the work lease expires; the worker may come back as a zombie.</summary>
    CrashAfterClaim,
    /// <summary>Claim, build and write the aggregation (WRITTEN, not synced), then crash: power loss before sync (F4).</summary>
    CrashAfterWrite,
    /// <summary>Claim, then fail with a retryable tape write error.</summary>
    TapeWriteError,
    /// <summary>Claim, then hit end of medium.</summary>
    EndOfMedium,
    /// <summary>Claim, then find the first member's write-cache copy missing.</summary>
    SourceMissing,
}

/// <summary>
/// A catalogue-side HSM world for scenario and property tests: catalogue, bus, dispatcher, and simulated migrators
/// whose tape work is instantaneous. Counts every successful commit per file, so tests can assert exactly-once archive.
/// </summary>
public sealed class HsmWorld : IAsyncDisposable
{
    public static readonly string[] DiskLibraries = ["DL-A", "DL-B"];

    private readonly Func<ValueTask>? _onDispose;
    private int _fseq;
    private int _migrators;

    private HsmWorld(FakeTimeProvider time, ICatalog catalog, IMessageBus bus, int seed, HsmMetrics? metrics, Func<ValueTask>? onDispose)
    {
        Time = time;
        Catalog = catalog;
        Bus = bus;
        Seed = seed;
        Metrics = metrics;
        _onDispose = onDispose;
        // Simulated tapes: each world (a process lifetime) appends in its own fseq range, so a restarted world over the
        // same catalogue never reuses a committed tape file.
        _fseq = seed * 1_000_000;
        Options = new DispatcherOptions { WorkLease = TimeSpan.FromMinutes(10), MaxAttempts = 5 };
        Selector = new PolicySelector(Policies());
        Dispatcher = NewDispatcher();
        Service = new DispatcherService(Dispatcher, catalog, bus, Options);
    }

    public FakeTimeProvider Time { get; }

    public ICatalog Catalog { get; }

    public IMessageBus Bus { get; }

    public int Seed { get; }

    public HsmMetrics? Metrics { get; }

    public DispatcherOptions Options { get; }

    public PolicySelector Selector { get; }

    public Dispatcher Dispatcher { get; private set; }

    public DispatcherService Service { get; private set; }

    /// <summary>Successful commits per file id.</summary>
    public Dictionary<long, int> Commits { get; } = [];

    /// <summary>All file ids ingested.</summary>
    public List<long> Files { get; } = [];

    /// <summary>Claims held by crashed workers that may come back.</summary>
    public List<(Envelope Command, ArchiveCommand Body, string Migrator)> Zombies { get; } = [];

    /// <summary>Successful zombie commits (legal only while the attempt was still current).</summary>
    public int ZombieCommits { get; private set; }

    public static PolicySet Policies() => ContractPolicies.Create(version: 3);

    public static async ValueTask<HsmWorld> InMemoryAsync(int seed, InProcessBusFaults? faults = null, HsmMetrics? metrics = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var catalog = new InMemoryCatalog(time);
        var bus = new InProcessMessageBus(time, new MessageBusOptions { MaxDeliveries = 50 }, faults);
        var world = new HsmWorld(time, catalog, bus, seed, metrics, () => { catalog.Dispose(); return ValueTask.CompletedTask; });
        await world.DeclareAsync();
        return world;
    }

    public static async ValueTask<HsmWorld> OverAsync(FakeTimeProvider time, ICatalog catalog, IMessageBus bus, int seed, Func<ValueTask>? onDispose = null)
    {
        var world = new HsmWorld(time, catalog, bus, seed, null, onDispose);
        await world.DeclareAsync();
        return world;
    }

    private ValueTask DeclareAsync() => Bus.DeclareAsync(HsmTopology.For(Options.DispatcherId, DiskLibraries, "host.notify"));

    private Dispatcher NewDispatcher() => new(Catalog, Options, new Random(Seed), Metrics);

    /// <summary>A disk mover writes a file: C1 then C2 with CacheWritten.</summary>
    public async ValueTask<FileRecord> IngestAsync(string storageGroup, long size)
    {
        FileRecord created = await WriteCacheCatalog.CreateAsync(Catalog, Selector,
            new HsmFileAttributes { StorageGroup = storageGroup, FileFamily = "ff", Library = "LIB", Size = size },
            $"/ns/{storageGroup}/{Files.Count}", $"{storageGroup}/{Files.Count}");
        FileRecord done = await WriteCacheCatalog.CompleteAsync(Catalog, created.FileId, size, [new Checksum("adler32", "0000abcd")])
            ?? throw new InvalidOperationException("CompleteAsync returned null for a fresh file.");
        Files.Add(done.FileId);
        return done;
    }

    /// <summary>The dispatcher process dies and a new one starts over the same catalogue (F5).</summary>
    public async ValueTask RestartDispatcherAsync()
    {
        Dispatcher = NewDispatcher();
        Service = new DispatcherService(Dispatcher, Catalog, Bus, Options);
        _ = await Dispatcher.StartAsync();
    }

    /// <summary>The dispatcher receives a batch of events and crashes before handling or acknowledging them.</summary>
    public async ValueTask DispatcherDropsDeliveriesAsync() =>
        _ = await Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("doomed", 8, Options.MessageLease));

    public ValueTask<(int Handled, DateTimeOffset? NextDue)> PumpAsync() => Service.PumpOnceAsync();

    /// <summary>One simulated migrator of <paramref name="diskLibrary"/> takes one command and behaves as told.</summary>
    public async ValueTask<bool> MigrateOneAsync(string diskLibrary, MigratorBehavior behavior)
    {
        await new OutboxRelay(Catalog, Bus).RelayAsync();
        string migratorId = $"{diskLibrary}-m{++_migrators}";
        IReadOnlyList<IDelivery> got = await Bus.ReceiveAsync(HsmTopology.CommandQueue(diskLibrary), new ReceiveOptions(migratorId, 1));
        if (got.Count == 0)
        {
            return false;
        }

        IDelivery delivery = got[0];
        if (behavior == MigratorBehavior.CrashBeforeAck)
        {
            return true;
        }

        ArchiveCommand body = HsmMessages.Read<ArchiveCommand>(delivery.Message);
        var work = new ArchiveListWork(Catalog, migratorId, Metrics);
        if (behavior == MigratorBehavior.Busy)
        {
            await work.ReplyBusyAsync(delivery.Message, body.ListId, body.Attempt, TimeSpan.FromSeconds(20), 0);
            await delivery.AckAsync();
            return true;
        }

        ArchiveClaim claim = await work.ClaimAsync(delivery.Message, body.ListId, body.Attempt, Options.WorkLease);
        await delivery.AckAsync();
        if (claim.Outcome != ArchiveClaimOutcome.Claimed)
        {
            return true;
        }

        switch (behavior)
        {
            case MigratorBehavior.Commit:
                await CommitAsync(work, delivery.Message, body, claim.Members);
                break;
            case MigratorBehavior.CrashAfterClaim:
                Zombies.Add((delivery.Message, body, migratorId));
                break;
            case MigratorBehavior.CrashAfterWrite:
                AggregationRecord? a = await work.BeginAggregationAsync(body.ListId, body.Attempt, 1);
                if (a is not null && await work.RecordWriteStartAsync(a.AggregationId, new TapeFileLocator("V00001", ++_fseq, _fseq * 1000L)))
                {
                    _ = await work.RecordWrittenAsync(a.AggregationId, 9, [.. claim.Members.Select((m, i) => new AggregationMemberRecord(a.AggregationId, i, m.FileId, i * 512L, i, 0, 1))]);
                }

                break;
            case MigratorBehavior.TapeWriteError:
                _ = await work.FailAsync(delivery.Message, new FailedReply(body.ListId, body.Attempt, FailureReason.TapeWriteError, true, "medium error", []));
                break;
            case MigratorBehavior.EndOfMedium:
                _ = await work.FailAsync(delivery.Message, new FailedReply(body.ListId, body.Attempt, FailureReason.EndOfMedium, true, "EOM", []));
                break;
            case MigratorBehavior.SourceMissing:
                _ = await work.FailAsync(delivery.Message, new FailedReply(body.ListId, body.Attempt, FailureReason.SourceMissing, false, "gone",
                    [claim.Members[0].FileId]));
                break;
        }

        return true;
    }

    /// <summary>A crashed worker comes back and tries to commit its old claim (F8): fenced unless its attempt is still current and unswept.</summary>
    public async ValueTask<bool?> ZombieCommitAsync()
    {
        if (Zombies.Count == 0)
        {
            return null;
        }

        (Envelope command, ArchiveCommand body, string migrator) = Zombies[0];
        Zombies.RemoveAt(0);
        var work = new ArchiveListWork(Catalog, migrator, Metrics);
        IReadOnlyList<FileRecord> members;
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            var list = new List<FileRecord>();
            foreach (long id in await txn.GetListMembersAsync(body.ListId))
            {
                list.Add((await txn.GetFileAsync(id))!);
            }

            members = list;
        }

        bool ok = await CommitAsync(work, command, body, members);
        ZombieCommits += ok ? 1 : 0;
        return ok;
    }

    /// <summary>The tape side, instantaneous: one aggregation per copy, G1 → G2 → G3, "sync", then the commit.</summary>
    private async ValueTask<bool> CommitAsync(ArchiveListWork work, Envelope command, ArchiveCommand body, IReadOnlyList<FileRecord> members)
    {
        var aggregations = new List<long>();
        for (int copy = 1; copy <= body.CopyCount; copy++)
        {
            AggregationRecord? a = await work.BeginAggregationAsync(body.ListId, body.Attempt, copy);
            if (a is null)
            {
                return false;
            }

            int fseq = ++_fseq;
            if (!await work.RecordWriteStartAsync(a.AggregationId, new TapeFileLocator($"V{copy:00000}", fseq, fseq * 1000L)))
            {
                return false;
            }

            AggregationMemberRecord[] rows = [.. members.Select((m, i) => new AggregationMemberRecord(a.AggregationId, i, m.FileId, i * 2048L, i * 4L, 0, 4))];
            if (!await work.RecordWrittenAsync(a.AggregationId, members.Count * 4L + 1, rows))
            {
                return false;
            }

            aggregations.Add(a.AggregationId);
        }

        bool ok = await work.CommitAsync(command, body.ListId, body.Attempt, aggregations);
        if (ok)
        {
            foreach (FileRecord m in members)
            {
                Commits[m.FileId] = Commits.GetValueOrDefault(m.FileId) + 1;
            }
        }

        return ok;
    }

    /// <summary>Runs everything to quiescence with well-behaved migrators, advancing the clock as timers require.</summary>
    public async ValueTask DrainAsync(int maxRounds = 400)
    {
        for (int round = 0; round < maxRounds; round++)
        {
            (_, DateTimeOffset? next) = await PumpAsync();
            bool worked = false;
            foreach (string dl in DiskLibraries)
            {
                while (await MigrateOneAsync(dl, MigratorBehavior.Commit))
                {
                    worked = true;
                }
            }

            (_, next) = await PumpAsync();
            if (!worked && await IsQuietAsync())
            {
                return;
            }

            if (!worked)
            {
                TimeSpan step = next is { } due && due > Time.GetUtcNow() ? due - Time.GetUtcNow() : TimeSpan.FromSeconds(61);
                Time.Advance(step < TimeSpan.FromSeconds(61) ? TimeSpan.FromSeconds(61) : step);
            }
        }

        throw new InvalidOperationException($"The world did not become quiet in {maxRounds} rounds (seed {Seed}).");
    }

    public async ValueTask<bool> IsQuietAsync()
    {
        if ((await Catalog.ReadOutboxAsync(1)).Count > 0)
        {
            return false;
        }

        foreach (string q in new[] { HsmTopology.DispatcherEventsQueue, HsmTopology.ReplyQueue(Options.DispatcherId) }.Concat(DiskLibraries.Select(HsmTopology.CommandQueue)))
        {
            QueueStats s = await Bus.GetStatsAsync(q);
            if (s.Ready + s.Leased + s.Delayed > 0)
            {
                return false;
            }
        }

        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        return (await txn.QueryListsAsync(new ListQuery { States = ListQuery.LiveStates })).Count == 0;
    }

    public async ValueTask<IReadOnlyList<FileRecord>> AllFilesAsync()
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        return await txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_onDispose is not null)
        {
            await _onDispose();
        }
    }
}

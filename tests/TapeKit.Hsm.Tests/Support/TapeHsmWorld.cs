using Microsoft.Extensions.Time.Testing;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// An HSM world with real bytes: SQLite catalogue and queues on a fake clock, a write cache on disk, a virtual tape
/// library (one pool, three prelabelled LTO-9 cartridges, two drives), the dispatcher, a migrator, a stager and a
/// purger of one disk library. Lists close at <see cref="FilesPerList"/> members.
/// </summary>
public sealed class TapeHsmWorld : IAsyncDisposable
{
    public const string DiskLibrary = "DL-A";
    public const string Pool = "pool-a";
    public const int FilesPerList = 10;

    private readonly SqliteHsmOptions _storeOptions;
    private readonly ITimer? _catalogueFollowsTape;
    private int _migrators;

    public const string SecondPool = "pool-b";

    private TapeHsmWorld(string root, FakeTimeProvider time, SqliteHsmStore store, VirtualTapeLibrary library, int seed, int copies, bool twoPools, AggregationPayloadFormat format, bool oneClock, Func<ITapeDrive, TapeDriveWorker>? workers)
    {
        if (oneClock)
        {
            // One clock: every simulated second the drives spend (mounts, writes, syncs) passes on the catalogue's clock too.
            _catalogueFollowsTape = library.Clock.CreateTimer(_ => time.Advance(TimeSpan.FromSeconds(1)), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        Root = root;
        Time = time;
        Store = store;
        Library = library;
        Seed = seed;
        _storeOptions = new SqliteHsmOptions { Path = Path.Combine(root, "catalogue.db"), MaxDeliveries = 50 };
        CacheRoot = Path.Combine(root, "cache");
        StageRoot = Path.Combine(root, "stage");
        Directory.CreateDirectory(CacheRoot);
        Directory.CreateDirectory(StageRoot);
        Selector = new PolicySelector(new PolicySet
        {
            Version = 1,
            Rules =
            [
                new PolicyRule { Name = "b", Match = new() { ["storageGroup"] = "sg-b" }, DiskLibrary = DiskLibrary, TapePool = SecondPool, MaxFilesPerAggregation = FilesPerList, MaxWaitingTime = TimeSpan.FromHours(1), CopyCount = copies, Format = format },
                new PolicyRule { Name = "all", DiskLibrary = DiskLibrary, TapePool = Pool, MaxFilesPerAggregation = FilesPerList, MaxWaitingTime = TimeSpan.FromHours(1), CopyCount = copies, Format = format },
            ],
        });
        Labels = new LabelWriter(new LabelWriterOptions { Clock = library.Clock, Site = "TEST", HostName = "mover" });
        Drives = new VirtualLibraryDrivePool(library, twoPools ? [0, 1] : [0], workers: workers);
        DispatcherOptions = new DispatcherOptions { WorkLease = TimeSpan.FromMinutes(10) };
        NewDispatcher();
        Migrator = NewMigrator();
    }

    public string Root { get; }

    public FakeTimeProvider Time { get; }

    public SqliteHsmStore Store { get; private set; }

    public ICatalog Catalog => Store.Catalog;

    public VirtualTapeLibrary Library { get; }

    public int Seed { get; }

    public string CacheRoot { get; }

    public string StageRoot { get; }

    public PolicySelector Selector { get; }

    public LabelWriter Labels { get; }

    public VirtualLibraryDrivePool Drives { get; }

    public DispatcherOptions DispatcherOptions { get; }

    public Dispatcher Dispatcher { get; private set; } = null!;

    public DispatcherService Service { get; private set; } = null!;

    public Migrator Migrator { get; private set; }

    /// <summary>File number → (file id, size).</summary>
    public List<(long FileId, long Size)> Files { get; } = [];

    /// <summary>
    /// Creates a world; with <paramref name="twoPools"/>, storage group <c>sg-b</c> goes to a second pool (tapes U…) and
    /// the migrator gets two drives; with <paramref name="oneClock"/>, the catalogue's clock advances with the tape
    /// library's (tests still move the catalogue's alone with <see cref="Time"/>); <paramref name="profile"/> replaces LTO-9;
    /// <paramref name="workers"/> makes the pool's drive workers (a dedicated thread per mounted drive by default).
    /// </summary>
    public static async Task<TapeHsmWorld> CreateAsync(
        int seed = 1, int tapes = 3, Func<string, VirtualCartridgeOptions?>? cartridge = null, int copies = 1, bool twoPools = false,
        AggregationPayloadFormat format = AggregationPayloadFormat.Tar, bool oneClock = false, MediaProfile? profile = null,
        Func<ITapeDrive, TapeDriveWorker>? workers = null)
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-hsmtape-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = Path.Combine(root, "catalogue.db"), MaxDeliveries = 50 }, time);
        var library = VirtualTapeLibrary.Open(Path.Combine(root, "library"), new VirtualLibraryOptions { Drives = 2, Profile = profile ?? MediaProfile.Lto9 }, new VirtualClock());
        var world = new TapeHsmWorld(root, time, store, library, seed, copies, twoPools, format, oneClock, workers);
        await store.Bus.DeclareAsync(HsmTopology.For(world.DispatcherOptions.DispatcherId, [DiskLibrary], "host"));
        (string Prefix, string Pool)[] pools = twoPools ? [("T", Pool), ("U", SecondPool)] : [("T", Pool)];
        foreach ((string prefix, string pool) in pools)
        {
            for (int i = 1; i <= tapes; i++)
            {
                string vsn = $"{prefix}{i:D5}";
                library.CreateCartridge(vsn, options: cartridge?.Invoke(vsn));
                await using (TapeMount mount = world.Drives.Acquire(vsn))
                {
                    _ = await mount.RunAsync(drive => AulVolume.Prelabel(drive, world.Labels, vsn));
                }

                await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
                await txn.InsertTapeAsync(new TapeRecord { Vsn = vsn, Pool = pool, CapacityEstimate = MediaProfile.Lto9.Capacity, BlockSize = 256 * 1024 });
                await txn.CommitAsync();
            }
        }

        _ = await world.Drives.DismountIdleAsync();
        return world;
    }

    /// <summary>A new dispatcher process over the same store (F5: it reloads everything from the catalogue).</summary>
    public void NewDispatcher()
    {
        Dispatcher = new Dispatcher(Store.Catalog, DispatcherOptions, new Random(Seed));
        Service = new DispatcherService(Dispatcher, Store.Catalog, Store.Bus, DispatcherOptions);
    }

    /// <summary>A new migrator process (a new instance id), as after a crash and restart; <paramref name="configure"/> changes its options.</summary>
    public Migrator NewMigrator(Action<MigratorOptions>? configure = null)
    {
        var options = new MigratorOptions { MigratorId = $"migrator-{++_migrators}", DiskLibrary = DiskLibrary, CacheRoot = CacheRoot };
        configure?.Invoke(options);
        Migrator = new Migrator(Store.Catalog, Store.Bus, Drives, Labels, options, Library.Clock);
        return Migrator;
    }

    /// <summary>Closes the store and opens it again from its file, with a new dispatcher (the whole host restarted).</summary>
    public async Task RestartAsync()
    {
        await Store.DisposeAsync();
        Store = await SqliteHsmStore.OpenAsync(_storeOptions, Time);
        NewDispatcher();
        _ = NewMigrator();
        _ = await Dispatcher.StartAsync();
    }

    /// <summary>Writes <paramref name="count"/> files into the write cache (C1, C2), sizes 1 KiB … 300 KiB.</summary>
    public async Task IngestAsync(int count, int minSize = 1024, int maxSize = 300 * 1024, string storageGroup = "sg")
    {
        var random = new Random(Seed * 7919 + Files.Count);
        for (int i = 0; i < count; i++)
        {
            int number = Files.Count;
            long size = random.Next(minSize, maxSize + 1);
            string cachePath = $"data/run{number / 100:D3}/f{number:D6}";
            FileRecord created = await WriteCacheCatalog.CreateAsync(Catalog, Selector,
                new HsmFileAttributes { StorageGroup = storageGroup, Size = size }, "/" + cachePath, cachePath);
            byte[] bytes = Content(number, size);
            string path = Path.Combine(CacheRoot, cachePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, bytes);
            var hasher = new MemberHasher();
            hasher.AppendWhole(bytes);
            _ = await WriteCacheCatalog.CompleteAsync(Catalog, created.FileId, size, HsmChecksums.From(hasher.GetDigest()));
            Files.Add((created.FileId, size));
        }
    }

    /// <summary>The bytes of file number <paramref name="number"/>.</summary>
    public byte[] Content(int number, long size)
    {
        byte[] bytes = new byte[size];
        new Random(HashCode.Combine(Seed, number)).NextBytes(bytes);
        return bytes;
    }

    public async Task PumpAsync()
    {
        while ((await Service.PumpOnceAsync()).Handled > 0)
        {
        }
    }

    /// <summary>Closes every filling list and pumps until the commands are out.</summary>
    public async Task FlushAsync()
    {
        await PumpAsync();
        _ = await Dispatcher.FlushAsync();
        await PumpAsync();
    }

    /// <summary>
    /// Runs the dispatcher and the migrator until every file is archived, advancing the fake clock past backoffs and
    /// leases when nothing is ready; gives up after <paramref name="rounds"/> rounds.
    /// </summary>
    public async Task ArchiveAllAsync(int rounds = 60)
    {
        for (int round = 0; round < rounds; round++)
        {
            await PumpAsync();
            if (await CountAsync(ArchiveStatus.Archived) == Files.Count)
            {
                return;
            }

            if (await Migrator.RunOnceAsync() == 0)
            {
                Time.Advance(TimeSpan.FromMinutes(2));
            }
        }

        throw new InvalidOperationException($"Only {await CountAsync(ArchiveStatus.Archived)} of {Files.Count} files were archived after {rounds} rounds.");
    }

    public async Task<int> CountAsync(ArchiveStatus status)
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        return (await txn.QueryFilesAsync(new FileQuery { ArchiveStatus = status })).Count;
    }

    public async Task<FileRecord> FileAsync(long fileId)
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        return (await txn.GetFileAsync(fileId))!;
    }

    /// <summary>Every aggregation of the catalogue, with its members.</summary>
    public async Task<List<(AggregationRecord Aggregation, IReadOnlyList<AggregationMemberRecord> Members)>> AggregationsAsync()
    {
        var result = new List<(AggregationRecord, IReadOnlyList<AggregationMemberRecord>)>();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        foreach (FileListRecord list in await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive }))
        {
            foreach (AggregationRecord a in await txn.GetAggregationsOfListAsync(list.ListId))
            {
                result.Add((a, await txn.GetAggregationMembersAsync(a.AggregationId)));
            }
        }

        return result;
    }

    /// <summary>Takes every host notification of <paramref name="type"/> waiting now (others are acknowledged too).</summary>
    public async Task<List<T>> HostEventsAsync<T>(string type)
    {
        await new OutboxRelay(Catalog, Store.Bus).RelayAsync();
        var bodies = new List<T>();
        IReadOnlyList<IDelivery> got;
        while ((got = await Store.Bus.ReceiveAsync("host", new ReceiveOptions("test-host", 100))).Count > 0)
        {
            bodies.AddRange(got.Where(d => d.Message.Type == type).Select(d => HsmMessages.Read<T>(d.Message)));
            _ = await Store.Bus.AckManyAsync(got);
        }

        return bodies;
    }

    /// <summary>Lists, aggregations and tapes, one line each: what a failing test prints.</summary>
    public async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        foreach (FileListRecord l in await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive }))
        {
            lines.Add($"list {l.ListId:N} {l.State} attempt {l.Attempt} failures {l.FailureCount} busy {l.BusyCount} reason {l.FailureReason} owner {l.Owner} lease {l.LeaseUntil:HH:mm} notBefore {l.NotBefore:HH:mm}");
            foreach (AggregationRecord a in await txn.GetAggregationsOfListAsync(l.ListId))
            {
                lines.Add($"  aggregation {a.AggregationId} attempt {a.Attempt} {a.State} {a.TapeFile} {a.FailureReason}");
            }
        }

        foreach (TapeRecord t in await txn.QueryTapesAsync())
        {
            lines.Add($"tape {t.Vsn} {t.State} lastFseq {t.LastFseq} mountedBy {t.MountedBy} until {t.MountLeaseUntil:HH:mm}");
        }

        lines.Add($"now {Time.GetUtcNow():HH:mm}");
        return string.Join("\n", lines);
    }

    /// <summary>The tape files on <paramref name="vsn"/>, scanned on the drive thread of a mount of the world's pool.</summary>
    public async Task<IReadOnlyList<TapeFileInfo>> ScanTapeAsync(string vsn)
    {
        await using TapeMount mount = Drives.Acquire(vsn);
        return await mount.RunAsync(drive => AulVolume.Mount(drive, vsn).Scan());
    }

    public async Task<TapeRecord> TapeAsync(string vsn)
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        return (await txn.GetTapeAsync(vsn))!;
    }

    /// <summary>
    /// The archive outcome every failure test demands: every file <c>ARCHIVED</c> with exactly its required number of
    /// <c>ON_TAPE</c> copies (one per copy number), the invariants I1–I4 hold, and the tape holds exactly the
    /// committed tape files' bytes.
    /// </summary>
    public async Task AssertArchivedExactlyOnceAsync()
    {
        Assert.Equal(Files.Count, await CountAsync(ArchiveStatus.Archived));
        var onTape = (await AggregationsAsync()).Where(a => a.Aggregation.State == AggregationState.OnTape).ToList();
        var copies = onTape.SelectMany(a => a.Members).GroupBy(m => m.FileId).ToDictionary(g => g.Key, g => g.Count());
        int required = Selector.Decide(new HsmFileAttributes { StorageGroup = "sg", Size = 1 }).CopyCount;
        Assert.All(Files, f => Assert.Equal(required, copies.GetValueOrDefault(f.FileId)));
        Assert.Empty(await HsmInvariants.CheckAsync(Catalog, TimeSpan.FromMinutes(10)));
    }

    public Purger NewPurger() => new(Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.Zero, HighWatermark = null, LowWatermark = null }),
        new PurgerOptions { DiskLibrary = DiskLibrary, CacheRoot = CacheRoot });

    /// <summary>A stager over the world's drive pool, or over <paramref name="drives"/>.</summary>
    public Stager NewStager(ITapeDrivePool? drives = null, double readAheadFraction = 0.5, long wholeReadBelowBytes = 1_000_000_000, string stagerId = "") => new(Catalog, drives ?? Drives, new RecallPlanner(new RecallOptions
    {
        ReadAheadFraction = readAheadFraction,
        WholeReadBelowBytes = wholeReadBelowBytes,
        MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
        FillWait = TimeSpan.Zero,
        RemountDelay = TimeSpan.Zero,
    }), new StagerOptions { DiskLibrary = DiskLibrary, CacheRoot = CacheRoot, StageRoot = StageRoot, StagerId = stagerId });

    /// <summary>Whether file number <paramref name="number"/> is in the cache with exactly its original bytes.</summary>
    public bool CachedIntact(int number)
    {
        string path = Path.Combine(CacheRoot, $"data/run{number / 100:D3}/f{number:D6}");
        return File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(Content(number, Files[number].Size));
    }

    public async ValueTask DisposeAsync()
    {
        _catalogueFollowsTape?.Dispose();
        Library.Dispose();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

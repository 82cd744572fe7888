using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Hosting;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.IO;
using TapeKit.Labels;
using TapeKit.Layout;

namespace SmallFilesCache;

/// <summary>
/// The clustered SFA design of the Enstore seed, composed from TapeKit's pieces on one machine: per disk library a
/// write/read cache area, a stage area, a migrator and a stager with their own drives, and a purger; one dispatcher;
/// the catalogue and the durable queues in one SQLite file; a virtual tape library with one tape pool per disk library.
/// </summary>
public sealed class CacheSite : IAsyncDisposable
{
    /// <summary>The queue the host's archive notifications (<c>FileArchived</c>) land in.</summary>
    public const string NotifyQueue = "sfa.host.notify";

    /// <summary>The site's dispatcher id (its reply queue is named after it).</summary>
    public const string DispatcherId = "sfa-dispatcher";

    private readonly ServiceProvider _services;
    private readonly IMessageBus _bus;
    private readonly DispatcherService _dispatcherService;
    private readonly OutboxRelay _relay;
    private readonly Dictionary<string, DiskLibrary> _libraries;

    private CacheSite(SiteOptions options, string root, ServiceProvider services, VirtualTapeLibrary library, Dictionary<string, DiskLibrary> libraries)
    {
        Options = options;
        Root = root;
        _services = services;
        TapeLibrary = library;
        Incarnation = services.GetRequiredService<InstanceIncarnation>();
        Catalog = services.GetRequiredService<ICatalog>();
        _bus = services.GetRequiredService<IMessageBus>();
        Selector = services.GetRequiredService<IPolicySelector>();
        Dispatcher = services.GetRequiredService<Dispatcher>();
        _dispatcherService = services.GetRequiredService<DispatcherService>();
        _relay = new OutboxRelay(Catalog, _bus);
        _libraries = libraries;
    }

    /// <summary>This run of the daemon: its instance name and epoch; every worker id of the site names it.</summary>
    public InstanceIncarnation Incarnation { get; }

    /// <summary>What start-up recovery gave back of the previous incarnations' work (queue leases, tape reservations).</summary>
    public InstanceRecoveryReport? Recovery { get; private set; }

    /// <summary>The interrupted ingests start-up recovery completed or rolled back.</summary>
    public WriteCacheRecoveryReport? IngestRecovery { get; private set; }

    /// <summary>The recalls start-up recovery gave back that an earlier run's stagers had claimed and not published (a whole site only).</summary>
    public int StageRecovery { get; private set; }

    /// <summary>The site's options.</summary>
    public SiteOptions Options { get; }

    /// <summary>The site's root directory.</summary>
    public string Root { get; }

    /// <summary>The catalogue.</summary>
    public ICatalog Catalog { get; }

    /// <summary>The policy selector.</summary>
    public IPolicySelector Selector { get; }

    /// <summary>The dispatcher.</summary>
    public Dispatcher Dispatcher { get; }

    /// <summary>The dispatcher's run loop (a dispatcher process runs it; the single-process site pumps it).</summary>
    public DispatcherService DispatcherService => _dispatcherService;

    /// <summary>The bus.</summary>
    public IMessageBus Bus => _bus;

    /// <summary>The virtual tape library.</summary>
    public VirtualTapeLibrary TapeLibrary { get; }

    /// <summary>The disk libraries by name.</summary>
    public IReadOnlyDictionary<string, DiskLibrary> Libraries => _libraries;

    /// <summary>Robot mounts so far, all drive pools together.</summary>
    public int Mounts => _libraries.Values.Sum(l => l.Drives.Mounts);

    /// <summary><c>FileArchived</c> notifications the host received.</summary>
    public int ArchiveNotifications { get; private set; }

    /// <summary>
    /// Opens (and on first use sets up) a site. The site is composed the way a host composes TapeKit's HSM: its engines
    /// (<see cref="SiteEngines"/>: SQLite, or PostgreSQL with its queue or RabbitMQ), <c>AddTapeKitHsm</c> (policies,
    /// dispatcher, recall planner, this process's incarnation) and one <c>AddTapeKitDiskLibrary</c> per disk library
    /// (migrator, stager, purger) over its drives of the virtual tape library.
    /// </summary>
    /// <param name="options">The site.</param>
    /// <param name="catalogTime">The catalogue's clock.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="ct">Cancels set-up.</param>
    public static Task<CacheSite> OpenAsync(SiteOptions options, TimeProvider catalogTime, ILoggerFactory loggers, CancellationToken ct = default) =>
        OpenAsync(options, SiteRole.All, catalogTime, loggers, ct);

    /// <summary>
    /// Opens the part of a site one process plays (<see cref="SiteRole"/>): every role composes the same services, but
    /// only the front end sets up tapes and recovers interrupted ingests, and only the single-process site starts the
    /// dispatcher here (a dispatcher process starts it when it wins its term).
    /// </summary>
    /// <param name="options">The site.</param>
    /// <param name="role">What this process does.</param>
    /// <param name="catalogTime">The catalogue's clock.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="ct">Cancels set-up.</param>
    public static async Task<CacheSite> OpenAsync(SiteOptions options, SiteRole role, TimeProvider catalogTime, ILoggerFactory loggers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string root = Path.GetFullPath(string.IsNullOrEmpty(options.Root) ? "sfa-site" : options.Root);
        SafeDirectory.Create(root, root, options.DirectoryMode, "site root"); // 0700 (0750 with GroupAccess) when new
        WarnIfOpenToOthers(root, loggers.CreateLogger<CacheSite>());
        MediaProfile profile = MediaProfile.Get(options.Media);
        var clock = new VirtualClock();
        var library = VirtualTapeLibrary.Open(Path.Combine(root, "library"), new VirtualLibraryOptions
        {
            Name = "sfa-vtl",
            Drives = options.DiskLibraries.SelectMany(d => d.Drives).DefaultIfEmpty(0).Max() + 1,
            Profile = profile,
            Shared = options.SharedTapeLibrary,
        }, clock);
        var labels = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "SFA", HostName = "mover01" });

        IServiceCollection services = new ServiceCollection()
            .AddSingleton(loggers)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddMetrics()
            .AddSingleton(catalogTime)
            .AddSingleton(labels)
            .AddSiteEngines(options, root, leaderElection: role == SiteRole.Dispatcher)
            .AddTapeKitHsm(o =>
            {
                o.InstanceName = string.IsNullOrEmpty(options.InstanceName) ? $"{Environment.MachineName}/smallfilescache" : options.InstanceName;
                o.DiskLibraries = [.. options.DiskLibraries.Select(d => d.Name)];
                o.Policies = options.Policies;
                // The dispatcher id is an address (its reply queue) and stays; what it leases is held by this incarnation.
                o.Dispatcher.DispatcherId = DispatcherId;
                o.Dispatcher.PollInterval = options.PollInterval;
                o.Dispatcher.WorkLease = options.WorkLease;
                o.Dispatcher.MessageLease = options.MessageLease;
                o.Dispatcher.PlanRecalls = true; // Stage commands of the dispatcher's recall planner run on each disk library's migrator.
                o.Recall = options.Recall;
                o.Purge = new PurgeOptions { MinAge = options.PurgeMinAge, HighWatermark = options.PurgeHighWatermark, LowWatermark = options.PurgeLowWatermark };
                o.RandomSeed = 20261123;
            });
        // With the drive scheduler every disk library's sessions queue for any drive; the host assigns none.
        services.AddSingleton<IDriveScheduler>(sp => new DriveScheduler(sp.GetRequiredService<ICatalog>(), new DriveSchedulerOptions
        {
            Library = "sfa-vtl",
            DismountDelay = TimeSpan.Zero, // The host's DismountIdleAsync decides when idle cartridges go back, as before.
            RemountDelay = options.Recall.RemountDelay,
            MountLease = options.WorkLease,
            PollInterval = TimeSpan.FromMilliseconds(50),
        }));
        foreach (DiskLibraryOptions dl in options.DiskLibraries)
        {
            services
                .AddKeyedSingleton<ITapeDrivePool>(dl.Name, (sp, _) => DrivePool(sp, options, library, dl))
                .AddKeyedSingleton<TimeProvider>(dl.Name, clock) // The drives' simulated time.
                .AddTapeKitDiskLibrary(dl.Name, o =>
                {
                    o.CacheRoot = Path.Combine(root, "cache", dl.Name);
                    o.StageRoot = Path.Combine(root, "stage", dl.Name);
                    o.CacheCapacityBytes = dl.CacheCapacityBytes;
                    o.FileMode = options.FileMode;
                    o.DirectoryMode = options.DirectoryMode;
                    o.Migrator.WorkLease = options.WorkLease;
                    o.Migrator.MessageLease = options.MessageLease;
                });
        }

        ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            // The incarnation first: a new epoch before any worker of this run touches the catalogue.
            _ = provider.GetRequiredService<InstanceIncarnation>();
            await provider.GetRequiredService<IMessageBus>().DeclareAsync(
                HsmTopology.For(provider.GetRequiredService<IOptions<HsmOptions>>().Value.Dispatcher.DispatcherId, options.DiskLibraries.Select(d => d.Name), NotifyQueue), ct);
            var libraries = new Dictionary<string, DiskLibrary>(StringComparer.Ordinal);
            foreach (DiskLibraryOptions dl in options.DiskLibraries)
            {
                DiskLibraryServiceOptions settings = provider.GetRequiredService<IOptionsMonitor<DiskLibraryServiceOptions>>().Get(dl.Name);
                // Made with the site's mode when missing; an area the operator links to another disk is the operator's choice.
                SafeDirectory.Create(settings.CacheRoot, settings.CacheRoot, settings.DirectoryMode, "cache area");
                SafeDirectory.Create(settings.StageRoot, settings.StageRoot, settings.DirectoryMode, "stage area");
                libraries[dl.Name] = new DiskLibrary(dl.Name, settings.CacheRoot, provider.GetRequiredKeyedService<ITapeDrivePool>(dl.Name),
                    provider.GetRequiredKeyedService<Migrator>(dl.Name), provider.GetRequiredKeyedService<Stager>(dl.Name), provider.GetRequiredKeyedService<Purger>(dl.Name));
            }

            var site = new CacheSite(options, root, provider, library, libraries);
            if (role is SiteRole.All or SiteRole.FrontEnd)
            {
                await site.EnsureTapesAsync(labels, profile, ct);
            }

            await site.RecoverAsync(role, ct);
            return site;
        }
        catch
        {
            library.Dispose();
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Warns when the site's root lets other users in: everything below it (cache, catalogue, cartridges) is then only as
    /// private as each file's own permissions. The daemon never widens or narrows an existing directory itself.
    /// </summary>
    private static void WarnIfOpenToOthers(string root, ILogger logger)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(root) & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.OtherWrite)) != 0)
        {
            logger.LogWarning("The site root {Root} is open to other users ({Mode}); make it 0700 (0750 with GroupAccess): see docs/security.md.",
                root, File.GetUnixFileMode(root));
        }
    }

    /// <summary>The disk library a file with these attributes goes to.</summary>
    /// <param name="attributes">The file's attributes.</param>
    public DiskLibrary LibraryFor(HsmFileAttributes attributes) => _libraries[Selector.Decide(attributes).DiskLibrary];

    /// <summary>
    /// A process of a clustered site that is not the dispatcher: hands its outbox rows (events of its ingests, replies
    /// of its migrators) to the bus, and drains the host's notifications when it is the front end.
    /// </summary>
    /// <param name="notifications">Whether to drain the host's notification queue.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task RelayAsync(bool notifications, CancellationToken ct = default)
    {
        while (await _relay.RelayAsync(ct: ct) > 0)
        {
        }

        IReadOnlyList<IDelivery> notes;
        while (notifications && (notes = await _bus.ReceiveAsync(NotifyQueue, new ReceiveOptions(Incarnation.WorkerId("host"), 500), ct)).Count > 0)
        {
            ArchiveNotifications += await _bus.AckManyAsync(notes, ct);
        }
    }

    /// <summary>Runs the dispatcher until it has nothing left to handle now, and drains the host's notifications.</summary>
    /// <param name="ct">Cancels the pump.</param>
    public async Task PumpAsync(CancellationToken ct = default)
    {
        while ((await _dispatcherService.PumpOnceAsync(ct)).Handled > 0)
        {
        }

        IReadOnlyList<IDelivery> notes;
        while ((notes = await _bus.ReceiveAsync(NotifyQueue, new ReceiveOptions(Incarnation.WorkerId("host"), 500), ct)).Count > 0)
        {
            ArchiveNotifications += await _bus.AckManyAsync(notes, ct);
        }
    }

    /// <summary>Closes every filling list now (end of an ingest burst), then pumps.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task FlushListsAsync(CancellationToken ct = default)
    {
        await PumpAsync(ct); // Files whose CacheWritten is still queued join a list first, then every list closes.
        _ = await Dispatcher.FlushAsync(ct: ct);
        await PumpAsync(ct);
    }

    /// <summary>
    /// Each disk library's migrator serves its queue until it is empty, one after the other; the dispatcher handles
    /// the replies in between. One after the other because the virtual library's drives share one simulated clock
    /// that advances with each operation: a drive running beside another would see the other's time as its own idle
    /// time (buffer drained, back-hitches) — real drives, or the <c>SimulationScheduler</c>, run side by side.
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        foreach (DiskLibrary dl in _libraries.Values)
        {
            await PumpAsync(ct);
            while (await dl.Migrator.RunOnceAsync(ct) > 0)
            {
                await PumpAsync(ct);
            }
        }

        await PumpAsync(ct);
    }

    /// <summary>
    /// A disk library's drives: its own (<see cref="DiskLibraryOptions.Drives"/>), or with <see cref="SiteOptions.ScheduleDrives"/>
    /// every drive of the library through the drive scheduler. A session waits at most <see cref="SiteOptions.MountWait"/> (a poll
    /// interval unless set) for a drive, then its migrator answers busy and the dispatcher sends the command again later (F1).
    /// </summary>
    private static ITapeDrivePool DrivePool(IServiceProvider sp, SiteOptions options, VirtualTapeLibrary library, DiskLibraryOptions dl)
    {
        ICatalog catalog = sp.GetRequiredService<ICatalog>();
        var recorder = new CatalogMountRecorder(catalog);
        if (!options.ScheduleDrives)
        {
            return new VirtualLibraryDrivePool(library, dl.Drives, recorder);
        }

        string requester = sp.GetRequiredService<InstanceIncarnation>().WorkerId("drives-" + dl.Name); // fenced when this process starts again
        return new ScheduledDrivePool(sp.GetRequiredService<IDriveScheduler>(), new VirtualLibraryDrivePool(library, recorder: recorder), catalog, requester)
        {
            MountWait = options.MountWait ?? options.PollInterval,
            RetryDelay = TimeSpan.FromMilliseconds(50),
            Logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<ScheduledDrivePool>(),
        };
    }

    /// <summary>Dismounts every cartridge left in an idle drive (the dismount delay is over) and records when, for the remount guard.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task DismountIdleAsync(CancellationToken ct = default)
    {
        foreach (DiskLibrary dl in _libraries.Values)
        {
            _ = await dl.Drives.DismountIdleAsync(ct); // The pool records each dismount in the catalogue.
        }
    }

    /// <summary>Runs every purger once.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<PurgeReport[]> PurgeAsync(CancellationToken ct = default)
    {
        var reports = new List<PurgeReport>();
        foreach (DiskLibrary dl in _libraries.Values)
        {
            reports.Add(await dl.Purger.RunOnceAsync(ct: ct));
        }

        return [.. reports];
    }

    /// <summary>
    /// Serves the waiting recall requests the distributed way: the dispatcher's planner turns due per-tape queues into
    /// stage lists and <c>Stage</c> commands, and each disk library's migrator carries them out with its stager.
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    public Task RecallAsync(CancellationToken ct = default) => MigrateAsync(ct);

    /// <summary>
    /// Completes or rolls back the ingests (rows <c>CREATED</c>) of this site's disk libraries created before
    /// <paramref name="createdBefore"/> (<see cref="WriteCacheRecovery.RecoverAsync"/>): at start, the ones a crash
    /// interrupted; between two rounds of the daemon (no ingest in progress), the ones a full catalogue disk interrupted
    /// between their rows and their commit. A front end's call (it owns the ingests).
    /// </summary>
    /// <param name="createdBefore">Only rows created before this instant (later ones are writes in progress).</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<WriteCacheRecoveryReport> RecoverIngestsAsync(DateTimeOffset createdBefore, CancellationToken ct = default) =>
        WriteCacheRecovery.RecoverAsync(Catalog,
            f => _libraries.TryGetValue(f.Decision.DiskLibrary, out DiskLibrary? dl) && CacheArea.Problem(f.CachePath) is null ? CacheArea.Resolve(dl.CacheRoot, f.CachePath) : null,
            createdBefore, ct);

    /// <summary>
    /// Start-up recovery, before any worker of this incarnation runs: the previous incarnations' queue leases and tape
    /// reservations come back at once, interrupted ingests are completed or rolled back, a whole site's stage areas are
    /// emptied of stopped sessions' copies (and recalls left claimed outside a live stage list are given back), and the
    /// dispatcher reconciles (its first tick re-queues the lists they held, fenced by epoch).
    /// </summary>
    private async Task RecoverAsync(SiteRole role, CancellationToken ct)
    {
        DateTimeOffset startedAt = Catalog.Time.GetUtcNow();
        Recovery = await InstanceStartup.RecoverAsync(Catalog, _bus, Incarnation, ct);
        if (role is SiteRole.All or SiteRole.FrontEnd)
        {
            // The ingests are the front end's: only it may finish or roll back the ones a crash interrupted.
            IngestRecovery = await RecoverIngestsAsync(startedAt, ct);
        }

        if (role == SiteRole.All)
        {
            // One process is the site: its stagers are the only ones of their disk libraries, so what their stage areas and
            // the catalogue hold of a stopped stage session is the previous incarnation's. Members of live stage lists are
            // left to the dispatcher, whose first tick re-queues those lists.
            foreach (DiskLibrary dl in _libraries.Values)
            {
                StageRecovery += await dl.Stager.RequeueInterruptedAsync(ct);
            }

            _ = await Dispatcher.StartAsync(ct);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        TapeLibrary.Dispose();
        await _services.DisposeAsync(); // Closes the SQLite store it opened.
    }

    /// <summary>
    /// A drive for labelling, waited for as long as it takes (until <paramref name="ct"/>): with the drive scheduler a mount
    /// waits one poll interval and then reports busy, which a migrator answers by trying later — set-up has no later, and
    /// a busy or slow machine must not stop the daemon at its start (found by the fault campaign, issue 13).
    /// </summary>
    private static async Task<TapeMount> AcquireForSetUpAsync(ITapeDrivePool drives, string vsn, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return drives.Acquire(vsn);
            }
            catch (TapeMountException e) when (e.Busy)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }

    private async Task EnsureTapesAsync(LabelWriter labels, MediaProfile profile, CancellationToken ct)
    {
        var pools = Options.Policies.Rules.Select(r => (Pool: r.EffectiveTapePool, r.DiskLibrary)).DistinctBy(p => p.Pool).ToList();
        int labelled = 0;
        for (int p = 0; p < pools.Count; p++)
        {
            (string pool, string diskLibrary) = pools[p];
            IReadOnlyList<TapeRecord> known;
            await using (ICatalogTransaction txn = await Catalog.BeginAsync(ct))
            {
                known = await txn.QueryTapesAsync(pool);
            }

            for (int n = known.Count + 1; n <= Options.TapesPerPool; n++)
            {
                string vsn = $"{(char)('A' + p)}{n:D5}";
                // Set-up is repeatable: a crash between creating the cartridge and recording it in the catalogue leaves a
                // cartridge the HSM never wrote to (it writes only to tapes it records), labelled or not: label it again.
                bool leftByCrash = TapeLibrary.Inventory().Cartridges.Any(c => c.Vsn == vsn);
                if (!leftByCrash)
                {
                    // A crash inside CreateCartridge leaves the cartridge's directory without its inventory entry: the
                    // debris of a set-up that never finished (this site never exports a cartridge), made again.
                    string debris = Path.Combine(TapeLibrary.Root, "cartridges", vsn + ".tkvt");
                    if (Directory.Exists(debris))
                    {
                        Directory.Delete(debris, recursive: true);
                    }

                    TapeLibrary.CreateCartridge(vsn);
                }

                await using (TapeMount mount = await AcquireForSetUpAsync(_libraries[diskLibrary].Drives, vsn, ct))
                {
                    _ = await mount.RunAsync(drive => AulVolume.Prelabel(drive, labels, vsn, overwrite: leftByCrash), ct);
                }

                await using ICatalogTransaction txn = await Catalog.BeginAsync(ct);
                await txn.InsertTapeAsync(new TapeRecord
                {
                    Vsn = vsn,
                    Pool = pool,
                    MediaType = profile.Name,
                    Library = TapeLibrary.Options.Name,
                    CapacityEstimate = profile.Capacity,
                    BlockSize = 256 * 1024,
                });
                await txn.CommitAsync(ct);
                labelled++;
            }
        }

        if (labelled > 0)
        {
            // Labelling ends with the cartridge back in its slot (as a labelling command unloads it): the first session
            // of every new tape then mounts it, whichever drive labelled it — with shared drives, a scheduler's choice.
            await DismountIdleAsync(ct);
        }
    }
}

/// <summary>One disk library of the site and its services.</summary>
/// <param name="Name">Its name.</param>
/// <param name="CacheRoot">Its cache area (write cache and read cache are one area here).</param>
/// <param name="Drives">Its drives.</param>
/// <param name="Migrator">Its migrator.</param>
/// <param name="Stager">Its stager.</param>
/// <param name="Purger">Its purger.</param>
public sealed record DiskLibrary(string Name, string CacheRoot, ITapeDrivePool Drives, Migrator Migrator, Stager Stager, Purger Purger);

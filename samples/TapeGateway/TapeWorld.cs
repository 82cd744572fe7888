using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeGateway;

/// <summary>
/// The gateway's tape side, opened from its root: the virtual tape library (its drives' timing model is the time of
/// the whole gateway: nothing sleeps, a simulated clock advances), the catalogue's tape and drive tables, the drive
/// scheduler every session asks for a drive (CASTOR's VDQM), the label writer and the name server.
/// </summary>
public sealed class TapeWorld : IAsyncDisposable
{
    private const string LibraryName = "gateway-vtl";
    private readonly string _nameServerPath;

    private TapeWorld(GatewayOptions options, string root, VirtualClock clock, VirtualTapeLibrary library, ICatalog catalog, ScheduledDrivePool drives, NameServer names)
    {
        Options = options;
        Root = root;
        Clock = clock;
        Library = library;
        Catalog = catalog;
        Drives = drives;
        Names = names;
        Profile = library.Options.Profile;
        Labels = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "CASTOR", HostName = "tpsrv01" });
        _nameServerPath = Path.Combine(root, "nameserver.json");
    }

    /// <summary>The gateway's options.</summary>
    public GatewayOptions Options { get; }

    /// <summary>The root directory.</summary>
    public string Root { get; }

    /// <summary>The simulated clock of the drives, the catalogue and the scheduler.</summary>
    public VirtualClock Clock { get; }

    /// <summary>The virtual tape library.</summary>
    public VirtualTapeLibrary Library { get; }

    /// <summary>The catalogue holding the tape rows (mount counts, last unmount) and the scheduler's drive rows.</summary>
    public ICatalog Catalog { get; }

    /// <summary>The drives, through the drive scheduler.</summary>
    public ScheduledDrivePool Drives { get; }

    /// <summary>The name server.</summary>
    public NameServer Names { get; }

    /// <summary>The media profile.</summary>
    public MediaProfile Profile { get; }

    /// <summary>The label writer of AUL tapes.</summary>
    public LabelWriter Labels { get; }

    /// <summary>Robot mounts so far in this process.</summary>
    public int Mounts => Drives.Mounts;

    /// <summary>Simulated busy time of every drive so far.</summary>
    public DriveTime DriveTime => Enumerable.Range(0, Library.Options.Drives).Aggregate(DriveTime.Zero, (sum, d) => sum.Plus(DriveTime.From(Library.Drive(d).Statistics)));

    /// <summary>
    /// Opens the gateway under its root, setting it up the first time: cartridges for every pool (AUL ones prelabelled),
    /// recorded in the catalogue and the name server.
    /// </summary>
    /// <param name="options">The gateway.</param>
    /// <param name="remountDelay">The scheduler's remount guard for read mounts (zero: none, tapes are mounted on demand).</param>
    /// <param name="ct">Cancels set-up.</param>
    public static async Task<TapeWorld> OpenAsync(GatewayOptions options, TimeSpan remountDelay, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string root = Path.GetFullPath(options.Root);
        Directory.CreateDirectory(root);
        var clock = new VirtualClock();
        VirtualTapeLibrary library = VirtualTapeLibrary.Open(Path.Combine(root, "library"), new VirtualLibraryOptions
        {
            Name = LibraryName,
            Drives = options.Drives,
            Profile = MediaProfile.Get(options.Media),
            StorageSlots = Math.Max(100, options.Pools.Sum(p => p.Tapes) + 10),
        }, clock);
        try
        {
            var catalog = new InMemoryCatalog(clock);
            var scheduler = new DriveScheduler(catalog, new DriveSchedulerOptions
            {
                Library = LibraryName,
                DismountDelay = options.DismountDelay,
                RemountDelay = remountDelay,
            });
            var drives = new ScheduledDrivePool(scheduler, new VirtualLibraryDrivePool(library, recorder: new CatalogMountRecorder(catalog)), catalog, "tapegateway");
            var world = new TapeWorld(options, root, clock, library, catalog, drives, NameServer.Load(Path.Combine(root, "nameserver.json")));
            await world.EnsureTapesAsync(ct);
            return world;
        }
        catch
        {
            library.Dispose();
            throw;
        }
    }

    /// <summary>Takes a drive for a session on <paramref name="vsn"/> through the drive scheduler.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="mode">Read or write.</param>
    /// <param name="priority">The session's priority.</param>
    /// <param name="ct">Cancels waiting.</param>
    public ValueTask<TapeMount> MountAsync(string vsn, MountMode mode, RequestPriority priority = RequestPriority.Normal, CancellationToken ct = default) =>
        Drives.AcquireAsync(new MountRequest
        {
            Vsn = vsn,
            Pool = Names.Tapes[vsn].Pool,
            Mode = mode,
            Priority = priority,
            Requester = mode == MountMode.Write ? "tapegateway/migration" : "tapegateway/recall",
        }, ct);

    /// <summary>
    /// Lets simulated time pass with no session running, up to <paramref name="until"/>: cartridges whose dismount delay
    /// ends meanwhile are unloaded then (checked every simulated minute), as a drive's dismount timer would.
    /// </summary>
    /// <param name="until">The time to reach.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task IdleUntilAsync(DateTimeOffset until, CancellationToken ct = default)
    {
        TimeSpan step = TimeSpan.FromMinutes(1);
        while (Clock.GetUtcNow() < until)
        {
            DateTimeOffset next = Clock.GetUtcNow() + step < until ? Clock.GetUtcNow() + step : until;
            Clock.AdvanceTo((next - VirtualClock.Epoch).Ticks * 100);
            _ = await Drives.DismountIdleAsync(ct);
        }
    }

    /// <summary>
    /// Creates a blank cartridge in a storage slot that is empty and is no mounted cartridge's home (a cartridge in a
    /// drive leaves its slot empty, and must find it free when it goes back).
    /// </summary>
    /// <param name="vsn">The new cartridge's VSN.</param>
    public void CreateCartridge(string vsn)
    {
        LibraryInventory inventory = Library.Inventory();
        var homes = inventory.Drives.Where(d => d.Home is not null).Select(d => d.Home!.Value).ToHashSet();
        SlotAddress slot = inventory.Slots.First(s => s.Slot.Kind == SlotKind.Storage && s.Vsn is null && !homes.Contains(s.Slot)).Slot;
        _ = Library.CreateCartridge(vsn, slot: slot.Number);
    }

    /// <summary>Records a tape in the catalogue (the drive pool counts its mounts there, the planner reads its state).</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="pool">Its pool.</param>
    /// <param name="ct">Cancels the insert.</param>
    public async Task RegisterTapeAsync(string vsn, string pool, CancellationToken ct = default)
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync(ct);
        await txn.InsertTapeAsync(new TapeRecord
        {
            Vsn = vsn,
            Pool = pool,
            MediaType = Profile.Name,
            Library = LibraryName,
            CapacityEstimate = Profile.Capacity,
            BlockSize = 256 * 1024,
            State = !Names.Tapes.TryGetValue(vsn, out NsTape? known) ? TapeState.Free
                : known.Full ? TapeState.Full
                : known.WriteDisabled ? TapeState.NeedsAttention
                : known.LastFseq > 0 ? TapeState.Filling : TapeState.Free,
        });
        await txn.CommitAsync(ct);
    }

    /// <summary>Marks a tape as holding files (readable, appendable) in the catalogue, once its first file is recorded.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="ct">Cancels the update.</param>
    public ValueTask MarkWrittenAsync(string vsn, CancellationToken ct = default) =>
        Catalog.UpdateTapeAsync(vsn, t => t.State == TapeState.Free ? t with { State = TapeState.Filling } : t, ct);

    /// <summary>
    /// Stops writes to a tape after a write error (counted on its catalogue row): the catalogue marks it as needing attention (reads still allowed), the
    /// name server stops choosing it for migrations.
    /// </summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="ct">Cancels the update.</param>
    public async ValueTask DisableWritesAsync(string vsn, CancellationToken ct = default)
    {
        Names.DisableWrites(vsn);
        await Catalog.UpdateTapeAsync(vsn, t => t with { State = TapeState.NeedsAttention, WriteErrors = t.WriteErrors + 1 }, ct);
        Save();
    }

    /// <summary>A tape past early warning: <c>FULL</c> in the catalogue (readable), no more writes.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="ct">Cancels the update.</param>
    public async ValueTask MarkFullAsync(string vsn, CancellationToken ct = default)
    {
        Names.DisableWrites(vsn, full: true);
        await Catalog.UpdateTapeAsync(vsn, t => t with { State = TapeState.Full }, ct);
        Save();
    }

    /// <summary>Saves the name server.</summary>
    public void Save() => Names.Save(_nameServerPath);

    /// <summary>The catalogue's tape rows (mount counts, last unmount) by VSN.</summary>
    /// <param name="ct">Cancels the read.</param>
    public Task<Dictionary<string, TapeRecord>> TapeRowsAsync(CancellationToken ct = default) =>
        Catalog.ReadAsync(async txn => (await txn.QueryTapesAsync()).ToDictionary(t => t.Vsn, StringComparer.Ordinal), ct).AsTask();

    /// <inheritdoc/>
    /// <remarks>A gateway that stops puts its cartridges back in their slots: the next one starts from an empty set of drives.</remarks>
    public ValueTask DisposeAsync()
    {
        try
        {
            foreach ((int drive, string? vsn, _, _) in Library.Inventory().Drives)
            {
                if (vsn is not null)
                {
                    Library.Unmount(drive);
                }
            }
        }
        finally
        {
            Library.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task EnsureTapesAsync(CancellationToken ct)
    {
        var present = Library.Inventory().Cartridges.Select(c => c.Vsn).ToHashSet(StringComparer.Ordinal);
        var toLabel = new List<(string Vsn, TapePoolOptions Pool)>();
        foreach (TapePoolOptions pool in Options.Pools)
        {
            for (int n = 1; n <= pool.Tapes; n++)
            {
                string vsn = $"{pool.VsnPrefix}{n:D5}";
                await RegisterTapeAsync(vsn, pool.Name, ct);
                if (Names.Tapes.ContainsKey(vsn))
                {
                    continue;
                }

                // Every cartridge is created before any is mounted: a cartridge in a drive leaves its home slot empty,
                // and a new one must not take it.
                if (!present.Contains(vsn))
                {
                    CreateCartridge(vsn);
                }

                toLabel.Add((vsn, pool));
            }
        }

        // Tapes the name server knows outside the configured pools (imported ones) get their catalogue rows too.
        foreach (NsTape tape in Names.Tapes.Values.Where(t => !Options.Pools.Any(p => p.Name == t.Pool)))
        {
            await RegisterTapeAsync(tape.Vsn, tape.Pool, ct);
        }

        foreach ((string vsn, TapePoolOptions pool) in toLabel)
        {
            if (!pool.Unlabelled)
            {
                await using TapeMount mount = await Drives.AcquireAsync(new MountRequest { Vsn = vsn, Pool = pool.Name, Mode = MountMode.Write, Requester = "tapegateway/label" }, ct);
                _ = await mount.RunAsync(drive => AulVolume.Prelabel(drive, Labels, vsn, overwrite: true), ct);
            }

            Names.AddTape(new NsTape(vsn, pool.Name, pool.Unlabelled, 0));
        }

        Save();
    }
}

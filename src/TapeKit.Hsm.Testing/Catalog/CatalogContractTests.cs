using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The catalogue contract every <see cref="ICatalog"/> implementation must meet: rows round-trip, conditional writes
/// and transitions, constraints, the inbox and the outbox, aggregates, history, and many workers racing on transitions,
/// claims and tape counters. A provider derives one class, overrides <see cref="CreateCatalogAsync"/> (and
/// <see cref="DisposeAsync"/> when the bus and catalogue do not own their resources), and runs it with its own test
/// runner. Each test gets a fresh instance, so the factory must hand out an empty catalogue every time.
/// </summary>
public abstract partial class CatalogContractTests : IAsyncLifetime
{
    private readonly PolicySelector _selector = new(ContractPolicies.Create());

    /// <summary>The virtual clock the catalogue and bus must be created with; the tests advance it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The catalogue under test.</summary>
    protected ICatalog Catalog { get; private set; } = null!;

    /// <summary>The bus the catalogue's outbox is relayed to (the outbox and inbox tests use it).</summary>
    protected IMessageBus Bus { get; private set; } = null!;

    /// <summary>
    /// Creates an empty catalogue on <see cref="Time"/> and a bus for its outbox. Throw <see cref="SkipException"/>
    /// (through <see cref="Skip"/>) when the provider's server is not configured, so the tests are skipped with the
    /// reason.
    /// </summary>
    protected abstract ValueTask<(ICatalog Catalog, IMessageBus Bus)> CreateCatalogAsync();

    /// <summary>Creates the catalogue and bus and declares the HSM topology on the bus.</summary>
    public virtual async Task InitializeAsync()
    {
        (Catalog, Bus) = await CreateCatalogAsync();
        await Bus.DeclareAsync(HsmTopology.For("dispatcher", ContractPolicies.DiskLibraries));
    }

    /// <summary>Disposes the bus, then the catalogue, where they are disposable; override when something else owns them.</summary>
    public virtual async Task DisposeAsync()
    {
        await Disposal.DisposeAsync(Bus);
        await Disposal.DisposeAsync(Catalog);
    }

    /// <summary>A new file row in <c>CREATED</c>, filed under the contract's policies.</summary>
    /// <param name="externalId">The external id, if any.</param>
    /// <param name="size">The size in bytes.</param>
    protected ValueTask<FileRecord> NewFileAsync(string? externalId = null, long size = 100) =>
        WriteCacheCatalog.CreateAsync(Catalog, _selector, new HsmFileAttributes { StorageGroup = "sgA", Size = size }, "/ns/f", "a/f", externalId);

    /// <summary>A file row round trips every field.</summary>
    [SkippableFact]
    public async Task A_file_row_round_trips_every_field()
    {
        FileRecord created = await NewFileAsync("bfid-1");
        FileRecord done = (await WriteCacheCatalog.CompleteAsync(Catalog, created.FileId, 100, [new Checksum("adler32", "01020304"), new Checksum("xxh3", "ab")]))!;
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        FileRecord read = (await txn.GetFileAsync(created.FileId))!;
        Assert.Equal(done, read);
        Assert.Equal(CacheStatus.Cached, read.CacheStatus);
        Assert.Equal(read, await txn.GetFileByExternalIdAsync("bfid-1"));
        Assert.Equal(["C1", "C2"], (await txn.GetTransitionsAsync("file.cache", created.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture))).Select(t => t.Rule));
    }

    /// <summary>Nothing is visible after a rollback.</summary>
    [SkippableFact]
    public async Task Nothing_is_visible_after_a_rollback()
    {
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            long id = await txn.AllocateFileIdAsync();
            await txn.CreateFileAsync(new FileRecord { FileId = id, Size = 1, Decision = _selector.Decide(new HsmFileAttributes()) });
        }

        await using ICatalogTransaction check = await Catalog.BeginAsync();
        Assert.Empty(await check.QueryFilesAsync(new FileQuery { IncludeDeleted = true }));
    }

    /// <summary>Duplicate ids and external ids are refused.</summary>
    [SkippableFact]
    public async Task Duplicate_ids_and_external_ids_are_refused()
    {
        FileRecord f = await NewFileAsync("x");
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertFileAsync(f));
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertFileAsync(f with { FileId = f.FileId + 100 }));
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateFileAsync(f with { FileId = 999_999 }));
    }

    /// <summary>A transition from the wrong state is a failed compare and set and an illegal one throws.</summary>
    [SkippableFact]
    public async Task A_transition_from_the_wrong_state_is_a_failed_compare_and_set_and_an_illegal_one_throws()
    {
        FileRecord f = await NewFileAsync();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        Assert.Null(await txn.TryMoveCacheAsync(f.FileId, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher));
        Assert.Null(await txn.TryMoveCacheAsync(999, CacheStatus.Created, FileCacheEvent.WriteFinished, HsmActor.DiskMover));
        await Assert.ThrowsAsync<IllegalTransitionException>(async () =>
            await txn.TryMoveCacheAsync(f.FileId, CacheStatus.Created, FileCacheEvent.Published, HsmActor.Migrator));
        Assert.NotNull(await txn.TryMoveCacheAsync(f.FileId, CacheStatus.Created, FileCacheEvent.WriteFinished, HsmActor.DiskMover));
    }

    /// <summary>A file is in at most one live archive list.</summary>
    [SkippableFact]
    public async Task A_file_is_in_at_most_one_live_archive_list()
    {
        FileRecord f = await NewFileAsync();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        FileListRecord a = NewList(), b = NewList();
        await txn.CreateListAsync(a);
        await txn.CreateListAsync(b);
        await txn.AddListMemberAsync(a.ListId, f.FileId);
        Assert.Equal(a.ListId, await txn.FindLiveListOfFileAsync(f.FileId, FileListKind.Archive));
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.AddListMemberAsync(b.ListId, f.FileId));
        a = await txn.UpdateListAsync(a with { State = FileListState.Done });
        Assert.Null(await txn.FindLiveListOfFileAsync(f.FileId, FileListKind.Archive));
        await txn.AddListMemberAsync(b.ListId, f.FileId);
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateListAsync(a with { State = FileListState.Filled }));
        Assert.Equal([f.FileId], await txn.GetListMembersAsync(b.ListId));
        Assert.True(await txn.RemoveListMemberAsync(b.ListId, f.FileId));
        Assert.False(await txn.RemoveListMemberAsync(b.ListId, f.FileId));
    }

    /// <summary>List rows round trip and queries filter.</summary>
    [SkippableFact]
    public async Task List_rows_round_trip_and_queries_filter()
    {
        FileListRecord l = NewList() with { FirstMemberAt = Time.GetUtcNow(), Owner = "m1", LeaseUntil = Time.GetUtcNow().AddMinutes(3), Attempt = 2, CloseReason = CloseReason.Age };
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        await txn.InsertListAsync(l);
        Assert.Equal(l, await txn.GetListAsync(l.ListId));
        Assert.Single(await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = [FileListState.Filling], PolicyKey = "k", DiskLibrary = "DL-A" }));
        Assert.Empty(await txn.QueryListsAsync(new ListQuery { States = [FileListState.Active] }));
        Assert.Empty(await txn.QueryListsAsync(new ListQuery { PolicyKey = "other" }));
    }

    /// <summary>The inbox detects duplicates per consumer.</summary>
    [SkippableFact]
    public async Task The_inbox_detects_duplicates_per_consumer()
    {
        Guid id = Guid.CreateVersion7();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        Assert.True(await txn.TryMarkInboxAsync("dispatcher", id));
        Assert.False(await txn.TryMarkInboxAsync("dispatcher", id));
        Assert.True(await txn.TryMarkInboxAsync("other", id));
    }

    /// <summary>Outbox messages reach the bus only after commit.</summary>
    [SkippableFact]
    public async Task Outbox_messages_reach_the_bus_only_after_commit()
    {
        FileRecord f = await NewFileAsync();
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey,
                HsmMessages.Create(HsmMessageTypes.NamespaceDeleted, new NamespaceDeletedEvent(f.FileId, Time.GetUtcNow()), Time)));
        }

        await new OutboxRelay(Catalog, Bus).RelayAsync();
        Assert.Equal(0, (await Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Ready);
        await WriteCacheCatalog.CompleteAsync(Catalog, f.FileId, 100, [new Checksum("adler32", "00000001")]);
        await new OutboxRelay(Catalog, Bus).RelayAsync();
        IDelivery d = Assert.Single(await Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("t", 10)));
        Assert.Equal(f.FileId, HsmMessages.Read<CacheWrittenEvent>(d.Message).Member.FileId);
    }

    /// <summary>Query pages by file id.</summary>
    [SkippableFact]
    public async Task Query_pages_by_file_id()
    {
        for (int i = 0; i < 5; i++)
        {
            await NewFileAsync();
        }

        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        IReadOnlyList<FileRecord> first = await txn.QueryFilesAsync(new FileQuery { Limit = 2 });
        IReadOnlyList<FileRecord> next = await txn.QueryFilesAsync(new FileQuery { Limit = 10, AfterFileId = first[^1].FileId });
        Assert.Equal(5, first.Count + next.Count);
        Assert.Equal(3, (await txn.QueryFilesAsync(new FileQuery { CacheStatus = CacheStatus.Created, AfterFileId = first[^1].FileId })).Count);
    }

    /// <summary>Aggregations round trip and a live tape file holds one aggregation.</summary>
    [SkippableFact]
    public async Task Aggregations_round_trip_and_a_live_tape_file_holds_one_aggregation()
    {
        FileRecord f = await NewFileAsync();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        FileListRecord l = NewList();
        await txn.CreateListAsync(l);
        long id = await txn.AllocateAggregationIdAsync();
        var a = new AggregationRecord { AggregationId = id, ListId = l.ListId, Attempt = 1, Format = AggregationPayloadFormat.Tar, MemberCount = 1, PayloadBytes = 100, CreatedAt = Time.GetUtcNow() };
        await txn.CreateAggregationAsync(a);
        AggregationRecord writing = (await txn.TryMoveAggregationAsync(id, AggregationState.Building, AggregationEvent.WriteStarted, HsmActor.Migrator,
            mutate: x => x with { TapeFile = new TapeFileLocator("V00001", 7, 4711) }))!;
        Assert.Equal(writing, await txn.GetAggregationAsync(id));
        Assert.Null(await txn.TryMoveAggregationAsync(id, AggregationState.Building, AggregationEvent.WriteStarted, HsmActor.Migrator));
        var member = new AggregationMemberRecord(id, 0, f.FileId, 512, 1, 0, 1);
        await txn.AddAggregationMembersAsync([member]);
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.AddAggregationMembersAsync([member with { Index = 1 }]));
        Assert.Equal([member], await txn.GetAggregationMembersAsync(id));
        Assert.Equal([(writing, member)], await txn.GetCopiesOfFileAsync(f.FileId));

        long other = await txn.AllocateAggregationIdAsync();
        Assert.NotEqual(id, other);
        await txn.CreateAggregationAsync(a with { AggregationId = other });
        await Assert.ThrowsAsync<CatalogConstraintException>(async () =>
            await txn.TryMoveAggregationAsync(other, AggregationState.Building, AggregationEvent.WriteStarted, HsmActor.Migrator,
                mutate: x => x with { TapeFile = new TapeFileLocator("V00001", 7, 4711) }));
    }

    /// <summary>A failed aggregation frees its tape file for the next append.</summary>
    [SkippableFact]
    public async Task A_failed_aggregation_frees_its_tape_file_for_the_next_append()
    {
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        FileListRecord l = NewList();
        await txn.CreateListAsync(l);
        var tf = new TapeFileLocator("V00002", 3, 100);
        var a = new AggregationRecord { AggregationId = 1, ListId = l.ListId, Attempt = 1, CreatedAt = Time.GetUtcNow() };
        await txn.CreateAggregationAsync(a);
        await txn.TryMoveAggregationAsync(1, AggregationState.Building, AggregationEvent.WriteStarted, HsmActor.Migrator, mutate: x => x with { TapeFile = tf });
        await txn.TryMoveAggregationAsync(1, AggregationState.Writing, AggregationEvent.Failed, HsmActor.Sweeper, "LeaseExpired");
        await txn.CreateAggregationAsync(a with { AggregationId = 2, Attempt = 2 });
        Assert.NotNull(await txn.TryMoveAggregationAsync(2, AggregationState.Building, AggregationEvent.WriteStarted, HsmActor.Migrator, mutate: x => x with { TapeFile = tf }));
        Assert.Equal(2, (await txn.GetAggregationsOfListAsync(l.ListId)).Count);
        Assert.Single(await txn.GetAggregationsOfListAsync(l.ListId, 2));
        Assert.Equal(["G1", "G2", "G5"], (await txn.GetTransitionsAsync("aggregation", "1")).Select(t => t.Rule));
    }

    /// <summary>Tape rows round trip and filter by pool.</summary>
    [SkippableFact]
    public async Task Tape_rows_round_trip_and_filter_by_pool()
    {
        var t = new TapeRecord
        {
            Vsn = "V00009", Pool = "p1", MediaType = "LTO-9", Library = "L", State = TapeState.Filling, LastFseq = 12, BytesUsed = 5,
            CapacityEstimate = 1000, LastUnmountedAt = Time.GetUtcNow(), MountedBy = "m", MountLeaseUntil = Time.GetUtcNow().AddMinutes(5),
        };
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        await txn.InsertTapeAsync(t);
        await txn.InsertTapeAsync(t with { Vsn = "V00010", Pool = "p2" });
        Assert.Equal(t, await txn.GetTapeAsync("V00009"));
        Assert.Equal(["V00009"], (await txn.QueryTapesAsync("p1")).Select(x => x.Vsn));
        Assert.Equal(2, (await txn.QueryTapesAsync()).Count);
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertTapeAsync(t));
        TapeRecord full = await txn.UpdateTapeAsync(t with { State = TapeState.Full });
        Assert.Equal(TapeState.Full, (await txn.GetTapeAsync("V00009"))!.State);
        Assert.Equal(full, await txn.GetTapeAsync("V00009"));
        Assert.True(t.HasRoomFor(975));
        Assert.False(t.HasRoomFor(976));
        Assert.False((t with { State = TapeState.NeedsAttention }).HasRoomFor(1));
    }

    private FileListRecord NewList() => new()
    {
        ListId = Guid.CreateVersion7(), Kind = FileListKind.Archive, PolicyKey = "k", DiskLibrary = "DL-A", State = FileListState.Filling,
        Limits = ListLimits.Default, CreatedAt = Time.GetUtcNow(),
    };
}

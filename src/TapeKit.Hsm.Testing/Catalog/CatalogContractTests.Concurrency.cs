using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Testing;

/// <summary>The concurrency half of the contract: conditional writes, forward-only tape counters, ids, retries.</summary>
public abstract partial class CatalogContractTests
{
    private const int Racers = 24;

    /// <summary>A stale file update is a conflict and changes nothing.</summary>
    [SkippableFact]
    public async Task A_stale_file_update_is_a_conflict_and_changes_nothing()
    {
        FileRecord created = await NewFileAsync("stale-1");
        await Catalog.RunAsync(async txn => await txn.UpdateFileAsync((await txn.GetFileAsync(created.FileId))! with { PinCount = 1 }));

        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            // The writer still holds the row as it was before the pin: its update must not overwrite the pin.
            CatalogConflictException e = await Assert.ThrowsAsync<CatalogConflictException>(async () => await txn.UpdateFileAsync(created with { PinCount = 7 }));
            Assert.Equal("file", e.Entity);
            Assert.True(e.IsTransient);
        }

        FileRecord now = (await Catalog.ReadAsync(txn => txn.GetFileAsync(created.FileId)))!;
        Assert.Equal(1, now.PinCount);
        Assert.Equal(created.RowVersion + 1, now.RowVersion);
    }

    /// <summary>A stale list or aggregation update is a conflict.</summary>
    [SkippableFact]
    public async Task A_stale_list_or_aggregation_update_is_a_conflict()
    {
        FileListRecord list = NewArchiveList();
        await Catalog.RunAsync(txn => txn.CreateListAsync(list));
        await Catalog.RunAsync(async txn => await txn.UpdateListAsync((await txn.GetListAsync(list.ListId))! with { BusyCount = 1 }));
        await using ICatalogTransaction stale = await Catalog.BeginAsync();
        await Assert.ThrowsAsync<CatalogConflictException>(async () => await stale.UpdateListAsync(list with { BusyCount = 5 }));
    }

    /// <summary>Tape counters only move forward whatever the writer read.</summary>
    [SkippableFact]
    public async Task Tape_counters_only_move_forward_whatever_the_writer_read()
    {
        await Catalog.RunAsync(txn => txn.InsertTapeAsync(new TapeRecord { Vsn = "V00100", Pool = "p", CapacityEstimate = 1_000_000 }));
        TapeRecord old = (await Catalog.ReadAsync(txn => txn.GetTapeAsync("V00100")))!;
        await Catalog.RunAsync(async txn =>
        {
            TapeRecord? t = await txn.AdvanceTapeAsync("V00100", 5, 500);
            Assert.Equal(5, t!.LastFseq);
            Assert.Equal(TapeState.Filling, t.State);
        });

        // An older commit arriving late cannot move lastFseq back, and a whole-row update leaves the counters alone.
        await Catalog.RunAsync(async txn => Assert.Equal(5, (await txn.AdvanceTapeAsync("V00100", 3, 100))!.LastFseq));
        await Catalog.RunAsync(async txn => await txn.UpdateTapeAsync((await txn.GetTapeAsync("V00100"))! with { LastFseq = 0, BytesUsed = 0, ReadErrors = 1 }));
        TapeRecord now = (await Catalog.ReadAsync(txn => txn.GetTapeAsync("V00100")))!;
        Assert.Equal((5, 600L, 1), (now.LastFseq, now.BytesUsed, now.ReadErrors));

        await using ICatalogTransaction stale = await Catalog.BeginAsync();
        await Assert.ThrowsAsync<CatalogConflictException>(async () => await stale.UpdateTapeAsync(old with { State = TapeState.Full }));
        Assert.Null(await stale.AdvanceTapeAsync("NOSUCH", 1, 1));
    }

    /// <summary>Racing units of work lose no update.</summary>
    [SkippableFact]
    public async Task Racing_units_of_work_lose_no_update()
    {
        FileRecord created = await NewFileAsync("race-pins");
        await Task.WhenAll(Enumerable.Range(0, Racers).Select(n => Task.Run(async () =>
            await Catalog.RunAsync(async txn =>
            {
                FileRecord f = (await txn.GetFileAsync(created.FileId))!;
                await Task.Yield(); // Let another racer read the same version where the store allows it.
                _ = await txn.UpdateFileAsync(f with { PinCount = f.PinCount + 1 });
            }))));
        Assert.Equal(Racers, (await Catalog.ReadAsync(txn => txn.GetFileAsync(created.FileId)))!.PinCount);
    }

    /// <summary>Racing transitions apply exactly once.</summary>
    [SkippableFact]
    public async Task Racing_transitions_apply_exactly_once()
    {
        FileRecord created = await NewFileAsync("race-move");
        _ = await WriteCacheCatalog.CompleteAsync(Catalog, created.FileId, created.Size, [new Checksum("adler32", "00000001")]);
        int[] applied = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
            await Catalog.RunAsync(async txn =>
                await txn.TryMoveCacheAsync(created.FileId, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher, $"racer {i}") is null ? 0 : 1))));
        Assert.Equal(1, applied.Sum());
        string id = created.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Single(await Catalog.ReadAsync(txn => txn.GetTransitionsAsync(CatalogTransitions.FileCacheEntity, id)), t => t.From == "CACHED");
    }

    /// <summary>Ids allocated by racing writers are unique.</summary>
    [SkippableFact]
    public async Task Ids_allocated_by_racing_writers_are_unique()
    {
        long[] ids = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () => (await NewFileAsync($"race-id-{i}")).FileId)));
        Assert.Equal(Racers, ids.Distinct().Count());
        long[] aggregationIds = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
            await Catalog.RunAsync(txn => txn.AllocateAggregationIdAsync()))));
        Assert.Equal(Racers, aggregationIds.Distinct().Count());
    }

    /// <summary>A unit of work retries transient conflicts and gives up on others.</summary>
    [SkippableFact]
    public async Task A_unit_of_work_retries_transient_conflicts_and_gives_up_on_others()
    {
        int runs = 0;
        int result = await Catalog.RunAsync(_ => ++runs < 3 ? throw new CatalogConflictException("file", "1", 0) : ValueTask.FromResult(runs));
        Assert.Equal(3, result);

        runs = 0;
        await Assert.ThrowsAsync<CatalogConstraintException>(async () =>
            await Catalog.RunAsync<int>(_ => { runs++; throw new CatalogConstraintException("no"); }));
        Assert.Equal(1, runs);

        runs = 0;
        await Assert.ThrowsAsync<CatalogConflictException>(async () =>
            await Catalog.RunAsync<int>(_ => { runs++; throw new CatalogConflictException("file", "1", 0); }));
        Assert.Equal(CatalogUnitOfWork.MaxAttempts, runs);
    }

    private FileListRecord NewArchiveList() => new()
    {
        ListId = Guid.NewGuid(),
        Kind = FileListKind.Archive,
        PolicyKey = "k",
        RuleName = "r",
        DiskLibrary = "DL-A",
        Limits = ListLimits.Default,
        TapePool = "p",
        State = FileListState.Filling,
        CreatedAt = Time.GetUtcNow(),
    };
}

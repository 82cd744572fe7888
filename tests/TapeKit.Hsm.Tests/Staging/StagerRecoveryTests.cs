using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>An in-process stager started after one that stopped mid-session gives its claimed recalls back.</summary>
public sealed class StagerRecoveryTests
{
    [Fact]
    public async Task Recalls_a_stopped_session_claimed_or_extracted_are_requeued_and_then_served_and_a_listed_one_is_left_alone()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(10, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        foreach (int n in (int[])[1, 2, 3, 4])
        {
            Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId));
        }

        // A session claimed 1 (C5) and extracted 2 (C5, C6), then its process stopped; 4 is claimed by a dispatcher's
        // live stage list, whose recovery is the sweeper's.
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            foreach (int n in (int[])[1, 2, 4])
            {
                _ = await txn.TryMoveCacheAsync(world.Files[n].FileId, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator);
            }

            _ = await txn.TryMoveCacheAsync(world.Files[2].FileId, CacheStatus.Staging, FileCacheEvent.Extracted, HsmActor.Migrator);
            var list = new FileListRecord
            {
                ListId = Guid.NewGuid(), Kind = FileListKind.Stage, PolicyKey = "stage:T00001", DiskLibrary = TapeHsmWorld.DiskLibrary,
                Limits = ListLimits.Default, State = FileListState.Filled, CreatedAt = txn.Now, Vsn = "T00001", MemberCount = 1,
            };
            await txn.CreateListAsync(list);
            await txn.AddListMemberAsync(list.ListId, world.Files[4].FileId);
            await txn.CommitAsync();
        }

        Directory.CreateDirectory(world.StageRoot);
        string leftover = Path.Combine(world.StageRoot, $"7-{world.Files[2].FileId}.part");
        string someoneElses = Path.Combine(world.StageRoot, "README");
        await File.WriteAllTextAsync(leftover, "half a member");
        await File.WriteAllTextAsync(someoneElses, "not the stager's");

        // A publish across file systems stopped half-way beside 2's cache path, next to a cached file of the directory.
        string publishing = Path.Combine(world.CacheRoot, Path.GetDirectoryName((await world.FileAsync(world.Files[2].FileId)).CachePath)!, $".{Guid.NewGuid():N}{Stager.PublishingSuffix}");
        string cacheFile = Path.Combine(Path.GetDirectoryName(publishing)!, "not-a-recall.dat");
        foreach (string file in (string[])[publishing, cacheFile])
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, "x");
        }

        Stager stager = world.NewStager();
        Assert.Equal(1, (await stager.RunOnceAsync()).FilesStaged); // Only 3: the stopped session's claims are stranded …
        Assert.Equal(2, await stager.RequeueInterruptedAsync()); // … until they are given back.

        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(world.Files[2].FileId)).CacheStatus);
        Assert.Equal(CacheStatus.Staging, (await world.FileAsync(world.Files[4].FileId)).CacheStatus);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(someoneElses));
        Assert.False(File.Exists(publishing));
        Assert.True(File.Exists(cacheFile));

        Assert.Equal(2, (await stager.RunOnceAsync()).FilesStaged);
        Assert.All((int[])[1, 2, 3], n => Assert.True(world.CachedIntact(n), $"file {n}"));
        Assert.Equal(0, await stager.RequeueInterruptedAsync());
    }
}

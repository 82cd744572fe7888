using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>A whole site (one process) restarted after a stage session stopped: its stage areas and stranded recalls are recovered.</summary>
public sealed class SmallFilesCacheStageRecoveryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-sfa-stage-recovery-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_recall_left_staged_outside_any_stage_list_is_given_back_at_start_and_served_and_the_stage_copies_removed()
    {
        const int seed = 5;
        long[] sizes = [5000, 70_000, 300_000, 12_345];
        var ids = new long[sizes.Length];
        string[] leftovers;
        await using (CacheSite site = await CacheSite.OpenAsync(Demo.DemoSite(_root), TimeProvider.System, NullLoggerFactory.Instance))
        {
            DiskMoverResult[] written = await DiskMover.WriteManyAsync(site, [.. sizes.Select((size, i) => new DiskMoverFile(
                new HsmFileAttributes { StorageGroup = "expA", Size = size }, $"/expA/file{i}.dat", (offset, chunk) => Payload.Fill(seed, i, offset, chunk.Span)))]);
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = (written[i].Record ?? throw written[i].Error!).FileId;
            }

            await site.PumpAsync();
            await site.FlushListsAsync();
            await site.MigrateAsync();
            Assert.Equal(sizes.Length, (await site.PurgeAsync()).Sum(r => r.FilesPurged));
            await site.DismountIdleAsync();

            // What the stage-list defect fixed in this release left behind: a recall extracted (STAGED) by a list that
            // then completed without it, and stage copies of stopped sessions.
            Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(site.Catalog, ids[1]));
            await using (ICatalogTransaction txn = await site.Catalog.BeginAsync())
            {
                _ = await txn.TryMoveCacheAsync(ids[1], CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator);
                _ = await txn.TryMoveCacheAsync(ids[1], CacheStatus.Staging, FileCacheEvent.Extracted, HsmActor.Migrator);
                await txn.CommitAsync();
            }

            leftovers = [Path.Combine(_root, "stage", "dl1", $"1-{ids[1]}.part"), Path.Combine(_root, "stage", "dl2", "4-99.part")];
            foreach (string leftover in leftovers)
            {
                await File.WriteAllTextAsync(leftover, "a stopped session's copy");
            }

            await site.RecallAsync();
            Assert.Equal(CacheStatus.Staged, (await SiteFiles.GetAsync(site, ids[1])).CacheStatus); // Stranded while this run lasts.
        }

        await using (CacheSite site = await CacheSite.OpenAsync(Demo.DemoSite(_root), TimeProvider.System, NullLoggerFactory.Instance))
        {
            Assert.Equal(1, site.StageRecovery);
            Assert.All(leftovers, leftover => Assert.False(File.Exists(leftover), leftover));
            await site.RecallAsync();

            FileRecord recalled = await SiteFiles.GetAsync(site, ids[1]);
            Assert.Equal(CacheStatus.Cached, recalled.CacheStatus);
            byte[] expected = new byte[sizes[1]];
            Payload.Fill(seed, 1, 0, expected);
            Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(site.Libraries["dl1"].CacheRoot, recalled.CachePath)));
            Assert.Empty(await TapeKit.Hsm.Diagnostics.HsmInvariants.CheckAsync(site.Catalog, TimeSpan.FromMinutes(10)));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

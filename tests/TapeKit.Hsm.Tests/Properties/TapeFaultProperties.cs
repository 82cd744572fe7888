using FsCheck;
using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Properties;

/// <summary>
/// The archive path under random tape faults with real bytes: a media error at a random block, end of medium at a
/// random offset of the first tape, a power loss a random number of drive calls after a random tape file, and a
/// migrator crash at a random step of §3.7 — in any combination. Whatever happens, every file ends archived exactly
/// once, the invariants hold, and after a purge every file comes back from tape with exactly its bytes.
/// </summary>
public sealed class TapeFaultProperties(ITestOutputHelper output)
{
    public sealed record FaultPlan(int? MediaErrorAt, int? CapacityKiB, (int AfterWritten, int Calls)? PowerLoss, (ArchiveStep Step, int Occurrence)? Crash)
    {
        public override string ToString() =>
            $"media-error write {MediaErrorAt?.ToString() ?? "-"}; capacity {CapacityKiB?.ToString() ?? "-"} KiB; power-loss {PowerLoss?.ToString() ?? "-"}; crash {Crash?.ToString() ?? "-"}";
    }

    private static readonly ArchiveStep[] CrashSteps = [ArchiveStep.Claimed, ArchiveStep.WriteStarted, ArchiveStep.Written, ArchiveStep.Synced, ArchiveStep.Committed];

    public static Gen<FaultPlan> PlanGen { get; } =
        from media in Gen.Choose(5, 60)
        from capacity in Gen.Choose(600, 4000)
        from afterWritten in Gen.Choose(1, 3)
        from calls in Gen.Choose(1, 30)
        from step in Gen.Choose(0, CrashSteps.Length - 1)
        from occurrence in Gen.Choose(1, 3)
        from mask in Gen.Choose(0, 15)
        select new FaultPlan(
            (mask & 1) != 0 ? media : null,
            (mask & 2) != 0 ? capacity : null,
            (mask & 4) != 0 ? (afterWritten, calls) : null,
            (mask & 8) != 0 ? (CrashSteps[step], occurrence) : null);

    [Fact]
    public void Under_any_mix_of_tape_faults_and_crashes_every_file_is_archived_once_and_recalled_intact()
    {
        Property property = Prop.ForAll(PlanGen.ToArbitrary(), plan => Task.Run(async () =>
        {
            try
            {
                await RunAsync(plan);
                return true;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Plan {plan}: {e.Message}", e);
            }
        }).GetAwaiter().GetResult());
        PropertyRun.Check(output, property, maxTest: 25, endSize: 20);
    }

    private static async Task RunAsync(FaultPlan plan)
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(tapes: 4,
            cartridge: vsn => vsn == "T00001" && plan.CapacityKiB is int kib ? new VirtualCartridgeOptions { Capacity = kib * 1024L, EarlyWarningDistance = 64 * 1024 } : null);
        await world.IngestAsync(30, minSize: 1024, maxSize: 200 * 1024);
        await world.FlushAsync();
        if (plan.MediaErrorAt is int n)
        {
            world.Library.Drive(0).Arm($"media-error write {n}");
        }

        int written = 0;
        var seen = new Dictionary<ArchiveStep, int>();
        bool crashed = false;
        world.Migrator.StepObserver = (step, _) =>
        {
            if (step == ArchiveStep.Written && ++written == plan.PowerLoss?.AfterWritten)
            {
                world.Library.Drive(0).Arm($"power-loss after {plan.PowerLoss.Value.Calls}");
            }

            seen[step] = seen.GetValueOrDefault(step) + 1;
            if (!crashed && plan.Crash is { } c && c.Step == step && seen[step] == c.Occurrence)
            {
                crashed = true;
                throw new MigratorCrashException();
            }
        };

        for (int round = 0; round < 80 && await world.CountAsync(ArchiveStatus.Archived) < world.Files.Count; round++)
        {
            await world.PumpAsync();
            int received;
            try
            {
                received = await world.Migrator.RunOnceAsync();
            }
            catch (MigratorCrashException)
            {
                world.NewMigrator(); // The process restarts without the fault hook.
                received = 1;
            }

            if (received == 0)
            {
                world.Time.Advance(TimeSpan.FromMinutes(2));
            }
        }

        if (await world.CountAsync(ArchiveStatus.Archived) < world.Files.Count)
        {
            Assert.Fail(await world.DescribeAsync());
        }

        await world.AssertArchivedExactlyOnceAsync();

        // Every byte comes back: from tape for what the purger dropped, from the cache for what it kept (a copy on a
        // tape in doubt — one that had a media error — keeps its disk copy, §4.4).
        _ = await world.NewPurger().RunOnceAsync();
        _ = await world.Drives.DismountIdleAsync();
        int purged = 0;
        foreach ((long id, _) in world.Files)
        {
            if ((await world.FileAsync(id)).CacheStatus == CacheStatus.Purged)
            {
                Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, id));
                purged++;
            }
        }

        // Drive 1 reads: a power loss still armed on drive 0 (it counts drive calls) is the archive's fault, not the recall's.
        StageReport report = await world.NewStager(new VirtualLibraryDrivePool(world.Library, [1])).RunOnceAsync();
        Assert.Equal((purged, 0), (report.FilesStaged, report.FilesFailed));
        Assert.All(Enumerable.Range(0, world.Files.Count), i => Assert.True(world.CachedIntact(i), $"file {i} came back different"));
    }

    private sealed class MigratorCrashException : Exception
    {
        public MigratorCrashException()
            : base("The migrator process died.")
        {
        }
    }
}

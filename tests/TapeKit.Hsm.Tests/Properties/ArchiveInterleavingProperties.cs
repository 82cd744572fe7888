using FsCheck;
using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Properties;

/// <summary>
/// Done-when of issue #5: random interleavings of events, replies, crashes and redeliveries never reach an illegal
/// state or lose a file. Every step runs the real transitions (an illegal one throws), the catalogue invariants are
/// checked after every step, and after a final drain every file is archived exactly once or explicitly FAILED.
/// </summary>
public sealed class ArchiveInterleavingProperties(ITestOutputHelper output)
{
    public abstract record Op;

    public sealed record Ingest(string StorageGroup, long Size) : Op;

    public sealed record Delete(int Index) : Op;

    public sealed record Advance(int Seconds) : Op;

    public sealed record Pump : Op;

    public sealed record Migrate(string DiskLibrary, MigratorBehavior Behavior) : Op;

    public sealed record ZombieReturns : Op;

    public sealed record RestartDispatcher : Op;

    public sealed record DispatcherCrashesBeforeAck : Op;

    private static readonly string[] Groups = ["sgA", "sgB", "other"];
    private static readonly int[] Steps = [1, 20, 61, 200, 601, 3600];
    private static readonly MigratorBehavior[] Behaviors = Enum.GetValues<MigratorBehavior>();

    public static Gen<Op> OpGen { get; } =
        from k in Gen.Choose(0, 99)
        from a in Gen.Choose(0, 1000)
        from b in Gen.Choose(1, 2000)
        select k switch
        {
            < 28 => (Op)new Ingest(Groups[a % Groups.Length], b),
            < 33 => new Delete(a),
            < 45 => new Advance(Steps[a % Steps.Length]),
            < 60 => new Pump(),
            < 66 => new Migrate(HsmWorld.DiskLibraries[a % 2], MigratorBehavior.Commit),
            < 88 => new Migrate(HsmWorld.DiskLibraries[a % 2], Behaviors[b % Behaviors.Length]),
            < 92 => new ZombieReturns(),
            < 96 => new RestartDispatcher(),
            _ => new DispatcherCrashesBeforeAck(),
        };

    [Fact]
    public void Random_interleavings_never_reach_an_illegal_state_or_lose_a_file()
    {
        Property property = Prop.ForAll(Gen.ListOf(OpGen).ToArbitrary(), ops => Task.Run(async () =>
        {
            var faults = new InProcessBusFaults(new Random(ops.Count)) { DuplicateProbability = 0.1, ReorderProbability = 0.3, DelayProbability = 0.05 };
            await using HsmWorld world = await HsmWorld.InMemoryAsync(ops.Count, faults);
            return await RunAsync(world, [.. ops]);
        }).GetAwaiter().GetResult());
        PropertyRun.Check(output, property, maxTest: 300, endSize: 60);
    }

    [Fact]
    public void The_same_interleavings_hold_on_the_SQLite_catalogue_and_queue()
    {
        Property property = Prop.ForAll(Gen.ListOf(OpGen).ToArbitrary(), ops => Task.Run(async () =>
        {
            using var dir = new TempDirectory();
            await using HsmWorld world = await SqliteWorld.CreateAsync(dir.File("hsm.db"), ops.Count);
            return await RunAsync(world, [.. ops]);
        }).GetAwaiter().GetResult());
        PropertyRun.Check(output, property, maxTest: 15, endSize: 40);
    }

    private static async Task<bool> RunAsync(HsmWorld world, IReadOnlyList<Op> ops)
    {
        foreach (Op op in ops)
        {
            switch (op)
            {
                case Ingest i:
                    await world.IngestAsync(i.StorageGroup, i.Size);
                    break;
                case Delete d when world.Files.Count > 0:
                    await TapeKit.Hsm.Catalog.WriteCacheCatalog.AnnounceDeletedAsync(world.Catalog, world.Files[d.Index % world.Files.Count]);
                    break;
                case Advance a:
                    world.Time.Advance(TimeSpan.FromSeconds(a.Seconds));
                    break;
                case Pump:
                    await world.PumpAsync();
                    break;
                case Migrate m:
                    await world.MigrateOneAsync(m.DiskLibrary, m.Behavior);
                    break;
                case ZombieReturns:
                    await world.ZombieCommitAsync();
                    break;
                case RestartDispatcher:
                    await world.RestartDispatcherAsync();
                    break;
                case DispatcherCrashesBeforeAck:
                    await world.DispatcherDropsDeliveriesAsync();
                    break;
            }

            await AssertNoViolationsAsync(world, TimeSpan.MaxValue, op);
        }

        await world.DrainAsync();
        await AssertNoViolationsAsync(world, TimeSpan.Zero, null);
        foreach (FileRecord f in await world.AllFilesAsync())
        {
            int commits = world.Commits.GetValueOrDefault(f.FileId);
            Assert.True(commits <= 1, $"file {f.FileId} was committed {commits} times");
            Assert.NotEqual(ArchiveStatus.Archiving, f.ArchiveStatus);
            Assert.Null(f.ArchiveClaim);
            if (f.ArchiveStatus == ArchiveStatus.Archived)
            {
                Assert.Equal(1, commits);
            }
            else if (!f.IsDeleted)
            {
                // Not archived and not deleted: only an explicit, alarmed failure is acceptable.
                Assert.Equal(ArchiveStatus.Failed, f.ArchiveStatus);
                Assert.False(string.IsNullOrEmpty(f.FailureReason), $"file {f.FileId} FAILED without a reason");
            }
        }

        return true;
    }

    private static async Task AssertNoViolationsAsync(HsmWorld world, TimeSpan grace, Op? after)
    {
        IReadOnlyList<string> problems = await HsmInvariants.CheckAsync(world.Catalog, grace);
        Assert.True(problems.Count == 0, $"after {after?.ToString() ?? "drain"}: {string.Join(" ", problems)}");
    }
}

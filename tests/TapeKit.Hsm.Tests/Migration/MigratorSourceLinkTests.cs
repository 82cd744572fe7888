using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>The migrator never archives through a symbolic link that replaced a write-cache copy.</summary>
public sealed class MigratorSourceLinkTests
{
    [Fact]
    public async Task A_cache_copy_replaced_by_a_link_to_a_file_of_the_same_size_is_not_archived()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(4);
        string victim = Path.Combine(world.CacheRoot, "data/run000/f000002");
        string outside = Path.Combine(world.Root, "outside-secret");
        await File.WriteAllBytesAsync(outside, new byte[new FileInfo(victim).Length]); // the size the catalogue records
        File.Delete(victim);
        File.CreateSymbolicLink(victim, outside);
        await world.FlushAsync();

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        Assert.Equal(CacheStatus.Failed, (await world.FileAsync(world.Files[2].FileId)).CacheStatus);
        Assert.DoesNotContain((await world.AggregationsAsync()).SelectMany(a => a.Members), m => m.FileId == world.Files[2].FileId);
    }
}

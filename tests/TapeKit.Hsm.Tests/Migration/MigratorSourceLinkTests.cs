using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>The migrator never archives through a symbolic link that replaced a write-cache copy.</summary>
public sealed class MigratorSourceLinkTests
{
    [Fact]
    public async Task A_cache_copy_replaced_by_a_link_is_never_read_through_even_to_the_same_bytes()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(4, minSize: 700, maxSize: 700);
        string victim = Path.Combine(world.CacheRoot, "data/run000/f000002");
        // The link's target path is as long as the file (an lstat of the link then shows the recorded size), and the target
        // holds the very bytes the catalogue records: only the link itself tells that this is not the disk mover's copy.
        string folder = Path.Combine(world.Root, new string('d', 200), new string('e', 200));
        Directory.CreateDirectory(folder);
        string outside = Path.Combine(folder, new string('f', 700 - folder.Length - 1));
        File.Copy(victim, outside);
        File.Delete(victim);
        File.CreateSymbolicLink(victim, outside);
        await world.FlushAsync();

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        Assert.Equal(CacheStatus.Failed, (await world.FileAsync(world.Files[2].FileId)).CacheStatus);
        Assert.DoesNotContain((await world.AggregationsAsync()).SelectMany(a => a.Members), m => m.FileId == world.Files[2].FileId);
    }
}

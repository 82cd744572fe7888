using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Instances;

/// <summary>Instance names, epochs and the worker ids derived from them.</summary>
public sealed class InstanceIncarnationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_worker_id_names_its_role_instance_and_epoch_and_reads_back()
    {
        var incarnation = new InstanceIncarnation("node7/sfa", 12);

        string id = incarnation.WorkerId("migrator-dl1");

        Assert.Equal("migrator-dl1@node7/sfa#12", id);
        Assert.True(InstanceIncarnation.TryParse(id, out string name, out long epoch));
        Assert.Equal(("node7/sfa", 12L), (name, epoch));
        Assert.False(InstanceIncarnation.TryParse("migrator-dl1", out _, out _)); // A fixed id: only its leases end it.
        Assert.False(InstanceIncarnation.TryParse("m@node#x", out _, out _));
        Assert.Throws<ArgumentException>(() => incarnation.WorkerId("a@b"));
    }

    [Fact]
    public void Only_earlier_epochs_of_the_same_instance_are_earlier_incarnations()
    {
        var incarnation = new InstanceIncarnation("node7/sfa", 12);

        Assert.True(incarnation.IsEarlierIncarnation("migrator-dl1@node7/sfa#11"));
        Assert.False(incarnation.IsEarlierIncarnation("migrator-dl1@node7/sfa#12"));
        Assert.False(incarnation.IsEarlierIncarnation("migrator-dl1@node8/sfa#3"));
        Assert.False(incarnation.IsEarlierIncarnation("sfa-host"));
        Assert.False(incarnation.IsEarlierIncarnation(null));
    }

    [Fact]
    public async Task Each_start_of_an_instance_gets_the_next_epoch_in_memory()
    {
        using var catalog = new InMemoryCatalog(_time);

        Assert.Equal(1, (await InstanceStartup.BeginAsync(catalog, "a")).Epoch);
        Assert.Equal(2, (await InstanceStartup.BeginAsync(catalog, "a")).Epoch);
        Assert.Equal(1, (await InstanceStartup.BeginAsync(catalog, "b")).Epoch);
        Assert.Equal(2, await catalog.ReadAsync(txn => txn.GetInstanceEpochAsync("a")));
        Assert.Equal(0, await catalog.ReadAsync(txn => txn.GetInstanceEpochAsync("never-started")));
    }

    [Fact]
    public async Task The_epoch_survives_a_reopened_sqlite_store_and_fences_the_earlier_incarnation()
    {
        var options = new SqliteHsmOptions { Path = _dir.File("epochs.db") };
        InstanceIncarnation first;
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(options, _time))
        {
            first = await InstanceStartup.BeginAsync(store.Catalog, "node7/sfa");
            Assert.False(await store.Catalog.ReadAsync(txn => txn.IsFencedAsync(first.WorkerId("migrator"))));
        }

        await using SqliteHsmStore reopened = await SqliteHsmStore.OpenAsync(options, _time);
        InstanceIncarnation second = await InstanceStartup.BeginAsync(reopened.Catalog, "node7/sfa");

        Assert.Equal(first.Epoch + 1, second.Epoch);
        Assert.True(await reopened.Catalog.ReadAsync(txn => txn.IsFencedAsync(first.WorkerId("migrator"))));
        Assert.False(await reopened.Catalog.ReadAsync(txn => txn.IsFencedAsync(second.WorkerId("migrator"))));
        Assert.False(await reopened.Catalog.ReadAsync(txn => txn.IsFencedAsync("migrator-dl1")));
    }
}

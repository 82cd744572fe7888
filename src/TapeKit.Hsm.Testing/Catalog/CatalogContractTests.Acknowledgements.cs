using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Testing;

public abstract partial class CatalogContractTests
{
    /// <summary>
    /// A bus that keeps its queues in the catalogue's store acknowledges inside a catalogue transaction: nothing while the
    /// transaction is open or after it rolled back, everything once it committed; a transaction of another store is refused.
    /// </summary>
    [SkippableFact]
    public async Task A_bus_in_the_catalogue_s_store_acknowledges_with_the_transaction_and_not_before_its_commit()
    {
        Skip.IfNot(Bus is ICatalogAcknowledgingBus, $"{GetType().Name}: the bus keeps its queues outside the catalogue");
        var acks = (ICatalogAcknowledgingBus)Bus;
        for (int i = 1; i <= 3; i++)
        {
            await Bus.PublishAsync(HsmTopology.EventsExchange, HsmTopology.DispatcherKey,
                HsmMessages.Create(HsmMessageTypes.NamespaceDeleted, new NamespaceDeletedEvent(i, Time.GetUtcNow()), Time));
        }

        IReadOnlyList<IDelivery> got = await Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("t", 10));
        Assert.Equal(3, got.Count);
        using (var other = new InMemoryCatalog(Time))
        {
            await using ICatalogTransaction foreign = await other.BeginAsync();
            Assert.False(await acks.TryAckInAsync(foreign, got));
        }

        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            Assert.True(await acks.TryAckInAsync(txn, got));
        }

        Assert.Equal(3, (await Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Leased);
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            Assert.True(await acks.TryAckInAsync(txn, got));
            await txn.CommitAsync();
        }

        QueueStats left = await Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue);
        Assert.Equal(0, left.Ready + left.Leased);
    }
}

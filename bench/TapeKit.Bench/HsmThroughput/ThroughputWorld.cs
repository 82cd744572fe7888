using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>
/// One run's catalogue and buses, fresh for the run: the dispatcher's bus and one bus per worker — its own connection
/// (PostgreSQL: its own catalogue and pool; RabbitMQ: its own AMQP connection) as a separate worker process would have.
/// SQLite is embedded: the workers share the store, as threads of one process do.
/// </summary>
internal sealed class ThroughputWorld : IAsyncDisposable
{
    private readonly List<Func<ValueTask>> _cleanup;

    public ThroughputWorld(string provider, ICatalog? catalog, IMessageBus dispatcherBus, IReadOnlyList<IMessageBus> workerBuses, IReadOnlyList<ICatalog> workerCatalogs, List<Func<ValueTask>> cleanup)
    {
        Provider = provider;
        Catalog = catalog;
        DispatcherBus = dispatcherBus;
        WorkerBuses = workerBuses;
        WorkerCatalogs = workerCatalogs;
        _cleanup = cleanup;
    }

    public string Provider { get; }

    /// <summary>The dispatcher's catalogue (none for a queue-only RabbitMQ run).</summary>
    public ICatalog? Catalog { get; }

    public IMessageBus DispatcherBus { get; }

    public IReadOnlyList<IMessageBus> WorkerBuses { get; }

    /// <summary>The catalogue each worker uses (the same as <see cref="Catalog"/> on SQLite).</summary>
    public IReadOnlyList<ICatalog> WorkerCatalogs { get; }

    public async ValueTask DisposeAsync()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i]();
        }
    }
}

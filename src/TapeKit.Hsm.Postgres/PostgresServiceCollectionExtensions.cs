using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Leadership;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

/// <summary>Dependency-injection registration of the PostgreSQL catalogue, its work queue and its leader election.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresCatalog"/> as the <see cref="ICatalog"/>; it connects and migrates its schema on first
    /// resolution. The catalogue keeps its outbox in the database, so a message bus must be registered too (an
    /// <see cref="IMessageBus"/>: <see cref="AddTapeKitHsmPostgresBus"/>, or a broker's); the dispatcher's outbox relay
    /// hands the outbox rows to it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the catalogue (at least <see cref="PostgresHsmOptions.ConnectionString"/>).</param>
    public static IServiceCollection AddTapeKitHsmPostgres(this IServiceCollection services, Action<PostgresHsmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PostgresHsmOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        // The container resolves synchronously; opening (connect and migrate) happens once, on first resolution, on the
        // thread pool so that a caller's synchronisation context (a UI thread, a test framework's) is never needed to finish it.
        services.TryAddSingleton(sp =>
        {
            PostgresHsmOptions options = sp.GetRequiredService<IOptions<PostgresHsmOptions>>().Value;
            TimeProvider time = sp.GetRequiredService<TimeProvider>();
            return Task.Run(() => PostgresCatalog.OpenAsync(options, time).AsTask()).GetAwaiter().GetResult();
        });
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<PostgresCatalog>());
        return services;
    }

    /// <summary>
    /// Registers the PostgreSQL work queue (<see cref="PostgresMessageBus"/>, in the catalogue's schema) as the
    /// <see cref="IMessageBus"/>, like <c>AddTapeKitHsmSqlite</c> registers the SQLite store's queue. Needs
    /// <see cref="AddTapeKitHsmPostgres"/>; its options (<see cref="PostgresHsmOptions.MaxDeliveries"/>,
    /// <see cref="PostgresHsmOptions.DefaultLease"/>) configure the queue.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddTapeKitHsmPostgresBus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new PostgresMessageBus(sp.GetRequiredService<PostgresCatalog>()));
        services.TryAddSingleton<IMessageBus>(sp => sp.GetRequiredService<PostgresMessageBus>());
        return services;
    }

    /// <summary>
    /// Registers the PostgreSQL leader election of the dispatcher (<see cref="PostgresLeaderElection"/>, named
    /// <see cref="PostgresLeaderElection.DispatcherElection"/>) as the <see cref="ILeaderElection"/>: with it, of several
    /// dispatcher processes over the catalogue only the elected one works, and its catalogue commits are fenced by its
    /// term (<c>AddTapeKitHsm</c> wires both). Needs <see cref="AddTapeKitHsmPostgres"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddTapeKitHsmPostgresLeaderElection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ILeaderElection>(sp =>
            new PostgresLeaderElection(sp.GetRequiredService<PostgresCatalog>(), PostgresLeaderElection.DispatcherElection));
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Postgres;

/// <summary>Dependency-injection registration of the PostgreSQL catalogue.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresCatalog"/> as the <see cref="ICatalog"/>; it connects and migrates its schema on first
    /// resolution. The catalogue keeps its outbox in the database, so a message bus must be registered too (an
    /// <c>IMessageBus</c>); the dispatcher's outbox relay hands the outbox rows to it.
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
        // The container resolves synchronously; opening (connect and migrate) happens once, on first resolution.
        services.TryAddSingleton(sp => PostgresCatalog.OpenAsync(
            sp.GetRequiredService<IOptions<PostgresHsmOptions>>().Value, sp.GetRequiredService<TimeProvider>()).AsTask().GetAwaiter().GetResult());
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<PostgresCatalog>());
        return services;
    }
}

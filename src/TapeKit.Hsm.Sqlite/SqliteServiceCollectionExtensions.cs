using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Sqlite;

/// <summary>Dependency-injection registration of the embedded SQLite store.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteHsmStore"/> as the <see cref="ICatalog"/> and <see cref="IMessageBus"/> (one file).
    /// The store is opened and migrated on first resolution.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the store (at least <see cref="SqliteHsmOptions.Path"/>).</param>
    public static IServiceCollection AddTapeKitHsmSqlite(this IServiceCollection services, Action<SqliteHsmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SqliteHsmOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        // Opening is synchronous SQLite work behind an async signature; resolving it once here is safe.
        services.TryAddSingleton(sp => SqliteHsmStore.OpenAsync(
            sp.GetRequiredService<IOptions<SqliteHsmOptions>>().Value, sp.GetRequiredService<TimeProvider>()).AsTask().GetAwaiter().GetResult());
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<SqliteHsmStore>().Catalog);
        services.TryAddSingleton<IMessageBus>(sp => sp.GetRequiredService<SqliteHsmStore>().Bus);
        return services;
    }
}

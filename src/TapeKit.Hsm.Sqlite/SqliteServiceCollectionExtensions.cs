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
        // The container resolves synchronously; opening runs once, on first resolution, on the thread pool so that a
        // caller's synchronisation context (a UI thread, a test framework's) is never needed to finish it.
        services.TryAddSingleton(sp =>
        {
            SqliteHsmOptions options = sp.GetRequiredService<IOptions<SqliteHsmOptions>>().Value;
            TimeProvider time = sp.GetRequiredService<TimeProvider>();
            return Task.Run(() => SqliteHsmStore.OpenAsync(options, time).AsTask()).GetAwaiter().GetResult();
        });
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<SqliteHsmStore>().Catalog);
        services.TryAddSingleton<IMessageBus>(sp => sp.GetRequiredService<SqliteHsmStore>().Bus);
        return services;
    }
}

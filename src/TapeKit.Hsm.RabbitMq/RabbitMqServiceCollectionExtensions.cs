using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>Dependency-injection registration of the RabbitMQ bus.</summary>
public static class RabbitMqServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RabbitMqMessageBus"/> as the <see cref="IMessageBus"/>, with its settings bound from the
    /// section <c>TapeKit:Hsm:RabbitMq</c> of <paramref name="configuration"/> (<c>Uri</c>, <c>VirtualHost</c>,
    /// <c>MaxDeliveries</c>, …; see <see cref="RabbitMqBusOptions"/>). It connects on first resolution. The catalogue is
    /// registered apart (PostgreSQL for several hosts); its outbox relay publishes to this bus.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration whose section <see cref="RabbitMqBusOptions.SectionName"/> holds the settings.</param>
    /// <param name="configure">Further settings, applied after the section.</param>
    public static IServiceCollection AddTapeKitHsmRabbitMq(this IServiceCollection services, IConfiguration configuration, Action<RabbitMqBusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<RabbitMqBusOptions>(configuration.GetSection(RabbitMqBusOptions.SectionName));
        return services.AddTapeKitHsmRabbitMq(configure);
    }

    /// <summary>
    /// Registers <see cref="RabbitMqMessageBus"/> as the <see cref="IMessageBus"/>; it connects on first resolution.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the bus (at least <see cref="RabbitMqBusOptions.Uri"/>).</param>
    public static IServiceCollection AddTapeKitHsmRabbitMq(this IServiceCollection services, Action<RabbitMqBusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RabbitMqBusOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        // The container resolves synchronously; connecting happens once, on first resolution, on the thread pool: blocking
        // on it from a thread with a synchronisation context (a UI thread, a test framework's) deadlocked when the
        // connection's continuations queued behind the blocked thread.
        services.TryAddSingleton(sp =>
        {
            RabbitMqBusOptions options = sp.GetRequiredService<IOptions<RabbitMqBusOptions>>().Value;
            TimeProvider time = sp.GetRequiredService<TimeProvider>();
            return Task.Run(() => RabbitMqMessageBus.ConnectAsync(options, time).AsTask()).GetAwaiter().GetResult();
        });
        services.TryAddSingleton<IMessageBus>(sp => sp.GetRequiredService<RabbitMqMessageBus>());
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Sqlite;

namespace SmallFilesCache;

/// <summary>The catalogue and the bus a site runs on, chosen by its options.</summary>
public static class SiteEngines
{
    /// <summary>Messages delivered this often without an acknowledgement are dead-lettered (a crash loop, not a busy site).</summary>
    private const int MaxDeliveries = 50;

    /// <summary>
    /// Registers the engines: one SQLite file under the root (one process), or the PostgreSQL catalogue with its own
    /// queue or a RabbitMQ bus (any number of processes; with <paramref name="leaderElection"/>, dispatchers campaign).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The site.</param>
    /// <param name="root">The site's root directory.</param>
    /// <param name="leaderElection">Whether this process's dispatcher must win a PostgreSQL election before it works.</param>
    public static IServiceCollection AddSiteEngines(this IServiceCollection services, SiteOptions options, string root, bool leaderElection)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Postgres))
        {
            if (!string.IsNullOrEmpty(options.RabbitMq))
            {
                throw new ArgumentException("A RabbitMQ bus needs the PostgreSQL catalogue: the SQLite file serves one process only.", nameof(options));
            }

            return services.AddTapeKitHsmSqlite(o =>
            {
                o.Path = Path.Combine(root, string.IsNullOrEmpty(options.CatalogueFile) ? "catalogue.db" : options.CatalogueFile);
                o.FileMode = options.FileMode; // the catalogue names every file of the site: 0600 (0640 with GroupAccess)
                o.MaxDeliveries = MaxDeliveries;
            });
        }

        services.AddTapeKitHsmPostgres(o =>
        {
            o.ConnectionString = options.Postgres;
            o.Schema = options.PostgresSchema;
            o.MaxDeliveries = MaxDeliveries;
            o.DefaultLease = options.MessageLease;
        });
        if (string.IsNullOrEmpty(options.RabbitMq))
        {
            services.AddTapeKitHsmPostgresBus();
        }
        else
        {
            services.AddTapeKitHsmRabbitMq(o =>
            {
                o.Uri = options.RabbitMq;
                o.NamePrefix = options.RabbitMqPrefix;
                o.MaxDeliveries = MaxDeliveries;
                o.DefaultLease = options.MessageLease;
                o.ConnectionName = options.InstanceName;
            });
        }

        return leaderElection ? services.AddTapeKitHsmPostgresLeaderElection() : services;
    }
}

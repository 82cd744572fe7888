using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Leadership;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;

namespace TapeKit.Hsm.Hosting;

/// <summary>Dependency-injection registration of the HSM building blocks.</summary>
public static class HsmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the policies, the dispatcher and its loop, metrics and the options. A catalogue and a bus must be
    /// registered too: <see cref="AddTapeKitHsmInMemory"/>, or <c>AddTapeKitHsmSqlite</c> from <c>TapeKit.Hsm.Sqlite</c>.
    /// <see cref="TimeProvider"/> defaults to <see cref="TimeProvider.System"/>; register another first to inject a clock.
    /// Metrics need an <see cref="IMeterFactory"/> (the generic host registers one; otherwise call <c>AddMetrics()</c>).
    /// With <see cref="HsmOptions.InstanceName"/> set, the <see cref="InstanceIncarnation"/> of this process is registered
    /// too, and the workers' ids name it. With an <see cref="ILeaderElection"/> registered (several dispatcher processes
    /// over one shared catalogue), the dispatcher campaigns for leadership (<see cref="LeaderCampaign"/>) and its catalogue
    /// is fenced by its term (<see cref="LeaderFencedCatalog"/>); without one, nothing changes.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options (in addition to any configuration binding).</param>
    public static IServiceCollection AddTapeKitHsm(this IServiceCollection services, Action<HsmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<HsmOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        // Beginning an incarnation is one short catalogue transaction behind an async signature, resolved once; on the
        // thread pool so that a caller's synchronisation context (a UI thread, a test framework's) is never needed to finish it.
        services.TryAddSingleton(sp =>
        {
            HsmOptions o = sp.GetRequiredService<IOptions<HsmOptions>>().Value;
            if (string.IsNullOrEmpty(o.InstanceName))
            {
                throw new InvalidOperationException($"No instance name is configured ({nameof(HsmOptions)}.{nameof(HsmOptions.InstanceName)}): this process has no incarnation.");
            }

            ICatalog catalog = sp.GetRequiredService<ICatalog>();
            return Task.Run(() => InstanceStartup.BeginAsync(catalog, o.InstanceName).AsTask()).GetAwaiter().GetResult();
        });
        services.TryAddSingleton(sp => new HsmMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton<IPolicySelector>(sp =>
        {
            HsmOptions o = sp.GetRequiredService<IOptions<HsmOptions>>().Value;
            var environment = new PolicyEnvironment { DiskLibraries = new HashSet<string>(o.DiskLibraries, StringComparer.Ordinal) };
            return new PolicySelector(o.Policies, environment);
        });
        services.TryAddSingleton(sp => new PurgePolicy(sp.GetRequiredService<IOptions<HsmOptions>>().Value.Purge));
        services.TryAddSingleton(sp => new RecallPlanner(sp.GetRequiredService<IOptions<HsmOptions>>().Value.Recall));
        services.TryAddSingleton(sp =>
        {
            HsmOptions o = sp.GetRequiredService<IOptions<HsmOptions>>().Value;
            return new Dispatcher(
                DispatcherCatalogOf(sp),
                DispatcherOptionsOf(sp, o),
                o.RandomSeed is { } seed ? new Random(seed) : new Random(),
                sp.GetRequiredService<HsmMetrics>(),
                sp.GetService<ILogger<Dispatcher>>())
            {
                RecallPlanner = o.Dispatcher.PlanRecalls ? sp.GetRequiredService<RecallPlanner>() : null,
                PurgePlanners = o.Dispatcher.PlanPurges ? [.. o.DiskLibraries.Select(dl => sp.GetKeyedService<Purger>(dl)).OfType<Purger>()] : [],
            };
        });
        services.TryAddSingleton(sp =>
        {
            DispatcherOptions o = DispatcherOptionsOf(sp, sp.GetRequiredService<IOptions<HsmOptions>>().Value);
            return new LeaderCampaign(sp.GetRequiredService<ILeaderElection>(), o.ConsumerId ?? o.DispatcherId, o.LeaderCampaignInterval);
        });
        services.TryAddSingleton(sp => new DispatcherService(
            sp.GetRequiredService<Dispatcher>(),
            sp.GetRequiredService<ICatalog>(),
            sp.GetRequiredService<IMessageBus>(),
            DispatcherOptionsOf(sp, sp.GetRequiredService<IOptions<HsmOptions>>().Value))
        {
            Leadership = sp.GetService<ILeaderElection>() is null ? null : sp.GetRequiredService<LeaderCampaign>(),
        });
        return services;
    }

    /// <summary>The dispatcher's catalogue: fenced by its leadership when a leader election is registered.</summary>
    private static ICatalog DispatcherCatalogOf(IServiceProvider sp) =>
        sp.GetService<ILeaderElection>() is null
            ? sp.GetRequiredService<ICatalog>()
            : new LeaderFencedCatalog(sp.GetRequiredService<ICatalog>(), sp.GetRequiredService<LeaderCampaign>());

    /// <summary>
    /// Registers one disk library's <see cref="Migrator"/>, <see cref="Stager"/> and <see cref="Purger"/> as keyed
    /// singletons under the disk library's name, configured by the named <see cref="DiskLibraryServiceOptions"/>. They
    /// need what <see cref="AddTapeKitHsm"/> registers, an <see cref="ITapeDrivePool"/> keyed by the same name, and a
    /// <see cref="LabelWriter"/>; the drives' clock is the keyed <see cref="TimeProvider"/> of that name when there is
    /// one (a <c>VirtualClock</c>), else the host's.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="diskLibrary">The disk library's name (the key).</param>
    /// <param name="configure">Configures its options.</param>
    public static IServiceCollection AddTapeKitDiskLibrary(this IServiceCollection services, string diskLibrary, Action<DiskLibraryServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(diskLibrary);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(diskLibrary, configure);
        services.AddKeyedSingleton(diskLibrary, (sp, _) =>
        {
            DiskLibraryServiceOptions o = sp.GetRequiredService<IOptionsMonitor<DiskLibraryServiceOptions>>().Get(diskLibrary);
            o.Migrator.DiskLibrary = diskLibrary;
            o.Migrator.CacheRoot = o.CacheRoot;
            if (!string.IsNullOrEmpty(sp.GetRequiredService<IOptions<HsmOptions>>().Value.InstanceName)
                && !InstanceIncarnation.TryParse(o.Migrator.MigratorId, out string _, out long _))
            {
                o.Migrator.MigratorId = sp.GetRequiredService<InstanceIncarnation>().WorkerId($"{o.Migrator.MigratorId}-{diskLibrary}");
            }

            return new Migrator(
                sp.GetRequiredService<ICatalog>(), sp.GetRequiredService<IMessageBus>(), sp.GetRequiredKeyedService<ITapeDrivePool>(diskLibrary),
                sp.GetRequiredService<LabelWriter>(), o.Migrator, sp.GetKeyedService<TimeProvider>(diskLibrary) ?? sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<HsmMetrics>(), sp.GetService<ILogger<Migrator>>())
            {
                Stager = sp.GetRequiredKeyedService<Stager>(diskLibrary), // Runs the dispatcher's Stage commands …
                Purger = sp.GetRequiredKeyedService<Purger>(diskLibrary), // … and its Purge commands.
            };
        });
        services.AddKeyedSingleton(diskLibrary, (sp, _) =>
        {
            DiskLibraryServiceOptions o = sp.GetRequiredService<IOptionsMonitor<DiskLibraryServiceOptions>>().Get(diskLibrary);
            return new Stager(
                sp.GetRequiredService<ICatalog>(), sp.GetRequiredKeyedService<ITapeDrivePool>(diskLibrary), sp.GetRequiredService<RecallPlanner>(),
                new StagerOptions
                {
                    DiskLibrary = diskLibrary, CacheRoot = o.CacheRoot, StageRoot = o.StageRoot, CacheCapacityBytes = o.CacheCapacityBytes,
                    // An incarnation's worker id: a restart of this instance frees the drives its killed stager held.
                    StagerId = string.IsNullOrEmpty(sp.GetRequiredService<IOptions<HsmOptions>>().Value.InstanceName)
                        ? "" : sp.GetRequiredService<InstanceIncarnation>().WorkerId($"stager-{diskLibrary}"),
                    FileMode = o.FileMode, DirectoryMode = o.DirectoryMode,
                },
                sp.GetService<ILogger<Stager>>(), sp.GetRequiredService<HsmMetrics>());
        });
        services.AddKeyedSingleton(diskLibrary, (sp, _) =>
        {
            DiskLibraryServiceOptions o = sp.GetRequiredService<IOptionsMonitor<DiskLibraryServiceOptions>>().Get(diskLibrary);
            return new Purger(sp.GetRequiredService<ICatalog>(), sp.GetRequiredService<PurgePolicy>(),
                new PurgerOptions { DiskLibrary = diskLibrary, CacheRoot = o.CacheRoot, CapacityBytes = o.CacheCapacityBytes },
                sp.GetRequiredService<HsmMetrics>());
        });
        return services;
    }

    /// <summary>The dispatcher's options, its consumer id named after this process's incarnation when there is one.</summary>
    private static DispatcherOptions DispatcherOptionsOf(IServiceProvider sp, HsmOptions o)
    {
        if (!string.IsNullOrEmpty(o.InstanceName))
        {
            o.Dispatcher.ConsumerId ??= sp.GetRequiredService<InstanceIncarnation>().WorkerId("dispatcher");
        }

        return o.Dispatcher;
    }

    /// <summary>Registers the in-process catalogue and bus (tests, single-process hosts; not durable).</summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddTapeKitHsmInMemory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICatalog>(sp => new InMemoryCatalog(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IMessageBus>(sp => new InProcessMessageBus(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<HsmOptions>>().Value.Bus));
        return services;
    }
}

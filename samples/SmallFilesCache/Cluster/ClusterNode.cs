using Microsoft.Extensions.Logging;
using TapeKit.Devices.Virtual;

namespace SmallFilesCache.Cluster;

/// <summary>
/// One process of a clustered site: <c>node dispatcher</c> campaigns for the dispatcher's term and runs its loop while
/// it leads; <c>node migrator --disk-library NAME</c> serves that disk library's command queue (several may serve one).
/// Both run until SIGTERM or Ctrl-C; a round that fails (a server restarting) is logged and the next one starts again
/// from the catalogue.
/// </summary>
public static partial class ClusterNode
{
    /// <summary>Runs a role until <paramref name="ct"/> stops it.</summary>
    /// <param name="role"><see cref="SiteRole.Dispatcher"/> or <see cref="SiteRole.Migrator"/>.</param>
    /// <param name="options">The site (its <see cref="SiteOptions.InstanceName"/> names this process).</param>
    /// <param name="diskLibrary">The migrator's disk library.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="ct">Stops the process.</param>
    public static async Task RunAsync(SiteRole role, SiteOptions options, string? diskLibrary, ILoggerFactory loggers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ILogger logger = loggers.CreateLogger("SmallFilesCache.Node");
        if (role == SiteRole.Migrator && (diskLibrary is null || options.DiskLibraries.All(d => d.Name != diskLibrary)))
        {
            throw new ArgumentException($"--disk-library must name one of the site's disk libraries ({string.Join(", ", options.DiskLibraries.Select(d => d.Name))}), not '{diskLibrary}'.");
        }

        CacheSite? site = null;
        try
        {
            // The catalogue may be restarting when this process starts: opening is retried like a round.
            while (site is null)
            {
                try
                {
                    site = await CacheSite.OpenAsync(options, role, TimeProvider.System, loggers, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException && !ct.IsCancellationRequested)
                {
                    Log.OpenFailed(logger, options.InstanceName, e.Message);
                    await Task.Delay(options.PollInterval, ct);
                }
            }

            Log.Started(logger, options.InstanceName, site.Incarnation.Epoch, role, diskLibrary ?? "");
            if (role == SiteRole.Dispatcher)
            {
                await DispatchAsync(site, logger, ct);
            }
            else
            {
                await MigrateAsync(site, site.Libraries[diskLibrary!], logger, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (site is not null)
            {
                await site.DisposeAsync();
            }
        }
    }

    private static async Task DispatchAsync(CacheSite site, ILogger logger, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await site.DispatcherService.RunAsync(ct); // Campaigns; gives its term up on a store error and campaigns again.
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // An error the loop does not classify as transient (the broker gone, say): this process campaigns again.
                Log.RoundFailed(logger, site.Incarnation.Name, e.Message);
                await Task.Delay(site.Options.PollInterval, ct);
            }
        }
    }

    private static async Task MigrateAsync(CacheSite site, DiskLibrary library, ILogger logger, CancellationToken ct)
    {
        // A watchdog, as a service manager's: a migrator whose rounds stop (a call that never returns after a broker
        // restart) exits, and its supervisor starts a new incarnation, which takes its work back at once.
        long lastRound = Environment.TickCount64;
        TimeSpan stall = site.Options.WorkLease + TimeSpan.FromMinutes(1);
        _ = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                if (Environment.TickCount64 - Interlocked.Read(ref lastRound) > stall.TotalMilliseconds)
                {
                    Log.Stalled(logger, site.Incarnation.Name, stall.TotalSeconds);
                    Environment.Exit(70);
                }
            }
        }, CancellationToken.None);

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await site.RelayAsync(notifications: false, ct);
                int received = await library.Migrator.RunOnceAsync(ct);
                await site.RelayAsync(notifications: false, ct); // Its replies, without waiting for another process's relay.
                Report(site, library);
                if (received == 0)
                {
                    await site.Bus.WaitAsync(library.Migrator.CommandQueue, site.Options.PollInterval, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Log.RoundFailed(logger, site.Incarnation.Name, e.Message);
                await Task.Delay(site.Options.PollInterval, ct);
            }

            Interlocked.Exchange(ref lastRound, Environment.TickCount64);
        }
    }

    private static void Report(CacheSite site, DiskLibrary library)
    {
        DriveTime drives = DriveTime.Zero;
        // Each process keeps its own statistics of the drives it used: under the scheduler any drive of the library.
        IEnumerable<int> used = site.Options.ScheduleDrives
            ? Enumerable.Range(0, site.TapeLibrary.Options.Drives)
            : site.Options.DiskLibraries.First(d => d.Name == library.Name).Drives;
        foreach (int drive in used)
        {
            drives = drives.Plus(DriveTime.From(site.TapeLibrary.Drive(drive).Statistics));
        }

        new NodeReport(site.Incarnation.Name, site.Incarnation.Epoch, library.Migrator.Sessions, drives).Write(site.Root);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Instance} epoch {Epoch} runs as {Role} {DiskLibrary}.")]
        public static partial void Started(ILogger logger, string instance, long epoch, SiteRole role, string diskLibrary);

        [LoggerMessage(2, LogLevel.Warning, "{Instance}: a round failed, the next starts again from the catalogue: {Reason}")]
        public static partial void RoundFailed(ILogger logger, string instance, string reason);

        [LoggerMessage(4, LogLevel.Critical, "{Instance}: no round ended for {Seconds} s; the process exits for its supervisor to start it again.")]
        public static partial void Stalled(ILogger logger, string instance, double seconds);

        [LoggerMessage(3, LogLevel.Warning, "{Instance}: cannot open the site yet, trying again: {Reason}")]
        public static partial void OpenFailed(ILogger logger, string instance, string reason);
    }
}

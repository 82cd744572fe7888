using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using SmallFilesCache;
using TapeKit.Campaign.Crash;

namespace TapeKit.Campaign;

/// <summary>
/// The SmallFilesCache site of one case, in this process: opened from the same <c>appsettings.json</c> the daemon reads
/// (<see cref="CrashSiteSettings"/>), on a catalogue clock the case moves (<see cref="Time"/>), and run round by round the
/// way <see cref="CacheDaemon"/> runs it. A restart disposes the site and opens it again: a new incarnation, a new
/// virtual library object (so drive and library faults armed in memory are gone), the same files on disk.
/// </summary>
internal sealed class InProcessSite(string root, ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>A round that takes longer than this is stuck (a normal round of a case takes well under a second).</summary>
    public static readonly TimeSpan RoundLimit = TimeSpan.FromSeconds(15);

    /// <summary>How far the catalogue clock moves each round.</summary>
    public static readonly TimeSpan RoundTime = TimeSpan.FromSeconds(20);

    private readonly ILogger _logger = loggers.CreateLogger("TapeKit.Campaign.Site");

    /// <summary>The site's root.</summary>
    public string Root { get; } = root;

    /// <summary>The catalogue's clock.</summary>
    public SteppedClock Time { get; } = new();

    /// <summary>The open site.</summary>
    public CacheSite Site => _site ?? throw new InvalidOperationException("The site is not open.");

    /// <summary>The catalogue probe.</summary>
    public SiteProbe Probe { get; } = new(Path.Combine(root, "catalogue.db"));

    /// <summary>Rounds that ended in an exception (the daemon logs them and goes on).</summary>
    public List<string> RoundErrors { get; } = [];

    /// <summary>Inbox files left for a later round because the cache area was full (summed over rounds).</summary>
    public int WaitedForSpace { get; private set; }

    /// <summary>Called before each round with the open site (a case arms faults on the site's objects here).</summary>
    public Func<CacheSite, Task>? BeforeRound { get; set; }

    private CacheSite? _site;
    private CrashPhase _phase;

    /// <summary>Opens the site in <paramref name="phase"/> (writes its settings first).</summary>
    public async Task OpenAsync(CrashPhase phase)
    {
        _phase = phase;
        // Eight tapes a pool: the write-side kinds set up to six aside (three media errors or wrong cartridges a drive), and two
        // copies still need two writable tapes; a pool with none left waits for an operator, which the campaign does not model.
        CrashSiteSettings.Write(Root, phase, tapesPerPool: 8, maxFilesPerAggregation: 4, workLease: "00:02:00");
        SiteOptions options = new ConfigurationBuilder().AddJsonFile(CrashSiteSettings.PathIn(Root)).Build().GetSection("Site").Get<SiteOptions>()
            ?? throw new InvalidOperationException($"{CrashSiteSettings.PathIn(Root)} has no Site section.");
        _site = await CacheSite.OpenAsync(options, Time, loggers);
    }

    /// <summary>Stops the site (as a crash would: no round finishes) and opens it again, in <paramref name="phase"/> or the current one.</summary>
    public async Task RestartAsync(CrashPhase? phase = null)
    {
        await CloseAsync();
        await OpenAsync(phase ?? _phase);
    }

    /// <summary>Closes the site.</summary>
    public async Task CloseAsync()
    {
        if (_site is { } site)
        {
            _site = null;
            await site.DisposeAsync();
        }
    }

    /// <summary>
    /// One round of the daemon's loop: ingest the inbox, pump, migrate (archive and stage), purge, dismount idle drives;
    /// then the catalogue clock moves on. An exception ends the round and is recorded, as the daemon logs it.
    /// A <see cref="SiteCrashException"/> (the case's crash hook) is not caught: the caller restarts the site.
    /// </summary>
    public async Task RoundAsync(CancellationToken ct = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(RoundLimit);
        try
        {
            if (BeforeRound is { } before)
            {
                await before(Site);
            }

            IReadOnlyList<InboxEntry> entries = await InboxIngest.RunAsync(Site, Path.Combine(Root, "inbox"), Time.GetUtcNow(), _logger, ct: limit.Token);
            WaitedForSpace += entries.Count(e => e.Verdict == InboxVerdict.NotYet && e.Reason.StartsWith("the cache area is full", StringComparison.Ordinal));
            await Site.PumpAsync(limit.Token);
            await Site.MigrateAsync(limit.Token);
            _ = await Site.PurgeAsync(limit.Token);
            await Site.DismountIdleAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SiteStuckException($"A round did not finish within {RoundLimit.TotalSeconds:F0} s: the site loops or waits for something that never comes.");
        }
        catch (Exception e) when (e is not (SiteCrashException or OperationCanceledException))
        {
            RoundErrors.Add($"{e.GetType().Name}: {e.Message}");
        }

        Time.Advance(RoundTime);
    }

    /// <summary>Runs rounds until <paramref name="done"/> holds or <paramref name="limit"/> rounds are over; a crash restarts the site.</summary>
    /// <returns>Whether <paramref name="done"/> held.</returns>
    public async Task<bool> RunUntilAsync(Func<bool> done, int limit, Action? onCrash = null, CancellationToken ct = default)
    {
        for (int round = 0; round < limit; round++)
        {
            if (done())
            {
                return true;
            }

            try
            {
                await RoundAsync(ct);
            }
            catch (SiteCrashException)
            {
                onCrash?.Invoke();
                await RestartAsync();
            }
        }

        return done();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => new(CloseAsync());
}

/// <summary>A round of the site did not finish in time: the case stops there and fails.</summary>
internal sealed class SiteStuckException(string message) : Exception(message);

/// <summary>The case's crash hook fired: the site's process "dies" here and is restarted by the case.</summary>
internal sealed class SiteCrashException(string where) : Exception($"The site's process died at {where}.");

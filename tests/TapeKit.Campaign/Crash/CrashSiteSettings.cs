using System.Text.Json;

namespace TapeKit.Campaign.Crash;

/// <summary>What the daemon is asked to do in a phase of the crash test.</summary>
internal enum CrashPhase
{
    /// <summary>Ingest and archive; nothing is purged.</summary>
    Archive,
    /// <summary>Purge every archived copy (a cache of one byte is always above its watermark).</summary>
    Purge,
    /// <summary>Recall at once; nothing is purged.</summary>
    Recall,
}

/// <summary>
/// The daemon's <c>appsettings.json</c> for the crash test, in its working directory: the sample's two disk libraries,
/// small lists that close after a second, two copies for <c>expA</c>, a fast loop, and the phase's purge and recall rules.
/// </summary>
internal static class CrashSiteSettings
{
    /// <summary>The instance name the test's daemon runs as.</summary>
    public const string InstanceName = "crash-test/sfa";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the settings of <paramref name="phase"/> for a site at <paramref name="root"/>.</summary>
    /// <param name="root">The site's root (the settings go in its <c>appsettings.json</c>).</param>
    /// <param name="phase">What the daemon is asked to do.</param>
    /// <param name="tapesPerPool">Tapes labelled per pool (the campaign gives faults spare tapes).</param>
    /// <param name="maxFilesPerAggregation">Files per aggregation (small: more tape files, more places for a fault).</param>
    /// <param name="workLease">The work lease (the campaign's virtual clock runs through it in a few rounds).</param>
    /// <param name="catalogueFile">The SQLite catalogue's file; empty: <c>catalogue.db</c> under the root.</param>
    public static void Write(string root, CrashPhase phase, int tapesPerPool = 3, int maxFilesPerAggregation = 16, string workLease = "00:10:00", string catalogueFile = "")
    {
        bool purge = phase == CrashPhase.Purge;
        var settings = new
        {
            Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Information", ["TapeKit"] = "Warning" } },
            Site = new
            {
                Root = root,
                CatalogueFile = catalogueFile,
                InstanceName,
                Media = "LTO-9",
                TapesPerPool = tapesPerPool,
                WorkLease = workLease,
                DiskLibraries = new object[]
                {
                    new { Name = "dl1", Drives = new[] { 0 }, CacheCapacityBytes = purge ? 1L : 1L << 40 },
                    new { Name = "dl2", Drives = new[] { 1 }, CacheCapacityBytes = purge ? 1L : 1L << 40 },
                },
                Policies = new
                {
                    Version = 1,
                    Rules = new object[]
                    {
                        new { Name = "experiment-a", Match = new { storageGroup = "expA" }, DiskLibrary = "dl1", TapePool = "pool-dl1", Format = "Tar", CopyCount = 2, MaxFilesPerAggregation = maxFilesPerAggregation, MaxWaitingTime = "00:00:01" },
                        new { Name = "experiment-b", Match = new { storageGroup = "expB" }, DiskLibrary = "dl2", TapePool = "pool-dl2", Format = "Tar", CopyCount = 1, MaxFilesPerAggregation = maxFilesPerAggregation, MaxWaitingTime = "00:00:01" },
                        new { Name = "default", Match = new { }, DiskLibrary = "dl1", TapePool = "pool-dl1", Format = "Tar", CopyCount = 1, MaxFilesPerAggregation = maxFilesPerAggregation, MaxWaitingTime = "00:00:01" },
                    },
                },
                Recall = new
                {
                    MinRequestAge = new { Low = "00:00:00", Normal = "00:00:00", High = "00:00:00", Urgent = "00:00:00" },
                    FillWait = "00:00:00",
                    RemountDelay = "00:00:00",
                },
                PurgeMinAge = purge ? "00:00:00" : "1.00:00:00",
                PurgeHighWatermark = 0.9,
                PurgeLowWatermark = 0.8,
                DismountDelay = "00:00:02",
                PollInterval = "00:00:00.200",
                InboxSettleTime = "00:00:00", // the workload renames finished files into the inbox
            },
        };
        File.WriteAllText(PathIn(root), JsonSerializer.Serialize(settings, Indented));
    }

    /// <summary>Where the settings of a site at <paramref name="root"/> are.</summary>
    public static string PathIn(string root) => Path.Combine(root, "appsettings.json");
}

using System.Diagnostics.Metrics;

namespace TapeKit.Hsm.Diagnostics;

/// <summary>
/// The <c>TapeKit.Hsm</c> meter and the instruments of docs/hsm/overview.md#metrics that the catalogue-side components record.
/// Created through <see cref="IMeterFactory"/>, so hosts and tests get their own instances. Tags are low-cardinality:
/// never a VSN, file id or list id.
/// </summary>
public sealed class HsmMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "TapeKit.Hsm";

    private readonly Meter _meter;
    private Func<IEnumerable<Measurement<long>>>? _listsCallback;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The factory (the host's, or a test's).</param>
    public HsmMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(HsmMetrics).Assembly.GetName().Version?.ToString() });
        ArchiveFiles = _meter.CreateCounter<long>("tapekit.hsm.archive.files", "{file}", "Files committed ARCHIVED.");
        ArchiveBytes = _meter.CreateCounter<long>("tapekit.hsm.archive.bytes", "By", "Bytes committed ARCHIVED.");
        ArchiveLatency = _meter.CreateHistogram<double>("tapekit.hsm.archive.latency", "s", "CacheWritten → FileArchived.");
        ListWait = _meter.CreateHistogram<double>("tapekit.hsm.list.wait", "s", "FILLING duration until closed.");
        Retries = _meter.CreateCounter<long>("tapekit.hsm.retries", "{retry}", "Re-queues by reason.");
        DeadLetters = _meter.CreateCounter<long>("tapekit.hsm.dead_letters", "{message}", "Dead-lettered messages and lists.");
        LeaseExpiries = _meter.CreateCounter<long>("tapekit.hsm.lease_expiries", "{lease}", "Work leases that expired.");
        BusyReplies = _meter.CreateCounter<long>("tapekit.hsm.busy_replies", "{reply}", "Busy replies received.");
        StaleReplies = _meter.CreateCounter<long>("tapekit.hsm.stale_replies", "{reply}", "Replies of an old attempt, ignored (R4).");
        StageFiles = _meter.CreateCounter<long>("tapekit.hsm.stage.files", "{file}", "Files published into read caches.");
        StageBytes = _meter.CreateCounter<long>("tapekit.hsm.stage.bytes", "By", "Bytes published into read caches.");
        PurgeFiles = _meter.CreateCounter<long>("tapekit.hsm.purge.files", "{file}", "Cache copies removed.");
        PurgeBytes = _meter.CreateCounter<long>("tapekit.hsm.purge.bytes", "By", "Bytes of cache copies removed.");
        Aggregations = _meter.CreateCounter<long>("tapekit.hsm.aggregations", "{aggregation}", "Aggregations finished, by outcome.");
        Mounts = _meter.CreateCounter<long>("tapekit.hsm.mounts", "{mount}", "Robot mounts performed.");
        Syncs = _meter.CreateCounter<long>("tapekit.hsm.syncs", "{sync}", "Synchronising flushes at the end of write sessions.");
        ChecksumFailures = _meter.CreateCounter<long>("tapekit.hsm.checksum_failures", "{event}", "Checksum failures found while packing or staging.");
        ReadAhead = _meter.CreateCounter<long>("tapekit.hsm.readahead", "{decision}", "Whole-aggregation or positioned read decisions.");
        _meter.CreateObservableGauge("tapekit.hsm.lists", () => _listsCallback?.Invoke() ?? [], "{list}", "Lists per kind and state.");
    }

    /// <summary><c>tapekit.hsm.archive.files</c>; tags disk_library, rule, strategy.</summary>
    public Counter<long> ArchiveFiles { get; }

    /// <summary><c>tapekit.hsm.archive.bytes</c>; tags disk_library, rule, strategy.</summary>
    public Counter<long> ArchiveBytes { get; }

    /// <summary><c>tapekit.hsm.archive.latency</c>; tags disk_library, rule.</summary>
    public Histogram<double> ArchiveLatency { get; }

    /// <summary><c>tapekit.hsm.list.wait</c>; tags kind, close_reason.</summary>
    public Histogram<double> ListWait { get; }

    /// <summary><c>tapekit.hsm.retries</c>; tags kind, reason.</summary>
    public Counter<long> Retries { get; }

    /// <summary><c>tapekit.hsm.dead_letters</c>; tags queue, reason.</summary>
    public Counter<long> DeadLetters { get; }

    /// <summary><c>tapekit.hsm.lease_expiries</c>; tag kind.</summary>
    public Counter<long> LeaseExpiries { get; }

    /// <summary><c>tapekit.hsm.busy_replies</c>; tag disk_library.</summary>
    public Counter<long> BusyReplies { get; }

    /// <summary><c>tapekit.hsm.stale_replies</c> (TapeKit addition: R4 says stale replies are counted); tag kind.</summary>
    public Counter<long> StaleReplies { get; }

    /// <summary><c>tapekit.hsm.stage.files</c>; tags disk_library, read_mode.</summary>
    public Counter<long> StageFiles { get; }

    /// <summary><c>tapekit.hsm.stage.bytes</c>; tags disk_library, read_mode.</summary>
    public Counter<long> StageBytes { get; }

    /// <summary><c>tapekit.hsm.purge.files</c>; tags disk_library, area.</summary>
    public Counter<long> PurgeFiles { get; }

    /// <summary><c>tapekit.hsm.purge.bytes</c>; tags disk_library, area.</summary>
    public Counter<long> PurgeBytes { get; }

    /// <summary><c>tapekit.hsm.aggregations</c>; tags format, outcome (<c>on_tape</c>, <c>failed</c>).</summary>
    public Counter<long> Aggregations { get; }

    /// <summary><c>tapekit.hsm.mounts</c>; tags purpose (<c>archive</c>, <c>recall</c>).</summary>
    public Counter<long> Mounts { get; }

    /// <summary><c>tapekit.hsm.syncs</c>; tag trigger.</summary>
    public Counter<long> Syncs { get; }

    /// <summary><c>tapekit.hsm.checksum_failures</c>; tag where (<c>package</c>, <c>stage</c>).</summary>
    public Counter<long> ChecksumFailures { get; }

    /// <summary><c>tapekit.hsm.readahead</c>; tag decision (<c>whole</c>, <c>positioned</c>).</summary>
    public Counter<long> ReadAhead { get; }

    /// <summary>Sets the source of the <c>tapekit.hsm.lists</c> gauge (the dispatcher's last count per kind and state).</summary>
    /// <param name="callback">Returns one measurement per (kind, state).</param>
    public void ObserveLists(Func<IEnumerable<Measurement<long>>> callback) => _listsCallback = callback;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

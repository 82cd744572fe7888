using System.Diagnostics.Metrics;

namespace TapeKit.Hsm.Diagnostics;

/// <summary>
/// The <c>TapeKit.Hsm</c> meter and the instruments of spec/hsm.md §8.1 that the catalogue-side components record.
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

    /// <summary>Sets the source of the <c>tapekit.hsm.lists</c> gauge (the dispatcher's last count per kind and state).</summary>
    /// <param name="callback">Returns one measurement per (kind, state).</param>
    public void ObserveLists(Func<IEnumerable<Measurement<long>>> callback) => _listsCallback = callback;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics;
using System.Globalization;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>Where a lifecycle run spent its time: when the ingest ended, the dispatcher's rounds and the migrators' lists (stderr only).</summary>
internal sealed class LifecycleTimeSpent
{
    public const int Dispatcher = 0;
    public const int Migrator = 1;

    private readonly long[] _calls = new long[2];
    private readonly long[] _items = new long[2];
    private readonly long[] _ticks = new long[2];
    private long _ingestEnded;

    public void Add(int what, long startTimestamp, int items)
    {
        long elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        Interlocked.Increment(ref _calls[what]);
        Interlocked.Add(ref _items[what], items);
        Interlocked.Add(ref _ticks[what], elapsed);
    }

    public void IngestEnded(long start)
    {
        long now = Stopwatch.GetTimestamp() - start;
        long seen;
        while ((seen = Interlocked.Read(ref _ingestEnded)) < now && Interlocked.CompareExchange(ref _ingestEnded, now, seen) != seen)
        {
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ingest ended at {Ms(_ingestEnded):F0} ms; dispatcher {_calls[Dispatcher]} rounds, {_items[Dispatcher]} deliveries, {Ms(_ticks[Dispatcher]):F0} ms; migrators {_calls[Migrator]} lists, {_items[Migrator]} files, {Ms(_ticks[Migrator]):F0} ms ({(_calls[Migrator] == 0 ? 0 : Ms(_ticks[Migrator]) / _calls[Migrator]):F0} ms per list)");

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

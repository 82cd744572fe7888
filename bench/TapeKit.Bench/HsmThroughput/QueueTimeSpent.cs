using System.Diagnostics;
using System.Globalization;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>Where a queue run's workers spent their time: calls, messages and milliseconds per operation, summed over the workers (stderr only).</summary>
internal sealed class QueueTimeSpent
{
    public const int Publish = 0;
    public const int Receive = 1;
    public const int Ack = 2;
    public const int Wait = 3;

    private static readonly string[] Names = ["publish", "receive", "ack", "wait"];
    private readonly long[] _calls = new long[4];
    private readonly long[] _messages = new long[4];
    private readonly long[] _ticks = new long[4];

    public void Add(int op, long startTimestamp, int messages)
    {
        long elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        Interlocked.Increment(ref _calls[op]);
        Interlocked.Add(ref _messages[op], messages);
        Interlocked.Add(ref _ticks[op], elapsed);
    }

    public override string ToString() => string.Join("; ", Enumerable.Range(0, 4).Select(op => string.Create(CultureInfo.InvariantCulture,
        $"{Names[op]} {_calls[op]} calls, {_messages[op]} msgs, {_ticks[op] * 1000.0 / Stopwatch.Frequency:F0} ms ({(_calls[op] == 0 ? 0 : _ticks[op] * 1000.0 / Stopwatch.Frequency / _calls[op]):F2} ms/call)")));
}

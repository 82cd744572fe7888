using System.Diagnostics;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>
/// Queue messages per second: N workers race on one queue, each with its own bus (connection), each publishing its
/// share of the messages in batches (one transaction, or pipelined confirms, per batch) while receiving batches
/// (<see cref="ReceiveOptions.MaxMessages"/> = the batch) and acknowledging each received batch at once
/// (<see cref="IMessageBus.AckManyAsync"/>). Producers and consumers run concurrently from an empty queue; the clock stops
/// when the last message is acknowledged. A message acknowledged twice or lost fails the run.
/// </summary>
internal static class QueueThroughput
{
    public const string Exchange = "bench.x";
    public const string RoutingKey = "work";
    public const string Queue = "bench.work";

    public static BusTopology Topology { get; } = new([new QueueBinding(Exchange, RoutingKey, Queue)]);

    /// <summary>One run; returns messages per second of wall time.</summary>
    public static async Task<double> RunAsync(ThroughputWorld world, int messages, int batch)
    {
        int workers = world.WorkerBuses.Count;
        int perWorker = messages / workers;
        int total = perWorker * workers;
        int acked = 0;
        long end = 0;
        var spent = new QueueTimeSpent();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        long start = Stopwatch.GetTimestamp();
        var tasks = new List<Task>();
        for (int w = 0; w < workers; w++)
        {
            IMessageBus bus = world.WorkerBuses[w];
            tasks.Add(Task.Run(() => ProduceAsync(bus, perWorker, batch, spent)));
            string consumer = $"bench-worker-{w}";
            tasks.Add(Task.Run(async () =>
            {
                var receive = new ReceiveOptions(consumer, batch);
                while (Volatile.Read(ref acked) < total)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    long t0 = Stopwatch.GetTimestamp();
                    IReadOnlyList<IDelivery> got = await bus.ReceiveAsync(Queue, receive, stop.Token);
                    spent.Add(QueueTimeSpent.Receive, t0, got.Count);
                    if (got.Count == 0)
                    {
                        t0 = Stopwatch.GetTimestamp();
                        await bus.WaitAsync(Queue, TimeSpan.FromMilliseconds(20), stop.Token);
                        spent.Add(QueueTimeSpent.Wait, t0, 0);
                        continue;
                    }

                    t0 = Stopwatch.GetTimestamp();
                    int n = await bus.AckManyAsync(got, stop.Token);
                    spent.Add(QueueTimeSpent.Ack, t0, n);
                    if (n != got.Count)
                    {
                        throw new InvalidOperationException($"{got.Count - n} of {got.Count} deliveries lost their lease before the ack.");
                    }

                    if (Interlocked.Add(ref acked, n) == total)
                    {
                        Volatile.Write(ref end, Stopwatch.GetTimestamp());
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);
        if (acked != total)
        {
            throw new InvalidOperationException($"{acked} acknowledgements for {total} messages.");
        }

        QueueStats stats = await world.DispatcherBus.GetStatsAsync(Queue);
        if (stats.Ready + stats.Leased + stats.Delayed + stats.DeadLetters != 0)
        {
            throw new InvalidOperationException($"The queue is not empty after the run: {stats}.");
        }

        Console.Error.WriteLine($"  {world.Provider}, {workers} worker(s): {spent}");
        return total / Stopwatch.GetElapsedTime(start, end).TotalSeconds;
    }

    private static async Task ProduceAsync(IMessageBus bus, int count, int batch, QueueTimeSpent spent)
    {
        for (int sent = 0; sent < count; sent += batch)
        {
            var messages = new List<(string, string, Envelope, DateTimeOffset?)>(batch);
            for (int i = 0; i < Math.Min(batch, count - sent); i++)
            {
                messages.Add((Exchange, RoutingKey, new Envelope
                {
                    MessageId = Guid.CreateVersion7(),
                    Type = "bench.msg",
                    CreatedAt = DateTimeOffset.UtcNow,
                    Body = """{"fileId":"00000000-0000-0000-0000-000000000000","n":1}""",
                }, null));
            }

            long t0 = Stopwatch.GetTimestamp();
            await bus.PublishManyAsync(messages);
            spent.Add(QueueTimeSpent.Publish, t0, messages.Count);
        }
    }
}

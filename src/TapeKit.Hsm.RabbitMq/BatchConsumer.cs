using RabbitMQ.Client;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// A <c>basic.consume</c> held open just long enough to take one batch: with <c>basic.qos(prefetch = the caller's free
/// slots)</c> the broker pushes at most that many messages, the consumer is cancelled once they have come (or once the
/// queue has stopped delivering for a moment: other consumers took the rest), and every message pushed before the
/// cancellation is part of the batch, unacknowledged on the channel like a <c>basic.get</c>. A quorum queue serves a
/// batch this way with one consensus round for the consumer instead of one per <c>basic.get</c>.
/// </summary>
internal sealed class BatchConsumer : AsyncDefaultBasicConsumer
{
    private readonly object _gate = new();
    private readonly List<BasicGetResult> _pushed = [];
    private readonly int _wanted;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the consumer.</summary>
    /// <param name="channel">The consumer's channel.</param>
    /// <param name="wanted">The batch size (the prefetch).</param>
    public BatchConsumer(IChannel channel, int wanted) : base(channel) => _wanted = wanted;

    /// <summary>Takes a batch: consume, wait until <paramref name="expected"/> came or the queue went quiet, cancel. The channel's prefetch (<c>basic.qos</c>) must be <paramref name="wanted"/>.</summary>
    /// <param name="channel">The consumer's channel.</param>
    /// <param name="queue">The broker queue.</param>
    /// <param name="wanted">The prefetch: the most the broker may push.</param>
    /// <param name="expected">How many the queue held a moment ago (at most <paramref name="wanted"/>).</param>
    /// <param name="quiet">How long without a delivery means the queue has no more for this batch.</param>
    /// <param name="ct">Cancels the wait (the consumer is cancelled all the same).</param>
    public static async Task<IReadOnlyList<BasicGetResult>> TakeAsync(IChannel channel, string queue, int wanted, int expected, TimeSpan quiet, CancellationToken ct)
    {
        var consumer = new BatchConsumer(channel, wanted);
        string tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, consumer, ct);
        try
        {
            await consumer.WaitAsync(expected, quiet, ct);
        }
        finally
        {
            await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None);
            // Deliveries and the cancellation come through the same ordered dispatch: once it has ended, every
            // message pushed to this consumer has been seen.
            await consumer._ended.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        lock (consumer._gate)
        {
            return [.. consumer._pushed];
        }
    }

    /// <inheritdoc />
    public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
        IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        // The body's memory belongs to the client only for this call.
        var copy = new BasicGetResult(deliveryTag, redelivered, exchange, routingKey, 0, new BasicProperties(properties), body.ToArray());
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _pushed.Add(copy);
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default)
    {
        await base.OnCancelAsync(consumerTags, cancellationToken);
        _ended.TrySetResult();
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> messages came, the consumer ended, or no message came for
    /// <paramref name="quiet"/> — ten times that for the first one, which waits for the broker to register the consumer.
    /// </summary>
    private async Task WaitAsync(int expected, TimeSpan quiet, CancellationToken ct)
    {
        while (true)
        {
            Task arrived;
            int count;
            lock (_gate)
            {
                count = _pushed.Count;
                if (count >= Math.Min(expected, _wanted))
                {
                    return;
                }

                arrived = _arrived.Task;
            }

            if (_ended.Task.IsCompleted)
            {
                return;
            }

            Task first = await Task.WhenAny(arrived, _ended.Task, Task.Delay(count == 0 ? quiet * 10 : quiet, ct));
            ct.ThrowIfCancellationRequested();
            if (first != arrived)
            {
                return;
            }
        }
    }
}

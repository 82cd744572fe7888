using RabbitMQ.Client;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// One AMQP channel of the bus, opened on first use and opened again after the broker closed it for a channel error.
/// Delivery tags belong to a channel, so each delivery remembers the <see cref="Generation"/> it was received in: the
/// generation moves on whenever the channel shuts down (with its connection or alone), and a delivery of an earlier
/// generation has been returned to its queue by the broker and can no longer be settled here. (The client's automatic
/// recovery reopens the same <see cref="IChannel"/> object after a reconnect and drops acknowledgements of old tags
/// silently; the generation is how the bus knows they were dropped.)
/// </summary>
internal sealed class ChannelSlot : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly CreateChannelOptions? _options;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private IChannel? _channel;
    private long _generation;
    private bool _disposed;

    /// <summary>Creates a slot; the channel opens on first use.</summary>
    /// <param name="connection">The bus's connection.</param>
    /// <param name="options">The channel's options (publisher confirms), or <see langword="null"/>.</param>
    public ChannelSlot(IConnection connection, CreateChannelOptions? options = null)
    {
        _connection = connection;
        _options = options;
    }

    /// <summary>The current generation: it moves on whenever the channel shuts down.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Moves the generation on (the connection was lost: every delivery of this channel went back to its queue).</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>The open channel and its generation, read before the caller's first call on it.</summary>
    /// <param name="ct">Cancels the wait for a channel being opened.</param>
    /// <exception cref="RabbitMqBusException">The connection is down (transient).</exception>
    public async ValueTask<(IChannel Channel, long Generation)> GetAsync(CancellationToken ct)
    {
        // The channel first, then its generation: a replacement moves the generation on before it publishes the new
        // channel, so a generation read after the channel is never older than that channel.
        IChannel? current = _channel;
        long generation = Generation;
        if (current is { IsOpen: true })
        {
            return (current, generation);
        }

        await _opening.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_channel is { IsOpen: true } reopened)
            {
                return (reopened, Generation);
            }

            if (!_connection.IsOpen)
            {
                throw RabbitMqErrors.Lost(new InvalidOperationException("the connection is closed"), "opening a channel");
            }

            if (_channel is { } closed)
            {
                // Closed by the broker for a channel error (its connection is up): recovery will not reopen it.
                _channel = null;
                await closed.DisposeAsync();
            }

            IChannel channel;
            try
            {
                channel = await _connection.CreateChannelAsync(_options, ct);
            }
            catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
            {
                throw RabbitMqErrors.Translate(e, "opening a channel");
            }

            channel.ChannelShutdownAsync += (_, _) =>
            {
                Invalidate();
                return Task.CompletedTask;
            };
            Invalidate();
            _channel = channel;
            return (channel, Generation);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _opening.WaitAsync();
        try
        {
            _disposed = true;
            if (_channel is { } channel)
            {
                _channel = null;
                Invalidate();
                try
                {
                    if (channel.IsOpen)
                    {
                        await channel.CloseAsync();
                    }
                }
                catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
                {
                    // The connection went first; the broker returns what the channel held either way.
                }

                await channel.DisposeAsync();
            }
        }
        finally
        {
            _opening.Release();
        }
    }
}

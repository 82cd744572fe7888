using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Wake-ups of the PostgreSQL work queue: one session outside the pool <c>LISTEN</c>s on the schema's channel, and every
/// notification (its payload is a queue's name, sent by the transaction that made a message visible) completes the
/// waiters of that queue, in this process and every other. Publishes of this process wake its waiters directly too.
/// When the listening session breaks (a server restart), every waiter is woken to look for itself, and the session is
/// opened again after <see cref="ReconnectDelay"/>; a waiter never depends on a notification for more than its timeout.
/// </summary>
internal sealed class PostgresQueueWakeups : IAsyncDisposable
{
    /// <summary>The pause before the listening session is opened again after it broke (wall clock).</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly string _connectionString;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _listening = NewSignal();
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates the wake-ups of one schema's queues.</summary>
    /// <param name="connectionString">The catalogue's connection string.</param>
    /// <param name="schema">The schema (its name gives the channel).</param>
    public PostgresQueueWakeups(string connectionString, string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            // A silent server is noticed by the listening session too, not only by the next statement.
            KeepAlive = 15,
        };
        string application = (builder.ApplicationName ?? "TapeKit.Hsm") + " wake-ups";
        builder.ApplicationName = application.Length <= 63 ? application : application[..63];
        _connectionString = builder.ToString();
        Channel = ChannelOf(schema);
    }

    /// <summary>The notification channel of the schema: <c>tapekit_queue_</c> and 16 hex digits of a hash of its name.</summary>
    public string Channel { get; }

    /// <summary>The channel of <paramref name="schema"/>, within PostgreSQL's 63 bytes for any schema name.</summary>
    public static string ChannelOf(string schema) =>
        "tapekit_queue_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(schema)))[..16];

    /// <summary>Starts listening if not yet started; the task completes once notifications are being received.</summary>
    public Task Listening()
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => ListenAsync(_stop.Token));
            return _listening.Task;
        }
    }

    /// <summary>The task that completes on the next wake-up of <paramref name="queue"/>.</summary>
    public Task Signal(string queue) => _signals.GetOrAdd(queue, _ => NewSignal()).Task;

    /// <summary>Wakes the waiters of <paramref name="queue"/>.</summary>
    public void Wake(string queue)
    {
        if (_signals.TryRemove(queue, out TaskCompletionSource? tcs))
        {
            tcs.TrySetResult();
        }
    }

    /// <summary>Stops listening and wakes every waiter; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        WakeAll();
        _stop.Dispose();
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var c = new NpgsqlConnection(_connectionString);
                c.Notification += (_, e) => Wake(e.Payload);
                await c.OpenAsync(stop);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresCatalog.QuoteIdentifier(Channel)}", c))
                {
                    await listen.ExecuteNonQueryAsync(stop);
                }

                // Waiters register only once this completes, and look at their queue then: what became visible while no
                // session listened is found by them.
                lock (_gate)
                {
                    _listening.TrySetResult();
                }

                while (true)
                {
                    await c.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                lock (_gate)
                {
                    if (_listening.Task.IsCompleted)
                    {
                        _listening = NewSignal();
                    }
                }

                WakeAll();
            }

            try
            {
                await Task.Delay(ReconnectDelay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void WakeAll()
    {
        foreach (string queue in _signals.Keys)
        {
            Wake(queue);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

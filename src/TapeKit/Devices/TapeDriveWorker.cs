namespace TapeKit.Devices;

/// <summary>
/// Owns an <see cref="ITapeDrive"/> and one dedicated background thread, named after the device,
/// that executes queued commands in FIFO order (spec/tape-devices.md §3.5). Blocking st calls never
/// run on thread-pool threads, and continuations never run on the drive thread.
/// </summary>
public sealed class TapeDriveWorker : IDisposable, IAsyncDisposable
{
    private readonly Queue<Command> _queue = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly ITapeDrive _drive;
    private bool _completing;

    /// <summary>Starts the drive thread.</summary>
    /// <param name="drive">The handle the thread owns; it is disposed on the thread when the worker is disposed.</param>
    public TapeDriveWorker(ITapeDrive drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        _drive = drive;
        _thread = new Thread(Run) { IsBackground = true, Name = "tape " + drive.DeviceName };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="operation"/> on the drive thread after every earlier command.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The drive calls to make.</param>
    /// <param name="cancellationToken">Removes the command if it has not started; a running st call cannot be cancelled.</param>
    /// <returns>The operation's result.</returns>
    public Task<T> InvokeAsync<T>(Func<ITapeDrive, T> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = new Command(
            () => completion.TrySetResult(operation(_drive)),
            e => completion.TrySetException(e),
            () => completion.TrySetCanceled(cancellationToken));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_completing, this);
            _queue.Enqueue(command);
            Monitor.PulseAll(_gate);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => command.TryCancel());
            completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return completion.Task;
    }

    /// <summary>Runs <paramref name="operation"/> on the drive thread.</summary>
    /// <param name="operation">The drive calls to make.</param>
    /// <param name="cancellationToken">Removes the command if it has not started.</param>
    /// <returns>A task that completes when the operation has run.</returns>
    public Task InvokeAsync(Action<ITapeDrive> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return InvokeAsync(d =>
        {
            operation(d);
            return true;
        }, cancellationToken);
    }

    /// <summary>Finishes the queued commands, disposes the drive on its thread and waits for the thread to end.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            _completing = true;
            Monitor.PulseAll(_gate);
        }

        _thread.Join();
    }

    /// <summary>As <see cref="Dispose"/>, without blocking the caller's thread.</summary>
    /// <returns>A task that completes when the thread has ended.</returns>
    public async ValueTask DisposeAsync() => await Task.Factory.StartNew(Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);

    private void Run()
    {
        while (true)
        {
            Command? next = null;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_completing)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count > 0)
                {
                    next = _queue.Dequeue();
                }
                else
                {
                    break;
                }
            }

            next.Execute();
        }

        try
        {
            _drive.Dispose();
        }
        catch (IOException)
        {
            // The close-time failure has no caller left to report to; callers that care call Unload or Synchronize first (§3.4.8).
        }
    }

    private sealed class Command(Action run, Action<Exception> fail, Action cancel)
    {
        private int _state; // 0 queued, 1 running, 2 cancelled

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                cancel();
            }
        }

        public void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                return;
            }

            try
            {
                run();
            }
#pragma warning disable CA1031 // Every failure of a drive call belongs to the caller's task.
            catch (Exception e)
#pragma warning restore CA1031
            {
                fail(e);
            }
        }
    }
}

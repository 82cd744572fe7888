namespace TapeKit.Devices;

/// <summary>
/// Owns an <see cref="ITapeDrive"/> and one dedicated background thread, named after the device,
/// that executes queued commands in FIFO order (docs/devices/st-driver.md#device-nodes-and-opening). Blocking st calls never
/// run on thread-pool threads, and continuations never run on the drive thread.
/// </summary>
/// <remarks>
/// A command sees the drive through a guard: each drive call checks the command's cancellation token first, so a
/// cancelled command stops before its next st call (a running st call still cannot be interrupted); and a call made
/// outside a running command — through a reference kept past it — throws <see cref="InvalidOperationException"/>.
/// <see cref="Inline"/> makes a worker for a deterministic simulation, which runs each command on its caller.
/// </remarks>
public sealed class TapeDriveWorker : IDisposable, IAsyncDisposable
{
    private readonly Queue<Command> _queue = new();
    private readonly object _gate = new();
    private readonly Thread? _thread;
    private readonly ITapeDrive _drive;
    private readonly WorkerTapeDrive _guarded;
    private bool _completing;

    /// <summary>Starts the drive thread.</summary>
    /// <param name="drive">The handle the thread owns; it is disposed on the thread when the worker is disposed.</param>
    public TapeDriveWorker(ITapeDrive drive)
        : this(drive, inline: false)
    {
    }

    private TapeDriveWorker(ITapeDrive drive, bool inline)
    {
        ArgumentNullException.ThrowIfNull(drive);
        _drive = drive;
        _guarded = new WorkerTapeDrive(drive);
        if (!inline)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "tape " + drive.DeviceName };
            _thread.Start();
        }
    }

    /// <summary>The device the worker's drive is open on.</summary>
    public string DeviceName => _drive.DeviceName;

    /// <summary>Whether commands run on their caller (<see cref="Inline"/>) rather than on the drive's own thread.</summary>
    public bool IsInline => _thread is null;

    /// <summary>
    /// A worker without a thread: each command runs on its caller, at once, and <see cref="InvokeAsync{T}"/> returns a
    /// completed task. For virtual drives inside a <c>SimulationScheduler</c>, whose actors must await nothing that
    /// completes on another thread, so that code written against workers runs unchanged — and deterministically — in a
    /// simulation. Commands keep their order and their guard (cancellation, no calls outside a command). Never for a
    /// production drive: its blocking calls would run on the caller's thread.
    /// </summary>
    /// <param name="drive">The handle the worker owns; disposing the worker disposes it.</param>
    /// <returns>The worker.</returns>
    public static TapeDriveWorker Inline(ITapeDrive drive) => new(drive, inline: true);

    /// <summary>Runs <paramref name="operation"/> on the drive thread after every earlier command.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The drive calls to make. The drive it is given refuses calls once the operation has returned.</param>
    /// <param name="cancellationToken">
    /// Removes the command if it has not started; once it runs, the next drive call it makes throws
    /// <see cref="OperationCanceledException"/> (a running st call cannot be cancelled). The task is then cancelled.
    /// </param>
    /// <returns>The operation's result.</returns>
    public Task<T> InvokeAsync<T>(Func<ITapeDrive, T> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = new Command(
            _guarded,
            d => completion.TrySetResult(operation(d)),
            e => completion.TrySetException(e),
            () => completion.TrySetCanceled(cancellationToken),
            cancellationToken);
        if (_thread is null)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_completing, this);
                if (cancellationToken.IsCancellationRequested)
                {
                    command.TryCancel();
                }

                command.Execute();
            }

            return completion.Task;
        }

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
    /// <param name="cancellationToken">Removes the command if it has not started; once it runs, stops it at its next drive call.</param>
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

        if (_thread is null)
        {
            CloseDrive();
        }
        else
        {
            _thread.Join();
        }
    }

    /// <summary>As <see cref="Dispose"/>, without blocking the caller's thread.</summary>
    /// <returns>A task that completes when the thread has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_thread is null)
        {
            Dispose();
            return;
        }

        await Task.Factory.StartNew(Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

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

        CloseDrive();
    }

    private void CloseDrive()
    {
        try
        {
            _drive.Dispose();
        }
        catch (IOException)
        {
            // The close-time failure has no caller left to report to; callers that care call Unload or Synchronize first (docs/devices/st-driver.md#errors).
        }
    }

    private sealed class Command(WorkerTapeDrive drive, Action<ITapeDrive> run, Action<Exception> fail, Action cancel, CancellationToken token)
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

            drive.Enter(token);
            try
            {
                run(drive);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                cancel(); // Stopped at a drive call (or by the operation itself) because the caller cancelled.
            }
#pragma warning disable CA1031 // Every failure of a drive call belongs to the caller's task.
            catch (Exception e)
#pragma warning restore CA1031
            {
                fail(e);
            }
            finally
            {
                drive.Exit();
            }
        }
    }
}

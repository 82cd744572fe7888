using TapeKit.Devices;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// A drive holding one cartridge, lent by an <see cref="ITapeDrivePool"/> to one session. Every drive call of the
/// session goes through the mount's <see cref="Worker"/> (one per mounted drive, made with the mount and disposed with
/// it): the blocking st calls run on the drive's own thread, the session awaits them, and the session's cancellation
/// token reaches the drive between its calls.
/// </summary>
public sealed class TapeMount : IDisposable, IAsyncDisposable
{
    private readonly Action<TapeMount> _release;
    private Func<TapeMount, ValueTask>? _afterRelease;
    private string? _revoked;
    private int _disposed;

    /// <summary>Creates a mount; pools call this.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="drive">The drive number.</param>
    /// <param name="worker">The worker over an open handle on the drive; the mount owns it from now on.</param>
    /// <param name="robotMounted">Whether this acquisition needed a robot mount.</param>
    /// <param name="release">Gives the drive back to its pool.</param>
    /// <param name="busyTime">The drive's busy time so far (device time spent loading, positioning, streaming, writing marks), when the pool can tell.</param>
    public TapeMount(string vsn, int drive, TapeDriveWorker worker, bool robotMounted, Action<TapeMount> release, Func<TimeSpan>? busyTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(release);
        Vsn = vsn;
        Drive = drive;
        Worker = worker;
        RobotMounted = robotMounted;
        _release = release;
        BusyTime = busyTime;
    }

    /// <summary>
    /// The drive's busy time so far, or <see langword="null"/> when the pool cannot tell: differences of it measure a
    /// session on this drive alone, whatever other drives do meanwhile on a shared clock.
    /// </summary>
    public Func<TimeSpan>? BusyTime { get; }

    /// <summary>The cartridge.</summary>
    public string Vsn { get; }

    /// <summary>The drive number.</summary>
    public int Drive { get; }

    /// <summary>The drive's worker: the only way to the open handle.</summary>
    public TapeDriveWorker Worker { get; }

    /// <summary>Whether this acquisition needed a robot mount (false when the cartridge was still loaded).</summary>
    public bool RobotMounted { get; }

    /// <summary>
    /// The error of closing the handle, if it failed. Sessions synchronise before they end, so a failed close loses
    /// nothing they reported durable; it is kept here for the caller to log rather than thrown from <see cref="DisposeAsync"/>.
    /// </summary>
    public TapeDriveException? CloseError { get; private set; }

    /// <summary>
    /// Why the session may no longer use the drive — its pool lost the drive's lease (a scheduler gave the drive to
    /// someone else) — or <see langword="null"/> while it may. A running drive call cannot be stopped and finishes; every
    /// later <see cref="RunAsync{T}"/> fails with a <see cref="TapeMountException"/>, so the session ends as a crash ends it
    /// (nothing synchronised after that point is reported durable, nothing is committed from it).
    /// </summary>
    public string? Revoked => Volatile.Read(ref _revoked);

    /// <summary>Runs drive calls on the drive's thread after every earlier command of this mount (<see cref="TapeDriveWorker.InvokeAsync{T}"/>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The drive calls.</param>
    /// <param name="ct">Stops the command before its next drive call.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="TapeMountException">The mount was <see cref="Revoked"/>.</exception>
    public Task<T> RunAsync<T>(Func<ITapeDrive, T> operation, CancellationToken ct = default) =>
        Revoked is { } why ? Task.FromException<T>(RevokedError(why)) : Worker.InvokeAsync(operation, ct);

    /// <summary>Runs drive calls on the drive's thread after every earlier command of this mount (<see cref="TapeDriveWorker.InvokeAsync(Action{ITapeDrive}, CancellationToken)"/>).</summary>
    /// <param name="operation">The drive calls.</param>
    /// <param name="ct">Stops the command before its next drive call.</param>
    /// <returns>A task that completes when the operation has run.</returns>
    /// <exception cref="TapeMountException">The mount was <see cref="Revoked"/>.</exception>
    public Task RunAsync(Action<ITapeDrive> operation, CancellationToken ct = default) =>
        Revoked is { } why ? Task.FromException(RevokedError(why)) : Worker.InvokeAsync(operation, ct);

    /// <summary>Closes the handle on the drive's thread, ends the thread and gives the drive back; the cartridge stays loaded. A failed close is <see cref="CloseError"/>.</summary>
    /// <returns>A task that completes when the drive is back in its pool.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                // Never cancelled: a session that stopped early still closes its handle (st writes its filemark at close).
                await Worker.InvokeAsync(d => d.Dispose(), CancellationToken.None);
            }
            catch (TapeDriveException e)
            {
                CloseError = e;
            }
            finally
            {
                await Worker.DisposeAsync();
                _release(this);
                if (_afterRelease is { } after)
                {
                    await after(this);
                }
            }
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking the caller until the drive's thread has closed the handle.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                Worker.InvokeAsync(d => d.Dispose(), CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (TapeDriveException e)
            {
                CloseError = e;
            }
            finally
            {
                Worker.Dispose();
                _release(this);
                if (_afterRelease is { } after)
                {
                    // On the thread pool: the work awaits the catalogue, and the caller's context may be the one blocked here.
                    Task.Run(() => after(this).AsTask()).GetAwaiter().GetResult();
                }
            }
        }
    }

    /// <summary>
    /// Adds work that runs once the drive is back in its pool (a scheduled pool gives the drive's lease back there):
    /// awaited by <see cref="DisposeAsync"/>, waited for by <see cref="Dispose"/>. Set before the mount is handed out.
    /// </summary>
    /// <param name="after">The work.</param>
    internal void OnReleased(Func<TapeMount, ValueTask> after) => _afterRelease = after;

    /// <summary>Takes the drive away from the session (the first reason stays): its next drive call fails.</summary>
    /// <param name="reason">What happened, for the error and the log.</param>
    internal void Revoke(string reason) => Interlocked.CompareExchange(ref _revoked, reason, null);

    private TapeMountException RevokedError(string why) => new(Vsn, $"The session may no longer use drive {Drive} ({Vsn}): {why}");
}

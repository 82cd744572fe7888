namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// Runs a blocking call on a thread of its own whose <see cref="SynchronizationContext"/> queues every continuation
/// posted to it and never runs them while the call blocks — a UI thread, or a test framework's context whose threads are
/// all busy. Code that blocks on async work which needs its caller's context deadlocks here; this tells it apart.
/// </summary>
public static class BlockedContext
{
    /// <summary>Runs <paramref name="call"/> under such a context; false when it had not returned within <paramref name="timeout"/>.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="call">The blocking call.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="result">Its result, when it returned.</param>
    public static bool TryRun<T>(Func<T> call, TimeSpan timeout, out T? result)
    {
        T? value = default;
        Exception? error = null;
        using var done = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new QueueingContext());
            try
            {
                value = call();
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        })
        { IsBackground = true, Name = "blocked-context" };
        thread.Start();
        if (!done.Wait(timeout))
        {
            result = default;
            return false; // The thread stays blocked; it is a background thread and ends with the test process.
        }

        if (error is not null)
        {
            throw new InvalidOperationException("The call under a blocked context threw.", error);
        }

        result = value;
        return true;
    }

    /// <summary>Keeps what is posted; nobody drains it while the owning thread blocks.</summary>
    private sealed class QueueingContext : SynchronizationContext
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(SendOrPostCallback, object?)> _posted = new();

        public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Send would run on the blocked thread.");

        public override SynchronizationContext CreateCopy() => this;
    }
}

namespace TapeKit.Devices.Virtual;

/// <summary>
/// A single-threaded discrete-event loop for multi-drive simulations (docs/devices/st-driver.md#simulated-time).
/// Each actor (a drive user, a robot client, a host task) is an async method that runs until it
/// awaits one of its <see cref="SimulationContext"/>'s operations; actors resume in the order
/// (simulated time, actor id, sequence number), so overlapping drive activity and robot contention
/// are reproducible. Device calls inside an actor are the ordinary synchronous ones: their costs are
/// charged to the actor, which waits for them with <see cref="SimulationContext.Settle"/>.
/// </summary>
/// <remarks>
/// Actors must await only their context's operations, or tasks of other actors of the same
/// scheduler; awaiting real I/O or another thread would leave the loop. Drive calls are therefore
/// never made on a drive's own thread here: either directly, or through a worker made with
/// <see cref="TapeDriveWorker.Inline"/>, which runs each command on the actor and returns a completed
/// task, so that code written against workers (the HSM's migrator and stager) runs unchanged and
/// deterministically inside a simulation.
/// </remarks>
public sealed class SimulationScheduler
{
    private readonly PriorityQueue<Action, (long Time, int Actor, long Sequence)> _queue = new();
    private readonly List<SimulationContext> _actors = [];
    private readonly List<Task> _tasks = [];
    private long _sequence;
    private SimulationContext? _current;

    /// <summary>Creates a scheduler over a clock.</summary>
    /// <param name="clock">The clock every device of the simulation uses.</param>
    public SimulationScheduler(VirtualClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
    }

    /// <summary>The simulated clock.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Adds an actor that starts at the current simulated time.</summary>
    /// <param name="body">The actor.</param>
    /// <returns>The actor's id (its position in the spawn order).</returns>
    public int Spawn(Func<SimulationContext, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var context = new SimulationContext(this, _actors.Count);
        _actors.Add(context);
        Enqueue(Clock.Nanoseconds, context, () => _tasks.Add(body(context)));
        return context.Id;
    }

    /// <summary>Runs every actor to completion; the clock ends at the last event or the end of the last device operation, whichever is later.</summary>
    /// <exception cref="AggregateException">An actor failed.</exception>
    public void Run()
    {
        var previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new Posting(this));
        Clock.ChargeHook = end =>
        {
            if (_current is { } actor)
            {
                actor.PendingUntil = Math.Max(actor.PendingUntil, end);
            }
        };
        Clock.ActorCursor = () => _current?.PendingUntil ?? 0;
        try
        {
            while (_queue.TryDequeue(out var action, out var key))
            {
                Clock.AdvanceTo(key.Time);
                _current = _actors[key.Actor];
                action();
            }

            // Operations an actor started but never settled still end in simulated time.
            Clock.AdvanceTo(_actors.Count == 0 ? Clock.Nanoseconds : _actors.Max(a => a.PendingUntil));
        }
        finally
        {
            _current = null;
            Clock.ChargeHook = null;
            Clock.ActorCursor = null;
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }

        var failures = _tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
        if (failures.Count > 0)
        {
            throw new AggregateException("An actor of the simulation failed.", failures);
        }

        if (_tasks.Any(t => !t.IsCompleted))
        {
            throw new InvalidOperationException("An actor awaited something outside the simulation and never resumed.");
        }
    }

    internal void Enqueue(long time, SimulationContext actor, Action action) => _queue.Enqueue(action, (time, actor.Id, _sequence++));

    private sealed class Posting(SimulationScheduler scheduler) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            var actor = scheduler._current ?? throw new InvalidOperationException("Work was posted outside any actor of the simulation.");
            scheduler.Enqueue(scheduler.Clock.Nanoseconds, actor, () => d(state));
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}

/// <summary>One actor's view of a <see cref="SimulationScheduler"/>: its id, the time, and the ways to wait.</summary>
public sealed class SimulationContext
{
    private readonly SimulationScheduler _scheduler;

    internal SimulationContext(SimulationScheduler scheduler, int id)
    {
        _scheduler = scheduler;
        Id = id;
    }

    /// <summary>The actor's id: its position in the spawn order, the second ordering key.</summary>
    public int Id { get; }

    /// <summary>Simulated nanoseconds now.</summary>
    public long Now => _scheduler.Clock.Nanoseconds;

    /// <summary>The end of the latest device operation this actor started (charged, not yet waited for).</summary>
    internal long PendingUntil { get; set; }

    /// <summary>Waits until every device operation this actor started has finished in simulated time.</summary>
    /// <returns>An awaitable.</returns>
    public SimulationAwaitable Settle() => new(_scheduler, this, Math.Max(PendingUntil, Now));

    /// <summary>Models host work: waits <paramref name="duration"/> of simulated time.</summary>
    /// <param name="duration">Non-negative.</param>
    /// <returns>An awaitable.</returns>
    public SimulationAwaitable Delay(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return new SimulationAwaitable(_scheduler, this, Now + (duration.Ticks * 100));
    }
}

/// <summary>Resumes an actor at a simulated time (await it; do not store it).</summary>
public readonly struct SimulationAwaitable : System.Runtime.CompilerServices.INotifyCompletion, IEquatable<SimulationAwaitable>
{
    private readonly SimulationScheduler _scheduler;
    private readonly SimulationContext _actor;
    private readonly long _time;

    internal SimulationAwaitable(SimulationScheduler scheduler, SimulationContext actor, long time)
    {
        _scheduler = scheduler;
        _actor = actor;
        _time = time;
    }

    /// <summary>Always false: the actor yields so that others run in time order.</summary>
    public bool IsCompleted => false;

    /// <summary>The awaiter (the value itself).</summary>
    /// <returns>This awaitable.</returns>
    public SimulationAwaitable GetAwaiter() => this;

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <summary>Schedules the continuation at the awaited time.</summary>
    /// <param name="continuation">The rest of the actor.</param>
    public void OnCompleted(Action continuation) => _scheduler.Enqueue(_time, _actor, continuation);

    /// <inheritdoc/>
    public bool Equals(SimulationAwaitable other) => _time == other._time && ReferenceEquals(_actor, other._actor);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SimulationAwaitable other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_time, _actor.Id);

    /// <summary>Equality.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SimulationAwaitable left, SimulationAwaitable right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SimulationAwaitable left, SimulationAwaitable right) => !left.Equals(right);
}

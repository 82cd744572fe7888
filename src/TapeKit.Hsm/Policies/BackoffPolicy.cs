namespace TapeKit.Hsm.Policies;

/// <summary>
/// Exponential back-off with full jitter (docs/hsm/rules.md#file-lists-l1l11; TapeKit defaults base 30 s, factor 2, cap 30 min, busy
/// base 10 s). Randomness is injected so runs replay from a seed.
/// </summary>
internal sealed class BackoffPolicy
{
    private readonly Random _random;
    private readonly object _gate = new();

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="random">The random source; a seeded one makes runs reproducible.</param>
    public BackoffPolicy(BackoffOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.Base <= TimeSpan.Zero || options.Cap < options.Base || options.Factor < 1)
        {
            throw new ArgumentException($"Back-off needs Base > 0, Cap ≥ Base and Factor ≥ 1; got {options.Base}, {options.Cap}, {options.Factor}.", nameof(options));
        }

        Options = options;
        _random = random;
    }

    /// <summary>The settings.</summary>
    public BackoffOptions Options { get; }

    /// <summary>The ceiling of the <paramref name="failures"/>-th retry: <c>min(cap, base × factor^(failures−1))</c>.</summary>
    /// <param name="failures">The number of charged failures so far (≥ 1).</param>
    public TimeSpan Ceiling(int failures)
    {
        double exponent = Math.Max(0, failures - 1);
        double ticks = Options.Base.Ticks * Math.Pow(Options.Factor, Math.Min(exponent, 62));
        return ticks >= Options.Cap.Ticks ? Options.Cap : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>A delay drawn uniformly from [0, <see cref="Ceiling"/>] (full jitter).</summary>
    /// <param name="failures">The number of charged failures so far.</param>
    public TimeSpan Next(int failures)
    {
        TimeSpan ceiling = Ceiling(failures);
        double u;
        lock (_gate)
        {
            u = _random.NextDouble();
        }

        return TimeSpan.FromTicks((long)(ceiling.Ticks * u));
    }

    /// <summary>The delay after a <c>Busy</c> reply: the migrator's hint, or the busy base.</summary>
    /// <param name="retryAfter">The <c>retryAfter</c> hint, if any.</param>
    public TimeSpan AfterBusy(TimeSpan? retryAfter) =>
        retryAfter is { } hint && hint > Options.BusyBase ? hint : Options.BusyBase;
}

/// <summary>Back-off settings.</summary>
public sealed class BackoffOptions
{
    /// <summary>The first ceiling (30 s).</summary>
    public TimeSpan Base { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The growth factor (2).</summary>
    public double Factor { get; set; } = 2;

    /// <summary>The largest ceiling (30 min).</summary>
    public TimeSpan Cap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The delay after a <c>Busy</c> reply without a hint (10 s).</summary>
    public TimeSpan BusyBase { get; set; } = TimeSpan.FromSeconds(10);
}

namespace SmallFilesCache;

/// <summary>
/// The wall time of each phase of the demo, in the order the phases ran: <c>setup</c> (the site opened, tapes labelled),
/// <c>ingest</c>, <c>archive</c>, <c>purge</c>, <c>recall</c>, <c>verify</c> and <c>aulComparison</c>.
/// </summary>
public sealed class PhaseTimes
{
    private readonly List<KeyValuePair<string, double>> _phases = [];

    /// <summary>Seconds per phase, rounded to milliseconds, in the order they ran (JSON keeps the order).</summary>
    public IReadOnlyDictionary<string, double> Seconds
    {
        get
        {
            var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach ((string name, double s) in _phases)
            {
                seconds[name] = Math.Round(s, 3);
            }

            return seconds;
        }
    }

    /// <summary>Records a phase's wall time; a phase recorded twice keeps the sum.</summary>
    /// <param name="name">The phase's key.</param>
    /// <param name="elapsed">Its wall time.</param>
    public void Record(string name, TimeSpan elapsed)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int known = _phases.FindIndex(p => p.Key == name);
        if (known < 0)
        {
            _phases.Add(new(name, elapsed.TotalSeconds));
        }
        else
        {
            _phases[known] = new(name, _phases[known].Value + elapsed.TotalSeconds);
        }
    }
}

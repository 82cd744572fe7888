namespace TapeKit.Hsm.Policies;

/// <summary>What made a synchronising flush happen (the <c>trigger</c> tag of <c>tapekit.hsm.syncs</c>).</summary>
public enum SyncTrigger
{
    /// <summary><c>SyncEveryFiles</c> reached.</summary>
    Files,
    /// <summary><c>SyncEveryBytes</c> reached.</summary>
    Bytes,
    /// <summary>No new data for <c>SyncWhenIdle</c>.</summary>
    Idle,
    /// <summary>The oldest unsynced tape file is older than <c>MaxUnsyncedAge</c>.</summary>
    Age,
    /// <summary>End of session or unmount.</summary>
    Unmount,
}

/// <summary>Flush policy settings (spec/hsm.md §4.3; CTA's defaults for files and bytes).</summary>
public sealed class FlushOptions
{
    /// <summary>Sync after this many tape files (200).</summary>
    public int SyncEveryFiles { get; set; } = 200;

    /// <summary>Sync after this many bytes (32 GB).</summary>
    public long SyncEveryBytes { get; set; } = 32_000_000_000;

    /// <summary>Sync after this long without new data (30 s).</summary>
    public TimeSpan SyncWhenIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sync when the oldest unsynced tape file is this old (5 min).</summary>
    public TimeSpan MaxUnsyncedAge { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The unsynced tape files of one write session and the flush decision over them (spec/hsm.md §4.3). A sync is
/// always on a tape-file boundary; the files since the last sync are the failure unit (they fail together).
/// Not thread-safe: one instance per drive session.
/// </summary>
public sealed class FlushTracker
{
    private readonly FlushOptions _options;

    /// <summary>Creates a tracker with nothing unsynced.</summary>
    /// <param name="options">The settings.</param>
    public FlushTracker(FlushOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Tape files written since the last successful sync.</summary>
    public int UnsyncedFiles { get; private set; }

    /// <summary>Bytes written since the last successful sync.</summary>
    public long UnsyncedBytes { get; private set; }

    /// <summary>When the oldest unsynced tape file was finished.</summary>
    public DateTimeOffset? OldestUnsyncedAt { get; private set; }

    /// <summary>When the last tape file was finished.</summary>
    public DateTimeOffset? LastWriteAt { get; private set; }

    /// <summary>Records a tape file finished (trailer and its buffered mark written).</summary>
    /// <param name="bytes">Its payload bytes.</param>
    /// <param name="now">The current time.</param>
    public void FileWritten(long bytes, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        UnsyncedFiles++;
        UnsyncedBytes += bytes;
        OldestUnsyncedAt ??= now;
        LastWriteAt = now;
    }

    /// <summary>Records a successful synchronising flush: nothing is unsynced any more.</summary>
    public void Synced()
    {
        UnsyncedFiles = 0;
        UnsyncedBytes = 0;
        OldestUnsyncedAt = null;
    }

    /// <summary>Whether to sync now, and why; <see langword="null"/> when no rule fires or nothing is unsynced.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="endOfSession">True before unmount or at the end of a write session.</param>
    public SyncTrigger? Decide(DateTimeOffset now, bool endOfSession = false)
    {
        if (UnsyncedFiles == 0)
        {
            return null;
        }

        if (endOfSession)
        {
            return SyncTrigger.Unmount;
        }

        if (UnsyncedFiles >= _options.SyncEveryFiles)
        {
            return SyncTrigger.Files;
        }

        if (UnsyncedBytes >= _options.SyncEveryBytes)
        {
            return SyncTrigger.Bytes;
        }

        if (OldestUnsyncedAt is { } oldest && now - oldest >= _options.MaxUnsyncedAge)
        {
            return SyncTrigger.Age;
        }

        return LastWriteAt is { } last && now - last >= _options.SyncWhenIdle ? SyncTrigger.Idle : null;
    }

    /// <summary>The earliest time a time-based rule (idle, age) will fire, for an exact timer; <see langword="null"/> when nothing is unsynced.</summary>
    public DateTimeOffset? NextDueAt()
    {
        if (UnsyncedFiles == 0 || OldestUnsyncedAt is not { } oldest || LastWriteAt is not { } last)
        {
            return null;
        }

        DateTimeOffset age = oldest + _options.MaxUnsyncedAge;
        DateTimeOffset idle = last + _options.SyncWhenIdle;
        return age < idle ? age : idle;
    }
}

using System.Text.Json.Serialization;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// Where simulated drive time went, in seconds, summed over any number of virtual drives (and processes): what tells a
/// run whose drives were busier apart from one that only wrote more. Built from <see cref="DriveStatistics"/>.
/// </summary>
/// <param name="StreamingSeconds">Transferring data, back-hitches included.</param>
/// <param name="PositioningSeconds">Locating, spacing and rewinding.</param>
/// <param name="FilemarkSeconds">Writing filemarks and synchronising.</param>
/// <param name="LoadSeconds">Loading and unloading cartridges.</param>
/// <param name="Locates">Positioning operations.</param>
/// <param name="BackHitches">Back-hitches after the host let the drive run dry.</param>
/// <param name="SyncPoints">Synchronisations that committed something.</param>
public sealed record DriveTime(
    double StreamingSeconds,
    double PositioningSeconds,
    double FilemarkSeconds,
    double LoadSeconds,
    long Locates,
    long BackHitches,
    long SyncPoints)
{
    /// <summary>No drive time.</summary>
    public static DriveTime Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>The total busy time: streaming, positioning, filemarks and loads.</summary>
    [JsonIgnore]
    public double BusySeconds => StreamingSeconds + PositioningSeconds + FilemarkSeconds + LoadSeconds;

    /// <summary>One drive's counters.</summary>
    /// <param name="statistics">The drive's statistics.</param>
    public static DriveTime From(DriveStatistics statistics) => new(
        statistics.StreamingNanoseconds / 1e9,
        statistics.PositioningNanoseconds / 1e9,
        statistics.FilemarkNanoseconds / 1e9,
        statistics.LoadNanoseconds / 1e9,
        statistics.Locates,
        statistics.BackHitches,
        statistics.SyncPoints);

    /// <summary>The sum of two.</summary>
    /// <param name="other">The other.</param>
    public DriveTime Plus(DriveTime other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(
            StreamingSeconds + other.StreamingSeconds,
            PositioningSeconds + other.PositioningSeconds,
            FilemarkSeconds + other.FilemarkSeconds,
            LoadSeconds + other.LoadSeconds,
            Locates + other.Locates,
            BackHitches + other.BackHitches,
            SyncPoints + other.SyncPoints);
    }

    /// <summary>The difference of two readings of the same drives.</summary>
    /// <param name="earlier">The earlier reading.</param>
    public DriveTime Minus(DriveTime earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new(
            StreamingSeconds - earlier.StreamingSeconds,
            PositioningSeconds - earlier.PositioningSeconds,
            FilemarkSeconds - earlier.FilemarkSeconds,
            LoadSeconds - earlier.LoadSeconds,
            Locates - earlier.Locates,
            BackHitches - earlier.BackHitches,
            SyncPoints - earlier.SyncPoints);
    }

    /// <summary>Rounded to tenths of seconds, for the report.</summary>
    public DriveTime Rounded() => this with
    {
        StreamingSeconds = Math.Round(StreamingSeconds, 1),
        PositioningSeconds = Math.Round(PositioningSeconds, 1),
        FilemarkSeconds = Math.Round(FilemarkSeconds, 1),
        LoadSeconds = Math.Round(LoadSeconds, 1),
    };
}

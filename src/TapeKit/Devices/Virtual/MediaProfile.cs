namespace TapeKit.Devices.Virtual;

/// <summary>
/// A drive/media generation's capacity and timing (docs/devices/st-driver.md#simulated-time). Every duration is an
/// integer number of nanoseconds and every rate an integer number of bytes per second, so simulated
/// times are identical on every platform. Values marked (est.) in the spec are configurable
/// estimates (open point O2): create a modified copy with a <c>with</c> expression.
/// </summary>
public sealed record MediaProfile
{
    private const long Second = 1_000_000_000L;
    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>The profile name as stored in a cartridge header, e.g. <c>LTO-9</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Native capacity (physical end of medium) in bytes.</summary>
    public required long Capacity { get; init; }

    /// <summary>Native transfer rate in bytes per second.</summary>
    public required long NativeRate { get; init; }

    /// <summary>Number of wraps (tracks ÷ tracks written at once); only the locate model uses it.</summary>
    public required int Wraps { get; init; }

    /// <summary>The density code reported in <c>mt_dsreg</c>.</summary>
    public required byte DensityCode { get; init; }

    /// <summary>Load to ready, nanoseconds.</summary>
    public required long LoadTime { get; init; }

    /// <summary>Unload without the rewind, nanoseconds.</summary>
    public required long UnloadTime { get; init; }

    /// <summary>Full-length rewind, nanoseconds.</summary>
    public required long FullRewindTime { get; init; }

    /// <summary>Longest locate, nanoseconds.</summary>
    public required long MaxLocateTime { get; init; }

    /// <summary>A synchronising filemark (including the stop and reposition), nanoseconds. Default 2.5 s for LTO (est.).</summary>
    public required long SyncFilemarkTime { get; init; }

    /// <summary>An immediate (buffered) filemark, nanoseconds (est. 1 ms).</summary>
    public long ImmediateFilemarkTime { get; init; } = Second / 1000;

    /// <summary>One back-hitch after a host under-run, nanoseconds (est.).</summary>
    public required long BackHitchTime { get; init; }

    /// <summary>The drive buffer in bytes (est.); sets the host-gap tolerance of docs/devices/st-driver.md#simulated-time.</summary>
    public long DriveBuffer { get; init; } = GiB;

    /// <summary>Fixed locate overhead, nanoseconds (est. 2 s).</summary>
    public long LocateOverhead { get; init; } = 2 * Second;

    /// <summary>Cost of reversing the tape direction, nanoseconds (2 s, LTFS file backend).</summary>
    public long DirectionChangeTime { get; init; } = 2 * Second;

    /// <summary>Cost of a wrap change, nanoseconds (0.01 s, LTFS file backend).</summary>
    public long WrapChangeTime { get; init; } = Second / 100;

    /// <summary>Fixed rewind overhead, nanoseconds (est. 2 s).</summary>
    public long RewindOverhead { get; init; } = 2 * Second;

    /// <summary>The first load of a new cartridge (media optimisation), when simulated, nanoseconds (est. 3600 s).</summary>
    public long MediaOptimizationTime { get; init; } = 3600 * Second;

    /// <summary>A robot move in a library, nanoseconds (est. 10 s).</summary>
    public long RobotMoveTime { get; init; } = 10 * Second;

    /// <summary>A barcode scan, nanoseconds (est. 0.5 s).</summary>
    public long BarcodeScanTime { get; init; } = Second / 2;

    /// <summary>The smallest block the drive accepts.</summary>
    public int MinBlockLength { get; init; } = 1;

    /// <summary>The largest block the drive accepts (est. 8 MiB).</summary>
    public int MaxBlockLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>LTO-7: 6 TB, 300 MB/s.</summary>
    public static MediaProfile Lto7 { get; } = Lto("LTO-7", 6_000_000_000_000, 300_000_000, 112, 0x5C, 15, 20, 100, 100);

    /// <summary>LTO-8: 12 TB, 360 MB/s.</summary>
    public static MediaProfile Lto8 { get; } = Lto("LTO-8", 12_000_000_000_000, 360_000_000, 208, 0x5E, 15, 24, 100, 100);

    /// <summary>LTO-9: 18 TB, 400 MB/s.</summary>
    public static MediaProfile Lto9 { get; } = Lto("LTO-9", 18_000_000_000_000, 400_000_000, 280, 0x60, 17, 30, 105, 90);

    /// <summary>LTO-10 with LA media: 30 TB, 400 MB/s.</summary>
    public static MediaProfile Lto10 { get; } = Lto("LTO-10", 30_000_000_000_000, 400_000_000, 280, 0x62, 12, 27, 120, 130);

    /// <summary>LTO-10 with PA media (1 337 m): 40 TB, 400 MB/s.</summary>
    public static MediaProfile Lto10P { get; } = Lto("LTO-10P", 40_000_000_000_000, 400_000_000, 280, 0x63, 12, 27, 145, 145);

    /// <summary>IBM TS1160 with JE media: 20 TB, 400 MB/s (timings estimated).</summary>
    public static MediaProfile Ts1160 { get; } = Enterprise("TS1160", 20_000_000_000_000, 90, 90);

    /// <summary>IBM TS1170 with JF media: 50 TB, 400 MB/s (timings estimated).</summary>
    public static MediaProfile Ts1170 { get; } = Enterprise("TS1170", 50_000_000_000_000, 100, 100);

    /// <summary>Every built-in profile.</summary>
    public static IReadOnlyList<MediaProfile> All { get; } = [Lto7, Lto8, Lto9, Lto10, Lto10P, Ts1160, Ts1170];

    /// <summary>Finds a built-in profile by name, ignoring case and dashes (<c>lto9</c> = <c>LTO-9</c>).</summary>
    /// <param name="name">The profile name.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">No profile has that name.</exception>
    public static MediaProfile Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = Normalize(name);
        return All.FirstOrDefault(p => Normalize(p.Name) == key)
            ?? throw new ArgumentException($"Unknown media profile \"{name}\"; known profiles: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
    }

    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static MediaProfile Lto(string name, long capacity, long rate, int wraps, byte density, int load, int unload, int rewind, int locate) => new()
    {
        Name = name,
        Capacity = capacity,
        NativeRate = rate,
        Wraps = wraps,
        DensityCode = density,
        LoadTime = load * Second,
        UnloadTime = unload * Second,
        FullRewindTime = rewind * Second,
        MaxLocateTime = locate * Second,
        SyncFilemarkTime = 2500 * (Second / 1000),
        BackHitchTime = 2 * Second,
    };

    private static MediaProfile Enterprise(string name, long capacity, int rewind, int locate) => new()
    {
        Name = name,
        Capacity = capacity,
        NativeRate = 400_000_000,
        Wraps = 280,
        DensityCode = 0,
        LoadTime = 13 * Second,
        UnloadTime = 23 * Second,
        FullRewindTime = rewind * Second,
        MaxLocateTime = locate * Second,
        SyncFilemarkTime = Second,
        BackHitchTime = Second,
        DriveBuffer = 2 * GiB,
    };
}

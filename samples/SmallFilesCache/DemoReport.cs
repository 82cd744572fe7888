using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TapeKit.Devices.Virtual;

namespace SmallFilesCache;

/// <summary>The demo's figures; <c>demo --json</c> prints them as one camelCase JSON object.</summary>
public sealed record DemoReport
{
    /// <summary>Files written into the write caches.</summary>
    public int FilesIngested { get; init; }

    /// <summary>Their bytes.</summary>
    public long BytesIngested { get; init; }

    /// <summary>Files <c>ARCHIVED</c> after the archive phase.</summary>
    public int FilesArchived { get; init; }

    /// <summary>Archive lists committed (one aggregation tape file each).</summary>
    public int Aggregations { get; init; }

    /// <summary>Tapes written to.</summary>
    public int TapesUsed { get; init; }

    /// <summary>Whether the drive scheduler shared the drives between the disk libraries (the default; <c>--own-drives</c> turns it off).</summary>
    public bool ScheduleDrives { get; init; }

    /// <summary>Robot mounts of the archive and recall phases (prelabelling excluded).</summary>
    public int Mounts { get; init; }

    /// <summary>Robot mounts of the archive phase.</summary>
    public int ArchiveMounts { get; init; }

    /// <summary>Robot mounts of the recall phase.</summary>
    public int RecallMounts { get; init; }

    /// <summary>Files asked for after the purge.</summary>
    public int FilesRequested { get; init; }

    /// <summary>Files the stagers read from tape and published (or failed for good).</summary>
    public int FilesRecalled { get; init; }

    /// <summary>Recalled files whose every byte equals the original.</summary>
    public int FilesVerified { get; init; }

    /// <summary>Requested files not delivered intact.</summary>
    public int FilesLost { get; init; }

    /// <summary>Files recalled per recall mount.</summary>
    public double FilesPerMount { get; init; }

    /// <summary>Simulated busy time of all drives (loads, positioning, streaming, marks).</summary>
    public double SimulatedDriveSeconds { get; init; }

    /// <summary>Where the simulated drive seconds went: streaming, positioning, marks, loads, and the counts behind them.</summary>
    public DriveTime DriveTime { get; init; } = DriveTime.Zero;

    /// <summary>Simulated writing time of the archive sessions (mounts and positioning to the append point excluded).</summary>
    public double ArchiveWritingSeconds { get; init; }

    /// <summary>Archive phase: payload bytes / (writing seconds × native rate).</summary>
    public double DriveEfficiency { get; init; }

    /// <summary>The same files written one AUL file each with synchronous marks: simulated writing seconds, measured on a synthetic cartridge.</summary>
    public double AulSynchronousSeconds { get; init; }

    /// <summary>Its drive efficiency.</summary>
    public double AulSynchronousEfficiency { get; init; }

    /// <summary>Wall-clock seconds of the whole demo.</summary>
    public double WallSeconds { get; init; }

    /// <summary>
    /// Wall-clock seconds of each phase, in the order they ran: <c>setup</c>, <c>ingest</c>, <c>archive</c>, <c>purge</c>,
    /// <c>recall</c>, <c>verify</c>, <c>aulComparison</c> (the rest of <see cref="WallSeconds"/> is the report's own queries).
    /// The AUL comparison runs from the start of the purge beside the purge and the recall; its phase is the wait for what is left of it.
    /// </summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>Processes the site ran as: 1 on the embedded default, the front end and its nodes with <c>--cluster</c>.</summary>
    public int Processes { get; init; } = 1;

    /// <summary>Node processes killed (SIGKILL) and restarted during the run (<c>--kills</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Kills { get; init; }

    /// <summary>
    /// Node processes that exited on their own (a crash, a migrator's watchdog) and were started again by the front end,
    /// apart from the kills. Zero in a healthy run: anything else is worth reading the nodes' logs for.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NodeRestarts { get; init; }

    /// <summary>The servers restarted during the run, in order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ServerRestarts { get; init; }

    /// <summary>The seed of the kills (replays the campaign's choices).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ChaosSeed { get; init; }

    /// <summary>A cluster run's audit: dead letters, files without exactly one tape copy. Empty when all is well.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Problems { get; init; }

    /// <summary>The site root when kept (--root), else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Root { get; init; }

    /// <summary>The JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, DemoJson.Default.DemoReport);

    /// <summary>Prints the final table.</summary>
    public void Render()
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        Row("files ingested", $"{FilesIngested} ({F(BytesIngested / 1e9, "0.00")} GB)");
        Row("files archived", FilesArchived.ToString(CultureInfo.InvariantCulture));
        Row("aggregations", Aggregations.ToString(CultureInfo.InvariantCulture));
        Row("tapes used", TapesUsed.ToString(CultureInfo.InvariantCulture));
        Row("drives", ScheduleDrives ? "shared through the drive scheduler" : "one per disk library");
        Row("mounts (archive + recall)", $"{Mounts} ({ArchiveMounts} + {RecallMounts})");
        Row("files recalled / verified / lost", $"{FilesRecalled} / {FilesVerified} / {FilesLost}");
        Row("files per recall mount", F(FilesPerMount, "0.0"));
        Row("simulated drive seconds", F(SimulatedDriveSeconds, "0.0"));
        Row("  streaming / positioning / marks / loads", $"{F(DriveTime.StreamingSeconds, "0.0")} / {F(DriveTime.PositioningSeconds, "0.0")} / {F(DriveTime.FilemarkSeconds, "0.0")} / {F(DriveTime.LoadSeconds, "0.0")} s");
        Row("  locates / back-hitches / sync points", $"{DriveTime.Locates} / {DriveTime.BackHitches} / {DriveTime.SyncPoints}");
        Row("archive drive efficiency", $"{F(DriveEfficiency * 100, "0.0")} % ({F(ArchiveWritingSeconds, "0.00")} s writing)");
        Row("same files as AUL, synchronous marks", $"{F(AulSynchronousSeconds / 3600, "0.0")} h simulated, {F(AulSynchronousEfficiency * 100, "0.00")} % efficiency");
        Row("processes", Processes.ToString(CultureInfo.InvariantCulture));
        if (Kills is { } kills)
        {
            Row("processes killed / servers restarted", $"{kills} / {string.Join(", ", ServerRestarts ?? [])} (seed {ChaosSeed})");
        }

        if (NodeRestarts is { } restarts)
        {
            Row("nodes restarted after exiting on their own", restarts.ToString(CultureInfo.InvariantCulture));
        }

        if (Problems is { } problems)
        {
            Row("audit (dead letters, tape copies)", problems.Count == 0 ? "clean" : $"{problems.Count} problems: {string.Join("; ", problems.Take(5))}");
        }

        Row("wall time", $"{F(WallSeconds, "0.0")} s");
        foreach ((string phase, double seconds) in PhaseSeconds)
        {
            Row($"  {phase}", $"{F(seconds, "0.00")} s");
        }

        AnsiConsole.Write(table);
    }
}

/// <summary>The demo's arguments.</summary>
/// <param name="Files">Files to ingest.</param>
/// <param name="Recalls">Files to recall.</param>
/// <param name="Seed">The seed of sizes, contents and the recall subset.</param>
/// <param name="Root">Keep the site in this (empty) directory; a temporary one, deleted afterwards, when null.</param>
/// <param name="Json">Print JSON instead of the table.</param>
public sealed record DemoArguments(int Files = 10_000, int Recalls = 500, int Seed = 20261123, string? Root = null, bool Json = false)
{
    /// <summary>Run the site as separate processes (a dispatcher, migrators) over <see cref="Postgres"/>.</summary>
    public bool Cluster { get; init; }

    /// <summary>The PostgreSQL connection string of a cluster run.</summary>
    public string? Postgres { get; init; }

    /// <summary>A RabbitMQ URI: the bus of a cluster run; without it, the PostgreSQL queue.</summary>
    public string? RabbitMq { get; init; }

    /// <summary>Kill and restart node processes (and restart the servers) during a cluster run.</summary>
    public Cluster.ChaosOptions? Chaos { get; init; }

    /// <summary>
    /// Share the drives between the disk libraries through the drive scheduler (<see cref="SiteOptions.ScheduleDrives"/>,
    /// the default); <see langword="false"/> (<c>--own-drives</c>) gives each disk library its own drive.
    /// </summary>
    public bool ScheduleDrives { get; init; } = true;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DemoReport))]
internal sealed partial class DemoJson : JsonSerializerContext;

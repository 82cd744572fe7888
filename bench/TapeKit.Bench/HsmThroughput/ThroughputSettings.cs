namespace TapeKit.Bench.HsmThroughput;

/// <summary>What <c>hsm-throughput</c> measures and where: sizes, worker counts, repetitions and the servers.</summary>
internal sealed class ThroughputSettings
{
    /// <summary>Messages per queue run (published, received and acknowledged).</summary>
    public int Messages { get; set; } = 20_000;

    /// <summary>Files per lifecycle run (a multiple of <see cref="FilesPerList"/>).</summary>
    public int Files { get; set; } = 1_000;

    /// <summary>Files per archive list (the policy's aggregation size): the unit of a migrator's claim and commit.</summary>
    public int FilesPerList { get; set; } = 100;

    /// <summary>Messages per publish transaction and per receive (a consumer's free slots).</summary>
    public int Batch { get; set; } = 100;

    /// <summary>The worker counts.</summary>
    public IReadOnlyList<int> Workers { get; set; } = [1, 2, 4];

    /// <summary>Runs per figure; the median is reported.</summary>
    public int Runs { get; set; } = 3;

    /// <summary>The providers to run: <c>sqlite</c>, <c>postgres</c>, <c>rabbitmq</c>.</summary>
    public IReadOnlySet<string> Providers { get; set; } = new HashSet<string>(StringComparer.Ordinal) { "sqlite", "postgres", "rabbitmq" };

    /// <summary>Which parts run: <c>queue</c>, <c>lifecycle</c>.</summary>
    public IReadOnlySet<string> Parts { get; set; } = new HashSet<string>(StringComparer.Ordinal) { "queue", "lifecycle" };

    /// <summary>An Npgsql connection string of a role that may create databases (<c>TAPEKIT_POSTGRES</c>), or <see langword="null"/>.</summary>
    public string? Postgres { get; set; } = Environment.GetEnvironmentVariable("TAPEKIT_POSTGRES") is { Length: > 0 } s ? s : null;

    /// <summary>The bench's own database on that server, dropped and created again per run.</summary>
    public string PostgresDatabase { get; set; } = "tapekit_bench";

    /// <summary>An AMQP URI (<c>TAPEKIT_RABBITMQ</c>), or <see langword="null"/>.</summary>
    public string? RabbitMq { get; set; } = Environment.GetEnvironmentVariable("TAPEKIT_RABBITMQ") is { Length: > 0 } s ? s : null;

    /// <summary>Where the SQLite stores go.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "tapekit-hsm-throughput");

    /// <summary>Print JSON instead of the table.</summary>
    public bool Json { get; set; }
}

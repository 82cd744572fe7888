namespace TapeKit.Hsm.Postgres;

/// <summary>Settings of the PostgreSQL catalogue, its work queue and its leader election. Bind from <c>TapeKit:Hsm:Postgres</c>.</summary>
public sealed class PostgresHsmOptions
{
    /// <summary>
    /// The Npgsql connection string of the database (<c>Host=…;Database=…;Username=…;Password=…</c>). Its
    /// <c>Search Path</c> is replaced by <see cref="Schema"/>.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The schema that holds the catalogue's tables (<c>tapekit_hsm</c>); created on first use when the role may. Several
    /// catalogues can share one database under different schemas.
    /// </summary>
    public string Schema { get; set; } = "tapekit_hsm";

    /// <summary>
    /// How long a commit whose connection broke before the server answered keeps asking the server whether it committed
    /// (30 s). Within this time a restarted server costs a pause: the commit is found applied (and reported done) or
    /// not (and the unit of work runs again), never both.
    /// </summary>
    public TimeSpan InDoubtCommitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The work queue dead-letters a message instead of delivering it a further time after this many deliveries (5).</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The work queue's default message lease (60 s), on the catalogue's clock.</summary>
    public TimeSpan DefaultLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long an outbox row read by a relay stays reserved to it (30 s, on the catalogue's clock): no other relay reads
    /// it meanwhile. A relay that dies before the bus confirmed the row leaves it to the next relay after this time; a
    /// row that could not be published (no binding for its routing key) is retried after it too.
    /// </summary>
    public TimeSpan OutboxRelayLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a leader checks, on the session that holds its leadership, that the session still lives and that no
    /// later leader was elected (2 s, wall clock). A leader that lost its session learns it within this time; until then
    /// the epoch fence refuses its commits once another leader was elected.
    /// </summary>
    public TimeSpan LeadershipCheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}

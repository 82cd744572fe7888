namespace TapeKit.Hsm.Postgres;

/// <summary>Settings of the PostgreSQL catalogue. Bind from <c>TapeKit:Hsm:Postgres</c>.</summary>
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
}

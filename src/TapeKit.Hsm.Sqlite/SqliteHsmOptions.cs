namespace TapeKit.Hsm.Sqlite;

/// <summary>Settings of the embedded SQLite store. Bind from <c>TapeKit:Hsm:Sqlite</c>.</summary>
public sealed class SqliteHsmOptions
{
    /// <summary>The database file; it MUST be on a local disk (SQLite locking is unreliable on network file systems).</summary>
    public string Path { get; set; } = "tapekit-hsm.db";

    /// <summary>
    /// The permissions a new database file is created with (<c>0600</c>; <c>0640</c> to let the group read it). SQLite
    /// gives its <c>-wal</c> and <c>-shm</c> files the database file's permissions. An existing file keeps its own.
    /// </summary>
    public UnixFileMode FileMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>How long a writer waits for another process's lock (5 s).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Back up the file (<c>VACUUM INTO</c>) before applying a schema migration to an existing database.</summary>
    public bool BackupBeforeMigration { get; set; } = true;

    /// <summary>Dead-letter after this many deliveries (5).</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The default message lease (60 s).</summary>
    public TimeSpan DefaultLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Pages the write-ahead log grows to before a commit copies them into the database (8 192 pages, 32 MiB). A page a
    /// catalogue rewrites often — the last page of the audit log, of the inbox, of a list's members, the counts — is
    /// copied once per checkpoint however often it was committed, so a longer log writes less; a crash then replays
    /// at most this much log at the next open.
    /// </summary>
    public int WalCheckpointPages { get; set; } = 8192;

    /// <summary>
    /// Page cache of each connection, in MiB (32). Look-ups spread over a large catalogue (a recall planning round over
    /// 100 000 waiting files) keep the upper levels of the tables and indexes in it instead of re-reading them.
    /// </summary>
    public int CacheSizeMiB { get; set; } = 32;

    /// <summary>
    /// Open an existing store for reading only (diagnostics, dry runs): a missing file is not created, the schema is not
    /// migrated (it must be the version this build writes), transactions are deferred and every write fails.
    /// </summary>
    public bool ReadOnly { get; set; }
}

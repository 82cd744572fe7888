namespace TapeKit.Hsm.Catalog;

/// <summary>What went wrong in the store under a catalogue, in provider-neutral terms.</summary>
public enum CatalogStoreErrorKind
{
    /// <summary>Another writer held the store longer than the wait allowed (SQLite <c>BUSY</c>/<c>LOCKED</c>); transient.</summary>
    Busy,

    /// <summary>The store aborted the transaction to keep it serialisable (a serialization failure, a deadlock); transient.</summary>
    SerializationFailure,

    /// <summary>The connection to the store was lost or the store restarted; transient.</summary>
    Unavailable,

    /// <summary>The store's file or disk failed (I/O error, read-only file system).</summary>
    Io,

    /// <summary>The store's data is damaged or is not a TapeKit catalogue.</summary>
    Corrupt,

    /// <summary>
    /// The disk (or quota) under the store is full (SQLite <c>FULL</c>, PostgreSQL <c>disk_full</c>): the transaction was
    /// rolled back and nothing it wrote is kept; reads still work, and writes work again once space is freed. Not
    /// transient in the retry sense (an immediate retry fails the same way): a host waits for the space to come back.
    /// </summary>
    Full,
}

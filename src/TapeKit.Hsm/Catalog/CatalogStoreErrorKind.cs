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

    /// <summary>The store's file or disk failed (I/O error, disk full, read-only file system).</summary>
    Io,

    /// <summary>The store's data is damaged or is not a TapeKit catalogue.</summary>
    Corrupt,
}

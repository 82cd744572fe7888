namespace SmallFilesCache;

/// <summary>What one process of the site does (the clustered SFA configuration, one role per node: docs/hsm/sfa-cluster.md).</summary>
public enum SiteRole
{
    /// <summary>Everything in one process (the embedded default): ingest, dispatcher, migrators, purgers, recalls.</summary>
    All,

    /// <summary>The disk movers' side: ingests, recall requests, purges of the caches; sets up the tapes.</summary>
    FrontEnd,

    /// <summary>The dispatcher: fills archive lists, plans recalls, sends commands; one of several is elected.</summary>
    Dispatcher,

    /// <summary>A migrator of one disk library: runs its Archive, Stage and Purge commands on its drives.</summary>
    Migrator,
}

namespace TapeKit.Hsm.Model;

/// <summary>The roles that make transitions (docs/hsm/rules.md#rules-common-to-every-machine-r1r7, R2).</summary>
public enum HsmActor
{
    /// <summary>The host's disk mover, through the catalogue API.</summary>
    DiskMover,
    /// <summary>The dispatcher (including the recall planner and the purger's selection).</summary>
    Dispatcher,
    /// <summary>The dispatcher's lease sweeper, acting for an owner whose work lease expired.</summary>
    Sweeper,
    /// <summary>A migrator (archive, stage or purge worker).</summary>
    Migrator,
    /// <summary>An operator through the admin API (audited).</summary>
    Operator,
}

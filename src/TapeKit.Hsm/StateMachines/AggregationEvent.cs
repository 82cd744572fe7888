namespace TapeKit.Hsm.StateMachines;

/// <summary>The events of the aggregation machine (docs/hsm/rules.md#aggregations-g1g7).</summary>
public enum AggregationEvent
{
    /// <summary>G2: write mount held, safe-append check passed; intent recorded.</summary>
    WriteStarted,
    /// <summary>G3: payload, trailer and closing mark written with a buffered mark.</summary>
    Written,
    /// <summary>G4: covered by a synchronising flush and committed.</summary>
    Committed,
    /// <summary>G5: write error, end of medium, failed sync, lost lease or cancellation.</summary>
    Failed,
    /// <summary>G6: unrecoverable read error or checksum mismatch in this copy.</summary>
    Damaged,
    /// <summary>G7: repack committed the members elsewhere.</summary>
    Retired,
}

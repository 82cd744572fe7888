namespace TapeKit.Hsm.Model;

/// <summary>The state of an aggregation or direct tape file (docs/hsm/rules.md#aggregations-g1g7).</summary>
public enum AggregationState
{
    /// <summary><c>BUILDING</c>: members are being gathered in the packaging area.</summary>
    Building,
    /// <summary><c>WRITING</c>: a write mount is held and the tape file is being written.</summary>
    Writing,
    /// <summary><c>WRITTEN</c>: on tape behind a buffered mark, not yet covered by a synchronising flush.</summary>
    Written,
    /// <summary><c>ON_TAPE</c>: synced and committed.</summary>
    OnTape,
    /// <summary><c>FAILED</c>: abandoned; its space on tape is overwritten by the next append.</summary>
    Failed,
    /// <summary><c>DAMAGED</c>: a read found an unrecoverable error or a checksum mismatch in this copy.</summary>
    Damaged,
    /// <summary><c>RETIRED</c>: repack committed the members elsewhere.</summary>
    Retired,
}

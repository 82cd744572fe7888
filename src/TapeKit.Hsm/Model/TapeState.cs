namespace TapeKit.Hsm.Model;

/// <summary>The state of a tape volume (docs/hsm/overview.md#tapes).</summary>
public enum TapeState
{
    /// <summary><c>FREE</c>: labelled and empty.</summary>
    Free,
    /// <summary><c>FILLING</c>: appendable.</summary>
    Filling,
    /// <summary><c>FULL</c>: end of medium or capacity reserve reached; readable.</summary>
    Full,
    /// <summary><c>NEEDS_ATTENTION</c>: suspect; no writes, reads allowed.</summary>
    NeedsAttention,
    /// <summary><c>READONLY</c>: set by an operator; reads only.</summary>
    ReadOnly,
    /// <summary><c>DISABLED</c>: set by an operator; neither reads nor writes are scheduled.</summary>
    Disabled,
    /// <summary><c>BROKEN</c>: unreadable.</summary>
    Broken,
    /// <summary><c>REPACKING</c>: being repacked; reads only.</summary>
    Repacking,
    /// <summary><c>RETIRED</c>: out of service.</summary>
    Retired,
}

/// <summary>Read and write permissions implied by a <see cref="TapeState"/>.</summary>
public static class TapeStates
{
    /// <summary>True when the state allows scheduling reads from the tape.</summary>
    /// <param name="state">The tape state.</param>
    public static bool AllowsReads(this TapeState state) =>
        state is TapeState.Filling or TapeState.Full or TapeState.NeedsAttention or TapeState.ReadOnly or TapeState.Repacking;

    /// <summary>True when the state allows appending tape files.</summary>
    /// <param name="state">The tape state.</param>
    public static bool AllowsWrites(this TapeState state) => state is TapeState.Free or TapeState.Filling;

    /// <summary>True when a tape copy on a tape in this state may be trusted enough to drop a disk copy (docs/hsm/overview.md#purging).</summary>
    /// <param name="state">The tape state.</param>
    public static bool IsTrustedForPurge(this TapeState state) =>
        state is not (TapeState.NeedsAttention or TapeState.Disabled or TapeState.Broken);
}

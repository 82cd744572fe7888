namespace TapeKit.Hsm.Model;

/// <summary>Why a file list was closed (docs/hsm/overview.md#list-closing).</summary>
public enum CloseReason
{
    /// <summary>The byte limit was reached, or the next member would have exceeded it.</summary>
    Bytes,
    /// <summary>The member-count limit was reached.</summary>
    Count,
    /// <summary>The oldest member waited <c>maxWaitingTime</c>.</summary>
    Age,
    /// <summary>An administrator flushed the list.</summary>
    Flush,
    /// <summary>The write cache is above its high watermark.</summary>
    Pressure,
    /// <summary>Created closed by the recall planner or the purger (stage and purge lists).</summary>
    Planned,
}

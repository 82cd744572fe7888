namespace TapeKit.Hsm.Model;

/// <summary>Priority of a request or message (docs/hsm/overview.md#messages); larger values are more urgent.</summary>
public enum RequestPriority
{
    /// <summary>Background work.</summary>
    Low = 0,
    /// <summary>The default.</summary>
    Normal = 1,
    /// <summary>Ahead of normal work.</summary>
    High = 2,
    /// <summary>Served first; bypasses the remount guard and the minimum request age.</summary>
    Urgent = 3,
}

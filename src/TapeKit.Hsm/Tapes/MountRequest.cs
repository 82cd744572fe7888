using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tapes;

/// <summary>What a session asks the drive scheduler for: a drive holding one cartridge, for reading or for writing.</summary>
public sealed record MountRequest
{
    /// <summary>The cartridge.</summary>
    public required string Vsn { get; init; }

    /// <summary>The cartridge's tape pool: drives are shared fairly between pools.</summary>
    public required string Pool { get; init; }

    /// <summary>Read (recall) or write (archive, labelling).</summary>
    public MountMode Mode { get; init; } = MountMode.Write;

    /// <summary>The priority; higher priorities are served first.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>Who asks (a worker or host id); it becomes the holder of the drive's lease.</summary>
    public required string Requester { get; init; }

    /// <summary>A read mount that may ignore the remount guard (an operator's request). <see cref="RequestPriority.Urgent"/> bypasses it too.</summary>
    public bool BypassRemountGuard { get; init; }
}

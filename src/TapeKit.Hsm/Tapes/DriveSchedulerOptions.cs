namespace TapeKit.Hsm.Tapes;

/// <summary>Settings of a <see cref="DriveScheduler"/> (docs/hsm/overview.md#roles).</summary>
public sealed class DriveSchedulerOptions
{
    /// <summary>The tape library whose drives are scheduled (the key of its drive rows and requests).</summary>
    public string Library { get; set; } = "default";

    /// <summary>How long a drive keeps its cartridge after a session, so that the next session of that tape needs no mount (default 5 min).</summary>
    public TimeSpan DismountDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A cartridge is not mounted again for reading within this time of its last unmount, unless urgent or bypassed (default 2 h).</summary>
    public TimeSpan RemountDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The lease of a granted drive; its holder renews it while the session runs (default 10 min, as the work lease).</summary>
    public TimeSpan MountLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The lease of a waiting request; the waiter renews it with every poll (default 1 min).</summary>
    public TimeSpan RequestLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a waiter asks again (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a drive that failed stays out of service before it is tried again (default 10 min): nothing is granted on
    /// it meanwhile, so its sessions go to the other drives.
    /// </summary>
    public TimeSpan OutOfServiceFor { get; set; } = TimeSpan.FromMinutes(10);
}

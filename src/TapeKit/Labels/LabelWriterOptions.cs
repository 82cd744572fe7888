namespace TapeKit.Labels;

/// <summary>
/// What a <see cref="LabelWriter"/> needs from the world: its profile, clock, site, host and drive
/// identity. Everything is injectable so that virtual tapes produce reproducible labels (F1.4).
/// </summary>
public sealed class LabelWriterOptions
{
    /// <summary>The writer profile (F1). Default: <see cref="LabelProfile.TapeKit"/>.</summary>
    public LabelProfile Profile { get; set; } = LabelProfile.TapeKit;

    /// <summary>The clock whose UTC date is written (F2.2). Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The configured site name; <see langword="null"/> takes the first label of the host's DNS domain.</summary>
    public string? Site { get; set; }

    /// <summary>The host's DNS domain, used for the site when none is configured; <see langword="null"/> asks the system.</summary>
    public string? DomainName { get; set; }

    /// <summary>The host name; <see langword="null"/> asks the system (<see cref="Environment.MachineName"/>).</summary>
    public string? HostName { get; set; }

    /// <summary>The drive's INQUIRY vendor identification; <see langword="null"/> when unknown.</summary>
    public string? DriveVendor { get; set; }

    /// <summary>The drive's INQUIRY product identification (its first 8 bytes are written); <see langword="null"/> when unknown.</summary>
    public string? DriveProduct { get; set; }

    /// <summary>The drive's unit serial number; <see langword="null"/> when unknown.</summary>
    public string? DriveSerial { get; set; }
}

namespace TapeKit.Labels;

/// <summary>
/// Who wrote a tape file, as UHL1/UTL1 record it (<c>docs/formats/aul.md#uhl1-and-utl1--cern-user-header-and-trailer-label</c>, F1.4): site, mover
/// host and the drive's INQUIRY identity. Every value is printable ASCII and non-blank.
/// </summary>
/// <param name="Site">The site, e.g. <c>CERN</c> (8 bytes kept).</param>
/// <param name="MoverHost">The mover host, short and uppercase (10 bytes kept).</param>
/// <param name="DriveVendor">The INQUIRY vendor identification (8 bytes kept).</param>
/// <param name="DriveModel">The INQUIRY product identification (its first 8 bytes are kept).</param>
/// <param name="DriveSerial">The drive's unit serial number (12 bytes kept).</param>
public sealed record UserLabelIdentity(string Site, string MoverHost, string DriveVendor, string DriveModel, string DriveSerial)
{
    /// <summary>The value F1.4 writes for anything unknown.</summary>
    public const string Unknown = "UNKNOWN";
}

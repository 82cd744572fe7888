using System.Net.NetworkInformation;

namespace TapeKit.Labels;

/// <summary>
/// Builds the labels of a tape by one profile (<c>docs/formats/rules.md#fmt-f1</c>, F1, F2): VOL1, the PRELABEL
/// HDR1, and the header and trailer groups of each file, with site, host and drive values taken
/// from the options and sanitised as F1.4 says.
/// </summary>
public sealed class LabelWriter
{
    private readonly TimeProvider _clock;

    /// <summary>Creates a writer.</summary>
    /// <param name="options">Profile, clock, site, host and drive; <see langword="null"/> for the defaults.</param>
    public LabelWriter(LabelWriterOptions? options = null)
    {
        options ??= new LabelWriterOptions();
        Profile = options.Profile ?? throw new ArgumentException("A label writer needs a profile.", nameof(options));
        _clock = options.Clock ?? TimeProvider.System;
        string host = options.HostName ?? SystemHostName();
        string? domain = options.DomainName ?? SystemDomainName(host);
        Identity = new UserLabelIdentity(
            Site: Sanitise(options.Site ?? FirstLabel(domain), upper: true),
            MoverHost: Sanitise(FirstLabel(host), upper: true),
            DriveVendor: Sanitise(options.DriveVendor, upper: false),
            DriveModel: Sanitise(options.DriveProduct, upper: false),
            DriveSerial: Sanitise(options.DriveSerial, upper: false));
    }

    /// <summary>The profile the labels are written by.</summary>
    public LabelProfile Profile { get; }

    /// <summary>The site, host and drive values written into UHL1 and UTL1.</summary>
    public UserLabelIdentity Identity { get; }

    /// <summary>The VOL1 of a tape.</summary>
    /// <param name="vsn">1 to 6 characters from A–Z, 0–9.</param>
    /// <param name="lbpMethod">The protection the tape uses.</param>
    /// <returns>The label.</returns>
    public Vol1Label Volume(string vsn, LbpMethod lbpMethod = LbpMethod.None) => Vol1Label.Create(vsn, Profile.OwnerId, lbpMethod);

    /// <summary>The PRELABEL HDR1 written after VOL1 when a tape is labelled, dated today (UTC).</summary>
    /// <param name="vsn">The VSN.</param>
    /// <returns>The label.</returns>
    public Hdr1Label Prelabel(string vsn) => Hdr1Label.CreatePrelabel(vsn, LabelDate.Today(_clock), Profile.SystemCode);

    /// <summary>The header group (HDR1 HDR2 UHL1) of a tape file, dated today (UTC).</summary>
    /// <param name="fileId">The archive file id, or for ALB the aggregation id; non-zero.</param>
    /// <param name="vsn">The VSN.</param>
    /// <param name="fileSequence">The fseq, from 1.</param>
    /// <param name="blockSize">The data block size S.</param>
    /// <param name="compressed">Whether the drive compresses.</param>
    /// <returns>The three labels; <see cref="FileLabelGroup.ToTrailers"/> gives the trailers.</returns>
    public FileLabelGroup Headers(ulong fileId, string vsn, long fileSequence, int blockSize, bool compressed = false) => new(
        Hdr1Label.Create(LabelKind.Hdr1, fileId, vsn, fileSequence, LabelDate.Today(_clock), 0, Profile.SystemCode),
        Hdr2Label.Create(LabelKind.Hdr2, blockSize, compressed),
        Uhl1Label.Create(LabelKind.Uhl1, fileSequence, blockSize, Identity));

    /// <summary>
    /// Sanitises a value from the environment or the drive (F1.4): bytes outside 0x20–0x7E become
    /// <c>?</c>, trailing spaces go, an empty result is <c>UNKNOWN</c>.
    /// </summary>
    /// <param name="value">The raw value, or <see langword="null"/> when unknown.</param>
    /// <param name="upper">Whether to uppercase (site and host).</param>
    /// <returns>A printable, non-blank value.</returns>
    public static string Sanitise(string? value, bool upper)
    {
        if (value is null)
        {
            return UserLabelIdentity.Unknown;
        }

        Span<char> buffer = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            c = c is >= ' ' and <= '~' ? c : '?';
            buffer[i] = upper ? char.ToUpperInvariant(c) : c;
        }

        ReadOnlySpan<char> trimmed = buffer.TrimEnd(' ');
        return trimmed.IsEmpty ? UserLabelIdentity.Unknown : trimmed.ToString();
    }

    private static string? FirstLabel(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? name : name[..dot];
    }

    private static string SystemHostName()
    {
        try
        {
            return Environment.MachineName;
        }
        catch (InvalidOperationException)
        {
            return UserLabelIdentity.Unknown;
        }
    }

    private static string? SystemDomainName(string host)
    {
        // CTA takes the resolver's search domain; the IP properties give the same on Linux.
        try
        {
            string domain = IPGlobalProperties.GetIPGlobalProperties().DomainName;
            if (!string.IsNullOrWhiteSpace(domain) && domain != "(none)")
            {
                return domain;
            }
        }
        catch (NetworkInformationException)
        {
        }
        catch (PlatformNotSupportedException)
        {
        }

        int dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : host[(dot + 1)..];
    }
}

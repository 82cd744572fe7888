namespace TapeKit.Labels;

/// <summary>
/// A writer profile (<c>docs/formats/rules.md#fmt-f1</c>, F1): the VOL1 <c>ownerId</c> and the <c>systemCode</c> of
/// HDR1, EOF1 and the PRELABEL HDR1. Every other byte is the same in all profiles.
/// </summary>
/// <remarks>
/// A choice TapeKit made (<c>docs/formats/README.md#choice-profile-versions</c>): the <see cref="LabelProfileKind.Cta"/> and
/// <see cref="LabelProfileKind.Castor"/> profiles ship <em>no</em> default version — the caller
/// names the release being imitated — and a <c>TAPEKIT</c> version longer than 5 characters is cut
/// on the right at 13 bytes, like every text field.
/// </remarks>
public sealed class LabelProfile
{
    private LabelProfile(LabelProfileKind kind, string version, string ownerId, string systemName)
    {
        Kind = kind;
        Version = version;
        OwnerId = ownerId;
        SystemCode = systemName + " " + version;
    }

    /// <summary>The profile's kind.</summary>
    public LabelProfileKind Kind { get; }

    /// <summary>The version text written after the system name, e.g. <c>5.11.2.0</c>.</summary>
    public string Version { get; }

    /// <summary>The VOL1 owner identifier: <c>TAPEKIT</c>, <c>CTA</c> or <c>CASTOR</c>.</summary>
    public string OwnerId { get; }

    /// <summary>The system code before the cut to 13 bytes, e.g. <c>CTA 5.11.2.0</c>.</summary>
    public string SystemCode { get; }

    /// <summary>TapeKit's profile with this package's version as <c>Major.Minor.Patch</c>.</summary>
    public static LabelProfile TapeKit { get; } = ForTapeKit(PackageVersion());

    /// <summary>TapeKit's profile with an explicit version (reproducible labels, tests).</summary>
    /// <param name="version">The version text, e.g. <c>1.0.0</c>.</param>
    /// <returns>The profile.</returns>
    public static LabelProfile ForTapeKit(string version) => Make(LabelProfileKind.TapeKit, version, "TAPEKIT");

    /// <summary>The CTA profile imitating the given CTA release.</summary>
    /// <param name="version">The CTA release, e.g. <c>5.11.2.0</c> (required: F1.1).</param>
    /// <returns>The profile.</returns>
    public static LabelProfile Cta(string version) => Make(LabelProfileKind.Cta, version, "CTA");

    /// <summary>The CASTOR profile imitating the given CASTOR base version.</summary>
    /// <param name="version">The base version, e.g. <c>2.1.15</c> (required: F1.1).</param>
    /// <returns>The profile.</returns>
    public static LabelProfile Castor(string version) => Make(LabelProfileKind.Castor, version, "CASTOR");

    /// <summary>A profile by kind, as a configuration file or command line names it.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="version">The version; <see langword="null"/> only for <see cref="LabelProfileKind.TapeKit"/> (this package's version).</param>
    /// <returns>The profile.</returns>
    public static LabelProfile Create(LabelProfileKind kind, string? version) => kind switch
    {
        LabelProfileKind.TapeKit => version is null ? TapeKit : ForTapeKit(version),
        LabelProfileKind.Cta => Cta(version ?? throw new ArgumentException("The CTA profile needs the CTA release it imitates, e.g. 5.11.2.0.", nameof(version))),
        LabelProfileKind.Castor => Castor(version ?? throw new ArgumentException("The CASTOR profile needs the CASTOR base version it imitates, e.g. 2.1.15.", nameof(version))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown label profile."),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} ({SystemCode})";

    private static LabelProfile Make(LabelProfileKind kind, string version, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        LabelParsing.RequirePrintable(version, nameof(version));
        if (version.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A profile version has no spaces; '{version}' has.", nameof(version));
        }

        return new LabelProfile(kind, version, name, name);
    }

    private static string PackageVersion()
    {
        Version v = typeof(LabelProfile).Assembly.GetName().Version ?? new Version(0, 0, 0);
        return $"{v.Major}.{v.Minor}.{Math.Max(v.Build, 0)}";
    }
}

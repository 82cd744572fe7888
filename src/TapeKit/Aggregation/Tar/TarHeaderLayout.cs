namespace TapeKit.Aggregation.Tar;

/// <summary>The offsets and lengths of a 512-byte tar header (docs/formats/alb.md#5-the-tar-payload).</summary>
internal static class TarHeaderLayout
{
    public const int Size = 512;
    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, ModeLength = 8;
    public const int UidOffset = 108, UidLength = 8;
    public const int GidOffset = 116, GidLength = 8;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int MTimeOffset = 136, MTimeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int LinkNameOffset = 157, LinkNameLength = 100;
    public const int MagicOffset = 257, MagicLength = 6;
    public const int VersionOffset = 263, VersionLength = 2;
    public const int UNameOffset = 265, UNameLength = 32;
    public const int GNameOffset = 297, GNameLength = 32;
    public const int DevMajorOffset = 329, DevMajorLength = 8;
    public const int DevMinorOffset = 337, DevMinorLength = 8;
    public const int PrefixOffset = 345, PrefixLength = 155;

    /// <summary>GNU magic and version: <c>ustar␠␠\0</c>.</summary>
    public static ReadOnlySpan<byte> GnuMagic => "ustar  \0"u8;

    /// <summary>POSIX magic: <c>ustar\0</c> (version <c>00</c> follows).</summary>
    public static ReadOnlySpan<byte> PosixMagic => "ustar\0"u8;

    /// <summary>The name of a GNU long-name or long-link record.</summary>
    public static ReadOnlySpan<byte> LongLinkName => "././@LongLink"u8;
}

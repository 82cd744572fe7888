using System.Diagnostics;
using System.Text;
using static TapeKit.Aggregation.Tar.TarHeaderLayout;

namespace TapeKit.Aggregation.Tar;

/// <summary>The header format family, from the magic at offset 257.</summary>
public enum TarHeaderFormat
{
    /// <summary>No magic: pre-POSIX (V7) tar.</summary>
    V7,

    /// <summary>POSIX ustar (<c>ustar\0</c> + <c>00</c>): the prefix field extends the name.</summary>
    Ustar,

    /// <summary>GNU (<c>ustar␠␠\0</c>): bytes 345–511 hold GNU fields, not a prefix.</summary>
    Gnu,
}

/// <summary>
/// One 512-byte tar header record (docs/formats/alb.md#5-the-tar-payload): parsed with its checksum checked (F6.8.2), or written in
/// the GNU form of F6.1, byte for byte as <c>System.Formats.Tar</c>'s <c>GnuTarEntry</c>.
/// </summary>
public readonly record struct TarHeader
{
    /// <summary>The record length.</summary>
    public const int Size = TarHeaderLayout.Size;

    /// <summary>The name field (up to its first NUL), joined to the POSIX prefix when there is one; UTF-8 decoded.</summary>
    public string Name { get; init; }

    /// <summary>The permission bits.</summary>
    public int Mode { get; init; }

    /// <summary>The owner user id.</summary>
    public long Uid { get; init; }

    /// <summary>The owner group id.</summary>
    public long Gid { get; init; }

    /// <summary>The size field (octal or base-256).</summary>
    public long DataSize { get; init; }

    /// <summary>The modification time in Unix seconds.</summary>
    public long ModificationTime { get; init; }

    /// <summary>The typeflag byte.</summary>
    public byte TypeFlag { get; init; }

    /// <summary>The link name field (up to its first NUL).</summary>
    public string LinkName { get; init; }

    /// <summary>The format family from the magic.</summary>
    public TarHeaderFormat Format { get; init; }

    /// <summary>Whether the checksum only verifies when computed with signed bytes (old writers; a warning, F6.8.2).</summary>
    public bool SignedChecksum { get; init; }

    /// <summary>Whether <paramref name="record"/> is a ustar or GNU header whose checksum verifies (F4.3).</summary>
    /// <param name="record">512 bytes.</param>
    /// <returns><see langword="true"/> for a tar header.</returns>
    public static bool IsTarHeader(ReadOnlySpan<byte> record) =>
        record.Length >= Size
        && (record.Slice(MagicOffset, 6).SequenceEqual(PosixMagic) || record.Slice(MagicOffset, 8).SequenceEqual(GnuMagic))
        && ChecksumState(record) != 0;

    /// <summary>Whether all 512 bytes are zero (an end-of-archive record).</summary>
    /// <param name="record">512 bytes.</param>
    /// <returns><see langword="true"/> when zero.</returns>
    public static bool IsZero(ReadOnlySpan<byte> record) => !record[..Size].ContainsAnyExcept((byte)0);

    /// <summary>Parses a header record, checking its checksum (unsigned; signed accepted and flagged).</summary>
    /// <param name="record">512 bytes.</param>
    /// <param name="headerOffset">The record's byte offset in the archive, for errors.</param>
    /// <returns>The header.</returns>
    /// <exception cref="TapeFormatException">Bad checksum or numeric field.</exception>
    public static TarHeader Parse(ReadOnlySpan<byte> record, long headerOffset)
    {
        record = record[..Size];
        int state = ChecksumState(record);
        if (state == 0)
        {
            var field = record.Slice(ChecksumOffset, ChecksumLength);
            TarNumbers.Throw("chksum", ChecksumOffset, ChecksumLength, field, headerOffset,
                $"does not match the header's byte sum {Convert.ToString(UnsignedSum(record), 8)} (octal): the header is damaged or this is not a tar header");
        }

        var format = record.Slice(MagicOffset, 8).SequenceEqual(GnuMagic) ? TarHeaderFormat.Gnu
            : record.Slice(MagicOffset, 6).SequenceEqual(PosixMagic) ? TarHeaderFormat.Ustar
            : TarHeaderFormat.V7;
        string name = CString(record.Slice(NameOffset, NameLength));
        if (format == TarHeaderFormat.Ustar)
        {
            string prefix = CString(record.Slice(PrefixOffset, PrefixLength));
            if (prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }
        }

        return new TarHeader
        {
            Name = name,
            Mode = (int)(TarNumbers.Parse(record, ModeOffset, ModeLength, "mode", headerOffset) & 0xFFF),
            Uid = TarNumbers.Parse(record, UidOffset, UidLength, "uid", headerOffset),
            Gid = TarNumbers.Parse(record, GidOffset, GidLength, "gid", headerOffset),
            DataSize = TarNumbers.Parse(record, SizeOffset, SizeLength, "size", headerOffset),
            ModificationTime = TarNumbers.Parse(record, MTimeOffset, MTimeLength, "mtime", headerOffset),
            TypeFlag = record[TypeFlagOffset],
            LinkName = CString(record.Slice(LinkNameOffset, LinkNameLength)),
            Format = format,
            SignedChecksum = state == 2,
        };
    }

    /// <summary>Parses a header record, returning <see langword="false"/> instead of throwing.</summary>
    /// <param name="record">512 bytes.</param>
    /// <param name="header">The header when valid.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> record, out TarHeader header)
    {
        try
        {
            header = Parse(record, 0);
            return true;
        }
        catch (TapeFormatException)
        {
            header = default;
            return false;
        }
    }

    /// <summary>
    /// Writes a GNU header (F6.1) with the given raw name field bytes (at most 100), for a member
    /// (typeflag <c>0</c>, empty uname/gname) or a long-name record (typeflag <c>L</c>, <c>root</c>).
    /// </summary>
    internal static void WriteGnu(Span<byte> record, ReadOnlySpan<byte> nameField, int mode, int uid, int gid, long size, long mtime, byte typeFlag)
    {
        record = record[..Size];
        record.Clear();
        nameField.CopyTo(record.Slice(NameOffset, NameLength));
        TarNumbers.WriteOctal(record.Slice(ModeOffset, ModeLength), mode);
        TarNumbers.WriteOctal(record.Slice(UidOffset, UidLength), uid);
        TarNumbers.WriteOctal(record.Slice(GidOffset, GidLength), gid);
        TarNumbers.WriteSize(record.Slice(SizeOffset, SizeLength), size);
        TarNumbers.WriteOctal(record.Slice(MTimeOffset, MTimeLength), mtime);
        record[TypeFlagOffset] = typeFlag;
        GnuMagic.CopyTo(record[MagicOffset..]);
        if (typeFlag == (byte)'L')
        {
            "root"u8.CopyTo(record[UNameOffset..]);
            "root"u8.CopyTo(record[GNameOffset..]);
        }

        record.Slice(ChecksumOffset, ChecksumLength).Fill((byte)' ');
        // The byte sum of the fields just written; every other byte of the record is zero. A header per member: summing
        // the 80-odd bytes written instead of all 512 halves the header's cost for small members.
        int sum = ByteSum(nameField) + ByteSum(record[ModeOffset..(MTimeOffset + MTimeLength)]) + (ChecksumLength * ' ')
            + typeFlag + ByteSum(GnuMagic) + (typeFlag == (byte)'L' ? 2 * ByteSum("root"u8) : 0);
        Debug.Assert(sum == UnsignedSum(record), "the header's checksum covers every byte written");
        var checksum = record.Slice(ChecksumOffset, ChecksumLength);
        TarNumbers.WriteOctal(checksum[..7], sum);
        checksum[7] = (byte)' ';
    }

    /// <summary>The first at most 100 bytes of a UTF-8 name without splitting a character (as TarWriter cuts GNU names).</summary>
    internal static int NameFieldLength(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length <= NameLength)
        {
            return utf8Name.Length;
        }

        int cut = NameLength;
        while (cut > 0 && (utf8Name[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return cut;
    }

    /// <summary>0: the checksum does not verify; 1: it verifies (unsigned sum); 2: only the signed sum matches.</summary>
    private static int ChecksumState(ReadOnlySpan<byte> record)
    {
        var field = record.Slice(ChecksumOffset, ChecksumLength);
        long stored;
        try
        {
            stored = TarNumbers.Parse(record, ChecksumOffset, ChecksumLength, "chksum", 0);
        }
        catch (TapeFormatException)
        {
            return 0;
        }

        if (!field.ContainsAnyInRange((byte)'0', (byte)'7'))
        {
            return 0;
        }

        if (stored == UnsignedSum(record))
        {
            return 1;
        }

        int signed = 8 * ' ';
        for (int i = 0; i < Size; i++)
        {
            if (i is < ChecksumOffset or >= ChecksumOffset + ChecksumLength)
            {
                signed += (sbyte)record[i];
            }
        }

        return stored == signed ? 2 : 0;
    }

    /// <summary>The header checksum: the unsigned byte sum with the chksum field counted as eight spaces.</summary>
    private static int UnsignedSum(ReadOnlySpan<byte> record) =>
        ByteSum(record[..Size]) - ByteSum(record.Slice(ChecksumOffset, ChecksumLength)) + (8 * ' ');

    /// <summary>The sum of the bytes as unsigned numbers.</summary>
    private static int ByteSum(ReadOnlySpan<byte> bytes)
    {
        int sum = 0;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            // Add the eight bytes of the word pairwise in 16-bit lanes; no lane can overflow.
            ulong pairs = (word & 0x00FF00FF00FF00FFUL) + ((word >> 8) & 0x00FF00FF00FF00FFUL);
            pairs = (pairs & 0x0000FFFF0000FFFFUL) + ((pairs >> 16) & 0x0000FFFF0000FFFFUL);
            sum += (int)((pairs & 0xFFFFFFFFUL) + (pairs >> 32));
        }

        foreach (byte b in bytes[(words.Length * sizeof(ulong))..])
        {
            sum += b;
        }

        return sum;
    }

    internal static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}

using System.Text;
using TapeKit.Checksums;
using static TapeKit.Aggregation.Il.IlHeaderLayout;

namespace TapeKit.Aggregation.Il;

/// <summary>
/// The 1024-byte ASCII header at the start of every IL 01.00 block (F5.2): one record with
/// <see cref="Parse(ReadOnlySpan{byte}, long)"/>, <see cref="TryParse"/> and <see cref="WriteTo"/>.
/// </summary>
public readonly record struct IlHeader
{
    /// <summary>The header length in bytes.</summary>
    public const int Size = IlHeaderLayout.Size;

    /// <summary>The only version TapeKit reads and writes.</summary>
    public const string Version0100 = "01.00";

    /// <summary>The checksum algorithm text, with its two padding spaces.</summary>
    public const string Adler32Text = "Adler-32  ";

    /// <summary><c>versionNumber</c>: <c>01.00</c>.</summary>
    public string VersionNumber { get; init; }

    /// <summary><c>headerChecksum</c>: Adler-32 of the header with this field as spaces (computed by <see cref="WriteTo"/>).</summary>
    public uint HeaderChecksum { get; init; }

    /// <summary><c>tapeMarkCount</c>: the fseq of the tape file (0 outside a tape).</summary>
    public ulong TapeMarkCount { get; init; }

    /// <summary><c>blockSize</c>: S, header included.</summary>
    public long BlockSize { get; init; }

    /// <summary><c>blockCount</c>: the block's logical object id (from a base outside a tape).</summary>
    public ulong BlockCount { get; init; }

    /// <summary><c>blockTimeStamp</c>: Unix seconds when the block was built.</summary>
    public long BlockTimeStamp { get; init; }

    /// <summary><c>stagerVersion</c>: version of the writing software.</summary>
    public string StagerVersion { get; init; }

    /// <summary><c>stagerHost</c>: host that built the aggregation.</summary>
    public string StagerHost { get; init; }

    /// <summary><c>driveName</c>.</summary>
    public string DriveName { get; init; }

    /// <summary><c>driveSerial</c>.</summary>
    public string DriveSerial { get; init; }

    /// <summary><c>driveFirmware</c>.</summary>
    public string DriveFirmware { get; init; }

    /// <summary><c>driveHost</c>.</summary>
    public string DriveHost { get; init; }

    /// <summary><c>volDensity</c>.</summary>
    public string VolDensity { get; init; }

    /// <summary><c>volId</c>: the VSN.</summary>
    public string VolId { get; init; }

    /// <summary><c>volSerial</c>.</summary>
    public string VolSerial { get; init; }

    /// <summary><c>deviceGroupName</c>.</summary>
    public string DeviceGroupName { get; init; }

    /// <summary><c>fileSize</c>: the member size in bytes.</summary>
    public long FileSize { get; init; }

    /// <summary><c>fileChecksum</c>: Adler-32 of the member's bytes.</summary>
    public uint FileChecksum { get; init; }

    /// <summary><c>fileNsHost</c>: the catalogue that issued <see cref="FileNsId"/>.</summary>
    public string FileNsHost { get; init; }

    /// <summary><c>fileNsId</c>: the member's 64-bit file id.</summary>
    public ulong FileNsId { get; init; }

    /// <summary><c>fileProgressiveChecksum</c>: Adler-32 of the member's payloads up to and including this block.</summary>
    public uint FileProgressiveChecksum { get; init; }

    /// <summary><c>fileBlockCount</c>: byte offset of this block's payload inside the member.</summary>
    public long FileBlockCount { get; init; }

    /// <summary><c>fileName</c>: the last bytes of the member name, trailing spaces removed (informational, F5.3).</summary>
    public string FileName { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that cannot be written (F5.3).</summary>
    public void Validate()
    {
        IlFields.ValidateText(VersionNumber, "versionNumber");
        IlFields.ValidateText(StagerVersion, "stagerVersion");
        IlFields.ValidateText(StagerHost, "stagerHost");
        IlFields.ValidateText(DriveName, "driveName");
        IlFields.ValidateText(DriveSerial, "driveSerial");
        IlFields.ValidateText(DriveFirmware, "driveFirmware");
        IlFields.ValidateText(DriveHost, "driveHost");
        IlFields.ValidateText(VolDensity, "volDensity");
        IlFields.ValidateText(VolId, "volId");
        IlFields.ValidateText(VolSerial, "volSerial");
        IlFields.ValidateText(DeviceGroupName, "deviceGroupName");
        IlFields.ValidateText(FileNsHost, "fileNsHost");
        if (BlockSize <= Size || BlockSize % 512 != 0 || BlockSize > 9_999_999_999)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "An IL block size must exceed 1024, be a multiple of 512 and have at most 10 digits (F5.1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(FileSize);
        ArgumentOutOfRangeException.ThrowIfNegative(FileBlockCount);
        ArgumentOutOfRangeException.ThrowIfNegative(BlockTimeStamp);
        if (FileName is not null && FileName.AsSpan().ContainsAnyInRange('\0', '\x1F'))
        {
            throw new ArgumentException("IL header field fileName must not contain control characters.", nameof(FileName));
        }
    }

    /// <summary>
    /// Writes the 1024 header bytes, computing <see cref="HeaderChecksum"/> (F5.5) rather than
    /// taking it from the record.
    /// </summary>
    /// <param name="destination">At least 1024 bytes.</param>
    /// <returns>The header checksum written.</returns>
    public uint WriteTo(Span<byte> destination)
    {
        Validate();
        var h = destination[..Size];
        IlFields.WriteText(h.Slice(VersionNumberOffset, VersionNumberLength), VersionNumber ?? Version0100);
        IlFields.WriteNumber(h.Slice(HeaderSizeOffset, HeaderSizeLength), Size, "headerSize");
        IlFields.WriteText(h.Slice(ChecksumAlgorithmOffset, ChecksumAlgorithmLength), Adler32Text);
        IlFields.WriteNumber(h.Slice(TapeMarkCountOffset, TapeMarkCountLength), TapeMarkCount, "tapeMarkCount");
        IlFields.WriteNumber(h.Slice(BlockSizeOffset, BlockSizeLength), (ulong)BlockSize, "blockSize");
        IlFields.WriteNumber(h.Slice(BlockCountOffset, BlockCountLength), BlockCount, "blockCount");
        IlFields.WriteNumber(h.Slice(BlockTimeStampOffset, BlockTimeStampLength), (ulong)BlockTimeStamp, "blockTimeStamp");
        IlFields.WriteText(h.Slice(StagerVersionOffset, StagerVersionLength), StagerVersion ?? string.Empty);
        IlFields.WriteHost(h.Slice(StagerHostOffset, StagerHostLength), StagerHost ?? string.Empty);
        IlFields.WriteText(h.Slice(DriveNameOffset, DriveNameLength), DriveName ?? string.Empty);
        IlFields.WriteText(h.Slice(DriveSerialOffset, DriveSerialLength), DriveSerial ?? string.Empty);
        IlFields.WriteText(h.Slice(DriveFirmwareOffset, DriveFirmwareLength), DriveFirmware ?? string.Empty);
        IlFields.WriteHost(h.Slice(DriveHostOffset, DriveHostLength), DriveHost ?? string.Empty);
        IlFields.WriteText(h.Slice(VolDensityOffset, VolDensityLength), VolDensity ?? string.Empty);
        IlFields.WriteText(h.Slice(VolIdOffset, VolIdLength), VolId ?? string.Empty);
        IlFields.WriteText(h.Slice(VolSerialOffset, VolSerialLength), VolSerial ?? string.Empty);
        IlFields.WriteText(h.Slice(DeviceGroupNameOffset, DeviceGroupNameLength), DeviceGroupName ?? string.Empty);
        IlFields.WriteNumber(h.Slice(FileSizeOffset, FileSizeLength), (ulong)FileSize, "fileSize");
        IlFields.WriteNumber(h.Slice(FileChecksumOffset, FileChecksumLength), FileChecksum, "fileChecksum");
        IlFields.WriteHost(h.Slice(FileNsHostOffset, FileNsHostLength), FileNsHost ?? string.Empty);
        IlFields.WriteNumber(h.Slice(FileNsIdOffset, FileNsIdLength), FileNsId, "fileNsId");
        IlFields.WriteNumber(h.Slice(FileProgressiveChecksumOffset, FileProgressiveChecksumLength), FileProgressiveChecksum, "fileProgressiveChecksum");
        IlFields.WriteNumber(h.Slice(FileBlockCountOffset, FileBlockCountLength), (ulong)FileBlockCount, "fileBlockCount");
        IlFields.WriteName(h.Slice(FileNameOffset, FileNameLength), FileName ?? string.Empty);
        return Seal(h);
    }

    /// <summary>Computes the header checksum over <paramref name="header"/> with bytes 20–29 as spaces and writes it there (F5.5).</summary>
    internal static uint Seal(Span<byte> header)
    {
        var field = header.Slice(HeaderChecksumOffset, HeaderChecksumLength);
        field.Fill((byte)' ');
        uint checksum = Adler32.Compute(header[..Size]);
        IlFields.WriteNumber(field, checksum, "headerChecksum");
        return checksum;
    }

    /// <summary>Whether <paramref name="block"/> starts like an IL block (F4.3): longer than 1024 bytes, <c>dd.dd</c>, <c>01024</c>, <c>Adler-32␠␠</c>, and a header checksum that verifies. The version is not checked here.</summary>
    /// <param name="block">The first data block.</param>
    /// <returns><see langword="true"/> for an IL block of any version.</returns>
    public static bool IsIlBlock(ReadOnlySpan<byte> block)
    {
        if (block.Length <= Size)
        {
            return false;
        }

        var v = block[..5];
        if (!(char.IsAsciiDigit((char)v[0]) && char.IsAsciiDigit((char)v[1]) && v[2] == '.' && char.IsAsciiDigit((char)v[3]) && char.IsAsciiDigit((char)v[4])))
        {
            return false;
        }

        return block.Slice(HeaderSizeOffset, HeaderSizeLength).SequenceEqual("01024"u8)
            && block.Slice(ChecksumAlgorithmOffset, ChecksumAlgorithmLength).SequenceEqual("Adler-32  "u8)
            && ChecksumVerifies(block);
    }

    /// <summary>Parses a header, applying the checks F5.9.1 (printable bytes), 2 (fixed fields, digits) and 3 (header checksum).</summary>
    /// <param name="header">At least 1024 bytes.</param>
    /// <param name="blockOffset">The byte offset of the block in the aggregation, for error offsets.</param>
    /// <returns>The header.</returns>
    /// <exception cref="TapeFormatException">A check fails; the exception names the field and its offset.</exception>
    public static IlHeader Parse(ReadOnlySpan<byte> header, long blockOffset = 0)
    {
        if (header.Length < Size)
        {
            throw new TapeFormatException($"An IL header needs {Size} bytes; the block at byte {blockOffset} has {header.Length}.", IlFields.Kind, null, blockOffset, header.Length, string.Empty);
        }

        header = header[..Size];
        int bad = header[..AsciiLength].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (bad >= 0)
        {
            var field = FieldAt(bad);
            throw new TapeFormatException(
                $"{IlFields.Kind} field {field.Name} (offset {field.Offset}, length {field.Length}) of the block at byte {blockOffset} contains byte 0x{header[bad]:X2} at offset {bad}.",
                IlFields.Kind, field.Name, blockOffset + bad, 1, TapeFormatException.Printable(header.Slice(bad, 1)));
        }

        var name = header.Slice(FileNameOffset, FileNameLength);
        int control = name.IndexOfAnyInRange((byte)0x00, (byte)0x1F);
        int del = name.IndexOf((byte)0x7F);
        int badName = control < 0 ? del : del < 0 ? control : Math.Min(control, del);
        if (badName >= 0)
        {
            throw new TapeFormatException(
                $"{IlFields.Kind} field fileName (offset {FileNameOffset}, length {FileNameLength}) of the block at byte {blockOffset} contains byte 0x{name[badName]:X2} at offset {FileNameOffset + badName}.",
                IlFields.Kind, "fileName", blockOffset + FileNameOffset + badName, 1, TapeFormatException.Printable(name.Slice(badName, 1)));
        }

        var version = header.Slice(VersionNumberOffset, VersionNumberLength);
        if (!version.SequenceEqual("01.00"u8))
        {
            IlFields.ThrowMismatch("versionNumber", VersionNumberOffset, VersionNumberLength, version, blockOffset, "\"01.00\" (unsupported IL version)");
        }

        if (!header.Slice(HeaderSizeOffset, HeaderSizeLength).SequenceEqual("01024"u8))
        {
            IlFields.ThrowMismatch("headerSize", HeaderSizeOffset, HeaderSizeLength, header.Slice(HeaderSizeOffset, HeaderSizeLength), blockOffset, "\"01024\"");
        }

        if (!header.Slice(ChecksumAlgorithmOffset, ChecksumAlgorithmLength).SequenceEqual("Adler-32  "u8))
        {
            IlFields.ThrowMismatch("checksumAlgorithm", ChecksumAlgorithmOffset, ChecksumAlgorithmLength, header.Slice(ChecksumAlgorithmOffset, ChecksumAlgorithmLength), blockOffset, "\"Adler-32  \"");
        }

        uint headerChecksum = (uint)IlFields.ParseNumber(header, HeaderChecksumOffset, HeaderChecksumLength, "headerChecksum", blockOffset);
        var result = new IlHeader
        {
            VersionNumber = Version0100,
            HeaderChecksum = headerChecksum,
            TapeMarkCount = IlFields.ParseNumber(header, TapeMarkCountOffset, TapeMarkCountLength, "tapeMarkCount", blockOffset),
            BlockSize = (long)IlFields.ParseNumber(header, BlockSizeOffset, BlockSizeLength, "blockSize", blockOffset),
            BlockCount = IlFields.ParseNumber(header, BlockCountOffset, BlockCountLength, "blockCount", blockOffset),
            BlockTimeStamp = (long)IlFields.ParseNumber(header, BlockTimeStampOffset, BlockTimeStampLength, "blockTimeStamp", blockOffset),
            StagerVersion = IlFields.ParseText(header, StagerVersionOffset, StagerVersionLength),
            StagerHost = IlFields.ParseText(header, StagerHostOffset, StagerHostLength),
            DriveName = IlFields.ParseText(header, DriveNameOffset, DriveNameLength),
            DriveSerial = IlFields.ParseText(header, DriveSerialOffset, DriveSerialLength),
            DriveFirmware = IlFields.ParseText(header, DriveFirmwareOffset, DriveFirmwareLength),
            DriveHost = IlFields.ParseText(header, DriveHostOffset, DriveHostLength),
            VolDensity = IlFields.ParseText(header, VolDensityOffset, VolDensityLength),
            VolId = IlFields.ParseText(header, VolIdOffset, VolIdLength),
            VolSerial = IlFields.ParseText(header, VolSerialOffset, VolSerialLength),
            DeviceGroupName = IlFields.ParseText(header, DeviceGroupNameOffset, DeviceGroupNameLength),
            FileSize = ParseInt63(header, FileSizeOffset, FileSizeLength, "fileSize", blockOffset),
            FileChecksum = ParseUInt32(header, FileChecksumOffset, FileChecksumLength, "fileChecksum", blockOffset),
            FileNsHost = IlFields.ParseText(header, FileNsHostOffset, FileNsHostLength),
            FileNsId = IlFields.ParseNumber(header, FileNsIdOffset, FileNsIdLength, "fileNsId", blockOffset),
            FileProgressiveChecksum = ParseUInt32(header, FileProgressiveChecksumOffset, FileProgressiveChecksumLength, "fileProgressiveChecksum", blockOffset),
            FileBlockCount = ParseInt63(header, FileBlockCountOffset, FileBlockCountLength, "fileBlockCount", blockOffset),
            FileName = Encoding.UTF8.GetString(name.TrimEnd((byte)' ')),
        };

        if (headerChecksum > uint.MaxValue || !ChecksumVerifies(header))
        {
            var field = header.Slice(HeaderChecksumOffset, HeaderChecksumLength);
            IlFields.ThrowMismatch("headerChecksum", HeaderChecksumOffset, HeaderChecksumLength, field, blockOffset,
                $"\"{ChecksumText.Adler32Decimal(ComputeChecksum(header))}\", the Adler-32 of the header");
        }

        return result;
    }

    /// <summary>Parses a header, returning <see langword="false"/> instead of throwing.</summary>
    /// <param name="header">At least 1024 bytes.</param>
    /// <param name="result">The header when valid.</param>
    /// <returns>Whether the header passed every check of <see cref="Parse"/>.</returns>
    public static bool TryParse(ReadOnlySpan<byte> header, out IlHeader result)
    {
        try
        {
            result = Parse(header);
            return true;
        }
        catch (TapeFormatException)
        {
            result = default;
            return false;
        }
    }

    private static bool ChecksumVerifies(ReadOnlySpan<byte> header)
    {
        var field = header.Slice(HeaderChecksumOffset, HeaderChecksumLength);
        ulong stored = 0;
        foreach (byte b in field)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            stored = (stored * 10) + (ulong)(b - '0');
        }

        return stored == ComputeChecksum(header);
    }

    private static uint ComputeChecksum(ReadOnlySpan<byte> header)
    {
        uint a = Adler32.Compute(header[..HeaderChecksumOffset]);
        a = Adler32.Update(a, "          "u8);
        return Adler32.Update(a, header[(HeaderChecksumOffset + HeaderChecksumLength)..Size]);
    }

    private static long ParseInt63(ReadOnlySpan<byte> header, int offset, int length, string name, long blockOffset)
    {
        ulong value = IlFields.ParseNumber(header, offset, length, name, blockOffset);
        if (value > long.MaxValue)
        {
            IlFields.ThrowField(name, offset, length, header.Slice(offset, length), blockOffset, "exceeds 2^63 - 1");
        }

        return (long)value;
    }

    private static uint ParseUInt32(ReadOnlySpan<byte> header, int offset, int length, string name, long blockOffset)
    {
        ulong value = IlFields.ParseNumber(header, offset, length, name, blockOffset);
        if (value > uint.MaxValue)
        {
            IlFields.ThrowField(name, offset, length, header.Slice(offset, length), blockOffset, "exceeds a 32-bit checksum");
        }

        return (uint)value;
    }
}

using System.Buffers.Binary;
using System.Text;
using TapeKit.Checksums;

namespace TapeKit.Devices.Virtual.Format;

/// <summary>
/// Block 0 of a cartridge's <c>header</c> file: the cartridge description (docs/devices/virtual-cartridge.md#the-cartridge-description-header-bytes-04095).
/// </summary>
/// <param name="MinorVersion">The format minor version (1.0 writes 0).</param>
/// <param name="WriteProtected">Compatible flag bit 0: the write-protect tab.</param>
/// <param name="Synthetic">Incompatible flag bit 0: payloads are not stored (docs/devices/virtual-cartridge.md#synthetic-cartridges).</param>
/// <param name="Vsn">The volume serial / barcode, <c>[A-Z0-9]{1,16}</c>.</param>
/// <param name="MediaProfile">The media profile name, e.g. <c>LTO-9</c>.</param>
/// <param name="DensityCode">Reported in <c>mt_dsreg</c>.</param>
/// <param name="FilemarkFootprint">Tape bytes one filemark consumes.</param>
/// <param name="Capacity">The physical end of medium, in bytes.</param>
/// <param name="EarlyWarningDistance">Early warning is this many bytes before <paramref name="Capacity"/>.</param>
/// <param name="SyntheticSeed">The payload generator seed of a synthetic cartridge, else 0.</param>
internal sealed record CartridgeHeader(
    ushort MinorVersion,
    bool WriteProtected,
    bool Synthetic,
    string Vsn,
    string MediaProfile,
    byte DensityCode,
    uint FilemarkFootprint,
    ulong Capacity,
    ulong EarlyWarningDistance,
    ulong SyntheticSeed)
{
    public const int HeaderFileLength = 12288;
    public const int BlockLength = 4096;
    public const ushort MajorVersion = 1;
    public const ushort CurrentMinorVersion = 0;
    public const int IndexRecordLength = 32;

    private static ReadOnlySpan<byte> Magic => "TKVTAPE\0"u8;

    /// <summary>The default early-warning distance of T10: max(capacity / 1000, 2 MiB).</summary>
    public static ulong DefaultEarlyWarningDistance(ulong capacity) => Math.Max(capacity / 1000, 2UL * 1024 * 1024);

    /// <summary>Whether <paramref name="vsn"/> is a valid barcode.</summary>
    public static bool IsValidVsn(string vsn) =>
        vsn.Length is >= 1 and <= 16 && vsn.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9'));

    /// <summary>Writes block 0 (4096 bytes) into <paramref name="block"/>.</summary>
    public void WriteTo(Span<byte> block)
    {
        block[..BlockLength].Clear();
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block[8..], MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(block[10..], MinorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], HeaderFileLength);
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], IndexRecordLength);
        BinaryPrimitives.WriteUInt32LittleEndian(block[20..], WriteProtected ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(block[24..], Synthetic ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(block[28..], 1);
        WritePadded(block.Slice(32, 16), Vsn);
        WritePadded(block.Slice(48, 16), MediaProfile);
        block[64] = DensityCode;
        BinaryPrimitives.WriteUInt32LittleEndian(block[68..], FilemarkFootprint);
        BinaryPrimitives.WriteUInt64LittleEndian(block[72..], Capacity);
        BinaryPrimitives.WriteUInt64LittleEndian(block[80..], EarlyWarningDistance);
        BinaryPrimitives.WriteUInt64LittleEndian(block[88..], SyntheticSeed);
        BinaryPrimitives.WriteUInt32LittleEndian(block[508..], Crc32C.Compute(block[..508]));
    }

    /// <summary>Parses and validates block 0; a bad field is a <see cref="TapeFormatException"/> naming it.</summary>
    public static CartridgeHeader Parse(ReadOnlySpan<byte> block)
    {
        if (block.Length < BlockLength)
        {
            throw Bad("header", 0, block.Length, "the header file is shorter than one 4096-byte block", block);
        }

        if (!block[..8].SequenceEqual(Magic))
        {
            throw Bad("magic", 0, 8, "the header does not start with the magic \"TKVTAPE\\0\"; this is not a TapeKit virtual cartridge", block[..8]);
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(block[508..]);
        if (crc != Crc32C.Compute(block[..508]))
        {
            throw Bad("headerCrc", 508, 4, "the header checksum does not match its contents", block.Slice(508, 4));
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(block[8..]);
        if (major != MajorVersion)
        {
            throw Bad("majorVersion", 8, 2, $"the cartridge has format major version {major}; this TapeKit reads version 1 only", block.Slice(8, 2));
        }

        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(block[10..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(block[12..]) != HeaderFileLength)
        {
            throw Bad("headerLength", 12, 4, "the header length is not 12288", block.Slice(12, 4));
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(block[16..]) != IndexRecordLength)
        {
            throw Bad("indexRecordLength", 16, 4, "the index record length is not 32", block.Slice(16, 4));
        }

        uint incompatible = BinaryPrimitives.ReadUInt32LittleEndian(block[24..]);
        if ((incompatible & ~1u) != 0)
        {
            throw Bad("incompatibleFlags", 24, 4, $"the cartridge uses incompatible features 0x{incompatible:X8} that this TapeKit does not know", block.Slice(24, 4));
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(block[28..]) != 1)
        {
            throw Bad("partitionCount", 28, 4, "the partition count is not 1", block.Slice(28, 4));
        }

        string vsn = ReadPadded(block.Slice(32, 16));
        if (!IsValidVsn(vsn))
        {
            throw Bad("vsn", 32, 16, "the VSN is not 1 to 16 characters A-Z, 0-9", block.Slice(32, 16));
        }

        ulong capacity = BinaryPrimitives.ReadUInt64LittleEndian(block[72..]);
        ulong ew = BinaryPrimitives.ReadUInt64LittleEndian(block[80..]);
        if (capacity == 0 || ew > capacity)
        {
            throw Bad("capacity", 72, 16, "the capacity is 0 or smaller than the early-warning distance", block.Slice(72, 16));
        }

        return new CartridgeHeader(
            minor,
            (BinaryPrimitives.ReadUInt32LittleEndian(block[20..]) & 1) != 0,
            (incompatible & 1) != 0,
            vsn,
            ReadPadded(block.Slice(48, 16)),
            block[64],
            BinaryPrimitives.ReadUInt32LittleEndian(block[68..]),
            capacity,
            ew,
            BinaryPrimitives.ReadUInt64LittleEndian(block[88..]));
    }

    private static void WritePadded(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, field.Length)), field);
    }

    private static string ReadPadded(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(field).TrimEnd(' ');

    private static TapeFormatException Bad(string field, long offset, int length, string what, ReadOnlySpan<byte> bytes) =>
        new($"Cartridge header field {field} (offset {offset}, length {length}): {what}.", "cartridge header", field, offset, length, TapeFormatException.Printable(bytes));
}

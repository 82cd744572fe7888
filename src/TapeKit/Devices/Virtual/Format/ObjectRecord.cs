using System.Buffers.Binary;
using TapeKit.Checksums;

namespace TapeKit.Devices.Virtual.Format;

/// <summary>One 32-byte index record (docs/devices/virtual-cartridge.md#object-records-index-32-bytes-each): a data block or a filemark.</summary>
/// <param name="IsFilemark">Kind 2 (filemark) rather than 1 (data block).</param>
/// <param name="Synthetic">Flag bit 0: the payload is not stored.</param>
/// <param name="Length">The block length; 0 for a filemark.</param>
/// <param name="TapeOffset"><c>off(i)</c>: tape bytes before this object.</param>
/// <param name="DataOffset">Where the payload starts in <c>data</c>.</param>
/// <param name="PayloadCrc">CRC32C of the payload; 0 for filemarks and synthetic blocks.</param>
internal readonly record struct ObjectRecord(bool IsFilemark, bool Synthetic, uint Length, long TapeOffset, long DataOffset, uint PayloadCrc)
{
    public const int Size = 32;

    public void WriteTo(Span<byte> record)
    {
        record[..Size].Clear();
        record[0] = IsFilemark ? (byte)2 : (byte)1;
        record[1] = Synthetic ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Length);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], TapeOffset);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], DataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(record[24..], PayloadCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(record[28..], Crc32C.Compute(record[..28]));
    }

    /// <summary>Parses record <paramref name="index"/>; a damaged record is a <see cref="TapeFormatException"/> naming the object.</summary>
    public static ObjectRecord Parse(ReadOnlySpan<byte> record, long index)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(record[28..]) != Crc32C.Compute(record[..28]))
        {
            throw Bad(index, "recordCrc", 28, 4, "its record checksum does not match", record);
        }

        byte kind = record[0];
        if (kind is not (1 or 2))
        {
            throw Bad(index, "kind", 0, 1, $"its kind is {kind}, neither 1 (data block) nor 2 (filemark)", record);
        }

        byte flags = record[1];
        if ((flags & ~1) != 0)
        {
            throw Bad(index, "flags", 1, 1, $"its flags 0x{flags:X2} are unknown", record);
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
        if ((kind == 2 && length != 0) || (kind == 1 && length == 0))
        {
            throw Bad(index, "length", 4, 4, $"its length {length} does not suit its kind", record);
        }

        return new ObjectRecord(
            kind == 2,
            (flags & 1) != 0,
            length,
            BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(record[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(record[24..]));
    }

    /// <summary>A <see cref="TapeFormatException"/> for an invariant of docs/devices/virtual-cartridge.md#object-records-index-32-bytes-each that object <paramref name="index"/> breaks.</summary>
    public static TapeFormatException Bad(long index, string field, int offset, int length, string what, ReadOnlySpan<byte> record) =>
        new($"Cartridge object {index} is damaged: {what} (index record field {field}, offset {index * Size + offset}).",
            "cartridge index", field, index * Size + offset, length, TapeFormatException.Printable(record.Length >= Size ? record[..Size] : record));
}

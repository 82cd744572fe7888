using System.Buffers.Binary;
using TapeKit.Checksums;

namespace TapeKit.Devices.Virtual.Format;

/// <summary>A commit slot of the cartridge header (docs/devices/virtual-cartridge.md#commit-slots-header-bytes-4096-and-8192): what is durable.</summary>
/// <param name="Sequence">≥ 1; odd sequences live in slot A (offset 4096), even ones in slot B (8192).</param>
/// <param name="ObjectCount">The committed end of data.</param>
/// <param name="DataLength">Committed bytes of the <c>data</c> file.</param>
/// <param name="TapeLength">Tape bytes used by the committed objects.</param>
/// <param name="FilemarkCount">Committed filemarks.</param>
internal readonly record struct CommitRecord(ulong Sequence, long ObjectCount, long DataLength, long TapeLength, long FilemarkCount)
{
    public const int Length = 64;

    private static ReadOnlySpan<byte> Magic => "TKCOMMIT"u8;

    /// <summary>The header offset of the slot that holds <paramref name="sequence"/>.</summary>
    public static long SlotOffset(ulong sequence) => (sequence & 1) == 1 ? 4096 : 8192;

    public void WriteTo(Span<byte> slot)
    {
        slot[..Length].Clear();
        Magic.CopyTo(slot);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], ObjectCount);
        BinaryPrimitives.WriteInt64LittleEndian(slot[24..], DataLength);
        BinaryPrimitives.WriteInt64LittleEndian(slot[32..], TapeLength);
        BinaryPrimitives.WriteInt64LittleEndian(slot[40..], FilemarkCount);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[60..], Crc32C.Compute(slot[..60]));
    }

    /// <summary>The slot's commit, or <see langword="null"/> when the slot is not valid (docs/devices/virtual-cartridge.md#commit-slots-header-bytes-4096-and-8192).</summary>
    public static CommitRecord? TryParse(ReadOnlySpan<byte> slot)
    {
        if (!slot[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(slot[60..]) != Crc32C.Compute(slot[..60]))
        {
            return null;
        }

        var record = new CommitRecord(
            BinaryPrimitives.ReadUInt64LittleEndian(slot[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[40..]));
        return record.Sequence >= 1 && record.ObjectCount >= 0 && record.DataLength >= 0 && record.TapeLength >= 0 && record.FilemarkCount >= 0
            ? record
            : null;
    }
}

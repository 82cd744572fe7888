using System.Buffers.Binary;
using TapeKit.Checksums;

namespace TapeKit.Campaign;

/// <summary>
/// Silent corruption of a virtual cartridge (spec/tape-devices.md §4): bytes of a data block's payload are changed in the
/// cartridge's <c>data</c> file and the block's index record gets the CRC of the new bytes, so the drive reads the
/// wrong bytes back without an error — as a drive whose error correction let a bad block through. Only the HSM's own
/// checksums can notice. The cartridge must not be loaded while it is changed.
/// </summary>
internal static class CartridgeCorruption
{
    private const int RecordSize = 32;

    /// <summary>The directory of cartridge <paramref name="vsn"/> of the library at <paramref name="libraryRoot"/>.</summary>
    public static string PathOf(string libraryRoot, string vsn) => Path.Combine(libraryRoot, "cartridges", vsn + ".tkvt");

    /// <summary>Changes 1 to 8 bytes of the payload of object <paramref name="objectIndex"/>; false when it is not a stored data block.</summary>
    public static bool Corrupt(string cartridge, long objectIndex, Random random)
    {
        using var index = new FileStream(Path.Combine(cartridge, "index"), FileMode.Open, FileAccess.ReadWrite);
        using var data = new FileStream(Path.Combine(cartridge, "data"), FileMode.Open, FileAccess.ReadWrite);
        if ((objectIndex + 1) * RecordSize > index.Length)
        {
            return false;
        }

        byte[] record = new byte[RecordSize];
        index.Position = objectIndex * RecordSize;
        index.ReadExactly(record);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4));
        if (record[0] != 1 || record[1] != 0 || length < 512)
        {
            return false; // a filemark, a synthetic block or a label: not the payload of a member
        }

        long dataOffset = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(16));
        byte[] payload = new byte[length];
        data.Position = dataOffset;
        data.ReadExactly(payload);
        int at = random.Next((int)length);
        for (int n = 1 + random.Next(8), i = 0; i < n && at + i < payload.Length; i++)
        {
            payload[at + i] ^= (byte)(1 + random.Next(255));
        }

        data.Position = dataOffset;
        data.Write(payload);
        data.Flush(flushToDisk: true);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(24), Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(28), Crc32C.Compute(record.AsSpan(0, 28)));
        index.Position = objectIndex * RecordSize;
        index.Write(record);
        index.Flush(flushToDisk: true);
        return true;
    }
}

using System.Buffers.Binary;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// The virtual cartridge reader (src/TapeKit/Devices/Virtual): a cartridge directory whose <c>header</c>, <c>index</c>
/// and <c>data</c> files come from the input, then <see cref="VirtualCartridge.ReadInfo"/>, <see cref="VirtualCartridge.Verify"/>,
/// <see cref="VirtualCartridge.CanonicalDump"/> and a drive that loads it and reads, spaces and locates over it.
/// Documented: <see cref="TapeFormatException"/> (a damaged cartridge), <see cref="TapeDriveException"/> (the drive:
/// a cartridge it cannot load, a media error, end of data, a block larger than the buffer).
/// </summary>
/// <remarks>
/// <para>Input: an options byte, block 0 of the header file (512 bytes: the fields and their CRC at 508), commit slot A and
/// slot B (64 bytes each), a 16-bit little-endian count n of index records, n × 32 bytes of index, and the rest is the
/// data file. Missing bytes are zeros. The options byte repairs checksums so that mutations reach past them:
/// bit 0 the header CRC, bit 1 both commit CRCs, bit 2 every index record's CRC, bit 3 payload CRCs in the index.</para>
/// </remarks>
internal static class CartridgeTarget
{
    public const int Block0 = 512;
    public const int Slot = 64;
    public const int Record = 32;
    public const int Fixed = 1 + Block0 + Slot + Slot + 2;

    private static readonly Type[] Documented = [typeof(TapeFormatException), typeof(TapeDriveException)];

    public static void Run(byte[] input)
    {
        using var scratch = new Scratch();
        Materialise(input, scratch.Path);
        string dir = scratch.Path;
        FuzzTarget.Expect(
            () =>
            {
                VirtualCartridgeInfo info = VirtualCartridge.ReadInfo(dir);
                _ = info.ToString();
            },
            Documented);
        FuzzTarget.Expect(() => _ = VirtualCartridge.CanonicalDump(dir), Documented);
        FuzzTarget.Expect(() => _ = VirtualCartridge.Verify(dir), Documented);
        FuzzTarget.Expect(() => Drive(dir), Documented);
    }

    /// <summary>Writes the cartridge files an input describes.</summary>
    public static void Materialise(byte[] input, string dir)
    {
        Directory.CreateDirectory(dir);
        byte options = input.Length > 0 ? input[0] : (byte)0;
        byte[] header = new byte[12288];
        Copy(input, 1, header.AsSpan(0, Block0));
        Copy(input, 1 + Block0, header.AsSpan(4096, Slot));
        Copy(input, 1 + Block0 + Slot, header.AsSpan(8192, Slot));
        int count = input.Length >= Fixed ? BinaryPrimitives.ReadUInt16LittleEndian(input.AsSpan(Fixed - 2)) : 0;
        int indexBytes = Math.Min(count * Record, Math.Max(0, input.Length - Fixed));
        byte[] index = input.Length > Fixed ? input.AsSpan(Fixed, indexBytes).ToArray() : [];
        byte[] data = input.Length > Fixed + indexBytes ? input.AsSpan(Fixed + indexBytes).ToArray() : [];
        if ((options & 8) != 0)
        {
            // Payload CRCs: each data record's CRC of its bytes in the data file, where they exist.
            for (int r = 0; r + Record <= index.Length; r += Record)
            {
                var rec = index.AsSpan(r, Record);
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(rec[4..]);
                long offset = BinaryPrimitives.ReadInt64LittleEndian(rec[16..]);
                if (rec[0] == 1 && offset >= 0 && offset + length <= data.Length)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(rec[24..], Crc32C.Compute(data.AsSpan((int)offset, (int)length)));
                }
            }
        }

        if ((options & 4) != 0)
        {
            for (int r = 0; r + Record <= index.Length; r += Record)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(r + 28), Crc32C.Compute(index.AsSpan(r, 28)));
            }
        }

        if ((options & 2) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4096 + 60), Crc32C.Compute(header.AsSpan(4096, 60)));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8192 + 60), Crc32C.Compute(header.AsSpan(8192, 60)));
        }

        if ((options & 1) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(508), Crc32C.Compute(header.AsSpan(0, 508)));
        }

        File.WriteAllBytes(Path.Combine(dir, "header"), header);
        File.WriteAllBytes(Path.Combine(dir, "index"), index);
        File.WriteAllBytes(Path.Combine(dir, "data"), data);
    }

    /// <summary>The input that describes a cartridge directory (the inverse of <see cref="Materialise"/>).</summary>
    public static byte[] Capture(string dir, byte options)
    {
        byte[] header = File.ReadAllBytes(Path.Combine(dir, "header"));
        byte[] index = File.ReadAllBytes(Path.Combine(dir, "index"));
        byte[] data = File.ReadAllBytes(Path.Combine(dir, "data"));
        using var image = new MemoryStream();
        image.WriteByte(options);
        image.Write(header, 0, Block0);
        image.Write(header, 4096, Slot);
        image.Write(header, 8192, Slot);
        Span<byte> count = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(count, checked((ushort)(index.Length / Record)));
        image.Write(count);
        image.Write(index);
        image.Write(data);
        return image.ToArray();
    }

    private static void Copy(byte[] input, int at, Span<byte> destination)
    {
        if (at < input.Length)
        {
            input.AsSpan(at, Math.Min(destination.Length, input.Length - at)).CopyTo(destination);
        }
    }

    private static void Drive(string dir)
    {
        using ITapeDrive drive = VirtualTapeDrive.Open(dir);
        byte[] buffer = new byte[256 * 1024];
        _ = drive.GetStatus();
        int objects = 0;
        for (int i = 0; i < 10_000; i++)
        {
            TapeReadResult r = Read(drive, buffer);
            if (r.Kind == TapeReadKind.EndOfData)
            {
                break;
            }

            objects++;
        }

        _ = drive.ReadPosition();
        FuzzTarget.Expect(drive.Rewind, Documented);
        FuzzTarget.Expect(() => drive.SpaceFilemarks(1), Documented);
        FuzzTarget.Expect(() => drive.SpaceBlocks(1), Documented);
        FuzzTarget.Expect(() => drive.SpaceBlocks(-1), Documented);
        FuzzTarget.Expect(() => Read(drive, buffer), Documented);
        FuzzTarget.Expect(() => drive.MoveToEndOfFile(), Documented);
        FuzzTarget.Expect(() => drive.MoveToStartOfFile(), Documented);
        FuzzTarget.Expect(drive.SeekEndOfData, Documented);
        FuzzTarget.Expect(() => _ = drive.ReadPosition(), Documented);
        foreach (long id in new long[] { 0, objects / 2, objects, objects + 1 })
        {
            FuzzTarget.Expect(
                () =>
                {
                    drive.Locate(id);
                    _ = Read(drive, buffer);
                },
                Documented);
        }

        FuzzTarget.Expect(() => _ = drive.GetStatus(), Documented);
    }

    private static TapeReadResult Read(ITapeDrive drive, byte[] buffer)
    {
        try
        {
            return drive.ReadBlock(buffer);
        }
        catch (TapeDriveException e) when (e.Kind is TapeErrorKind.MediaError or TapeErrorKind.BlockTooLarge)
        {
            // A bad payload CRC reads as a media error; the loop goes on past it as a reader that skips would.
            return new TapeReadResult(TapeReadKind.Data, 0);
        }
    }
}

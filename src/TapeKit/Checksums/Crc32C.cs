using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TapeKit.Checksums;

/// <summary>
/// CRC32C (Castagnoli; reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
/// 0xFFFFFFFF) on the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// Used for logical block protection (docs/formats/aul.md#6-logical-block-protection).
/// </summary>
/// <remarks>
/// One CRC32 instruction waits for the one before (three cycles' latency, one per cycle issued), so a single chain
/// runs at a third of what the processor can do. Spans of at least three lanes are taken a stretch of three lanes at a
/// time, the lanes checksummed side by side from independent registers, and the three registers joined: the register
/// after a lane is a linear function of the register before it and of the lane's bytes, so the first lane's register
/// is carried over the second lane's length of zeros (four table lookups, <see cref="LaneShift"/>) and the second
/// lane's register XORed in, and so on. Same value as the plain loop, about three times as fast on a tape block.
/// </remarks>
public static class Crc32C
{
    /// <summary>The bytes of one lane of the three-lane loop.</summary>
    internal const int Lane = 2048;

    /// <summary>Computes the CRC32C of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC (final XOR applied).</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => ~UpdateRaw(0xFFFFFFFFu, data);

    /// <summary>
    /// Continues the raw (not yet final-XOR-ed) CRC register over <paramref name="data"/>. Start
    /// with 0xFFFFFFFF and XOR the result with 0xFFFFFFFF at the end.
    /// </summary>
    /// <param name="crc">The register.</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The new register.</returns>
    public static uint UpdateRaw(uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 * Lane)
        {
            int stretches = data.Length / (3 * Lane);
            crc = UpdateThreeLanes(crc, data, stretches);
            data = data[(stretches * 3 * Lane)..];
        }

        return UpdateSerial(crc, data);
    }

    /// <summary>The plain loop: one register, eight bytes per instruction, then the odd bytes.</summary>
    internal static uint UpdateSerial(uint crc, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong word in words)
        {
            crc = BitOperations.Crc32C(crc, LittleEndian(word));
        }

        foreach (byte b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    private static uint UpdateThreeLanes(uint crc, ReadOnlySpan<byte> data, int stretches)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        LaneShift shift = LaneShift.Instance;
        for (nuint at = 0; stretches > 0; stretches--, at += 3 * Lane)
        {
            uint c0 = crc, c1 = 0, c2 = 0;
            for (nuint i = at; i < at + Lane; i += sizeof(ulong))
            {
                c0 = BitOperations.Crc32C(c0, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i))));
                c1 = BitOperations.Crc32C(c1, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + Lane))));
                c2 = BitOperations.Crc32C(c2, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + (2 * Lane)))));
            }

            crc = shift.Apply(shift.Apply(c0) ^ c1) ^ c2;
        }

        return crc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LittleEndian(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    /// <summary>
    /// The register carried over <see cref="Lane"/> zero bytes, a linear map of its 32 bits: four tables of 256, one per
    /// byte of the register, each entry the XOR of the images of its set bits. Built once from the 32 images of single
    /// bits, each by the plain loop over a lane of zeros.
    /// </summary>
    private sealed class LaneShift
    {
        public static readonly LaneShift Instance = new();

        private readonly uint[] _table = new uint[4 * 256];

        private LaneShift()
        {
            Span<uint> bit = stackalloc uint[32];
            Span<byte> zeros = stackalloc byte[Lane];
            zeros.Clear();
            for (int k = 0; k < 32; k++)
            {
                bit[k] = UpdateSerial(1u << k, zeros);
            }

            for (int b = 0; b < 4; b++)
            {
                for (int v = 0; v < 256; v++)
                {
                    uint image = 0;
                    for (int k = 0; k < 8; k++)
                    {
                        if ((v & (1 << k)) != 0)
                        {
                            image ^= bit[(8 * b) + k];
                        }
                    }

                    _table[(256 * b) + v] = image;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Apply(uint register) =>
            _table[(int)(register & 0xFF)] ^ _table[256 + (int)((register >> 8) & 0xFF)] ^
            _table[512 + (int)((register >> 16) & 0xFF)] ^ _table[768 + (int)(register >> 24)];
    }
}

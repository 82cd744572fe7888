using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace TapeKit.Checksums;

/// <summary>
/// CRC32C (Castagnoli; reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
/// 0xFFFFFFFF) on the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// Used for logical block protection (docs/formats/aul.md#6-logical-block-protection).
/// </summary>
public static class Crc32C
{
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
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong word in words)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (byte b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}

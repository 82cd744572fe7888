using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TapeKit.Checksums;

/// <summary>
/// zlib's Adler-32 (RFC 1950): s1 = 1 + Σ bytes, s2 = Σ of s1 after each byte, both modulo 65521;
/// the value is s2·65536 + s1. The checksum CASTOR, CTA and Enstore record (F8).
/// </summary>
/// <remarks>
/// Vectorised with AVX2 (32 bytes per step) or SSSE3 (16 bytes per step) where the processor has
/// them, scalar otherwise; all paths give zlib's values (tested against <c>libz.so.1</c> and
/// SharpZipLib). The seed-0 variant written by some Enstore movers is <c>Update(0, data)</c>.
/// </remarks>
public static partial class Adler32
{
    /// <summary>The value of the empty input (zlib's initial value).</summary>
    public const uint Initial = 1;

    /// <summary>The modulus, the largest prime below 2¹⁶.</summary>
    internal const uint Base = 65521;

    /// <summary>The most bytes that can be summed before s2 may overflow 32 bits (zlib's NMAX).</summary>
    internal const int NMax = 5552;

    /// <summary>Computes the Adler-32 of <paramref name="data"/>, starting from <see cref="Initial"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data);

    /// <summary>Continues an Adler-32 over more bytes, as zlib's <c>adler32(adler, buf, len)</c>.</summary>
    /// <param name="adler">The checksum of the bytes before <paramref name="data"/> (<see cref="Initial"/> for none).</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The checksum of all bytes.</returns>
    public static uint Update(uint adler, ReadOnlySpan<byte> data)
    {
        uint s1 = adler & 0xFFFF;
        uint s2 = adler >> 16;
        if (data.Length >= 64 && System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            int consumed = UpdateAvx2(ref s1, ref s2, data);
            data = data[consumed..];
        }
        else if (data.Length >= 32 && System.Runtime.Intrinsics.X86.Ssse3.IsSupported)
        {
            int consumed = UpdateSsse3(ref s1, ref s2, data);
            data = data[consumed..];
        }

        if (!data.IsEmpty)
        {
            UpdateScalar(ref s1, ref s2, data);
        }

        return (s2 << 16) | s1;
    }

    /// <summary>
    /// Continues an Adler-32 over <paramref name="count"/> zero bytes in constant time: s1 stays,
    /// s2 grows by <paramref name="count"/>·s1. Used for IL padding (F5.5).
    /// </summary>
    /// <param name="adler">The checksum so far.</param>
    /// <param name="count">How many zero bytes follow.</param>
    /// <returns>The checksum including the zero bytes.</returns>
    public static uint AppendZeros(uint adler, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        uint s1 = adler & 0xFFFF;
        uint s2 = adler >> 16;
        ulong add = (ulong)(count % Base) * s1;
        s2 = (uint)((s2 + add) % Base);
        return (s2 << 16) | s1;
    }

    /// <summary>The portable path: zlib's loop, reducing modulo 65521 once per <see cref="NMax"/> bytes.</summary>
    internal static void UpdateScalar(ref uint s1, ref uint s2, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int remaining = data.Length;
        nuint i = 0;
        while (remaining > 0)
        {
            int n = Math.Min(remaining, NMax);
            remaining -= n;
            while (n >= 8)
            {
                s1 += Unsafe.Add(ref p, i); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 1); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 2); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 3); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 4); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 5); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 6); s2 += s1;
                s1 += Unsafe.Add(ref p, i + 7); s2 += s1;
                i += 8;
                n -= 8;
            }

            while (n-- > 0)
            {
                s1 += Unsafe.Add(ref p, i++);
                s2 += s1;
            }

            s1 %= Base;
            s2 %= Base;
        }
    }
}

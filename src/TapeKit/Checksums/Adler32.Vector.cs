using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TapeKit.Checksums;

public static partial class Adler32
{
    // Within one step of W bytes b[0..W-1], starting from (s1, s2):
    //   s1' = s1 + Σ b[i]
    //   s2' = s2 + W·s1 + Σ (W − i)·b[i]
    // The byte sum comes from PSADBW against zero, the weighted sum from PMADDUBSW with the weights
    // W..1 followed by PMADDWD with ones, and W·s1 is deferred: the s1 vector before each step is
    // summed into a third accumulator that is multiplied by W (a shift) once per run. A run has at
    // most NMax bytes, so no 32-bit lane can overflow (the lanes add up to what the scalar s2
    // would hold, which zlib's NMAX keeps below 2³²).

    /// <summary>AVX2: 32 bytes per step. Returns the number of bytes consumed (a multiple of 32).</summary>
    private static int UpdateAvx2(ref uint s1, ref uint s2, ReadOnlySpan<byte> data)
    {
        const int Width = 32;
        Vector256<sbyte> weights = Vector256.Create(
            32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
            16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, (sbyte)1);
        Vector256<short> ones = Vector256<short>.One;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int steps = data.Length / Width;
        nuint offset = 0;
        while (steps > 0)
        {
            int n = Math.Min(steps, NMax / Width);
            steps -= n;
            Vector256<uint> vs1 = Vector256.CreateScalar(s1);
            Vector256<uint> vs2 = Vector256.CreateScalar(s2);
            Vector256<uint> vs1Runs = Vector256<uint>.Zero;
            do
            {
                Vector256<byte> v = Vector256.LoadUnsafe(ref p, offset);
                vs1Runs += vs1;
                vs1 += Avx2.SumAbsoluteDifferences(v, Vector256<byte>.Zero).AsUInt32();
                vs2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, weights), ones).AsUInt32();
                offset += Width;
            }
            while (--n > 0);

            vs2 += vs1Runs << 5;
            s1 = Vector256.Sum(vs1) % Base;
            s2 = Vector256.Sum(vs2) % Base;
        }

        return (int)offset;
    }

    /// <summary>SSSE3: 16 bytes per step. Returns the number of bytes consumed (a multiple of 16).</summary>
    private static int UpdateSsse3(ref uint s1, ref uint s2, ReadOnlySpan<byte> data)
    {
        const int Width = 16;
        Vector128<sbyte> weights = Vector128.Create(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, (sbyte)1);
        Vector128<short> ones = Vector128<short>.One;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int steps = data.Length / Width;
        nuint offset = 0;
        while (steps > 0)
        {
            int n = Math.Min(steps, NMax / Width);
            steps -= n;
            Vector128<uint> vs1 = Vector128.CreateScalar(s1);
            Vector128<uint> vs2 = Vector128.CreateScalar(s2);
            Vector128<uint> vs1Runs = Vector128<uint>.Zero;
            do
            {
                Vector128<byte> v = Vector128.LoadUnsafe(ref p, offset);
                vs1Runs += vs1;
                vs1 += Sse2.SumAbsoluteDifferences(v, Vector128<byte>.Zero).AsUInt32();
                vs2 += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(v, weights), ones).AsUInt32();
                offset += Width;
            }
            while (--n > 0);

            vs2 += vs1Runs << 4;
            s1 = Vector128.Sum(vs1) % Base;
            s2 = Vector128.Sum(vs2) % Base;
        }

        return (int)offset;
    }
}

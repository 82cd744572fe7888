using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SmallFilesCache;

/// <summary>
/// The demo's file contents: a fast deterministic stream per (seed, file number), so that every recalled byte can be
/// checked against a fresh copy without keeping the originals anywhere.
/// </summary>
public static class Payload
{
    /// <summary>Fills <paramref name="destination"/> with the bytes of file <paramref name="number"/> starting at <paramref name="offset"/> (a multiple of 8).</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="number">The file number.</param>
    /// <param name="offset">The byte offset in the file.</param>
    /// <param name="destination">Where the bytes go.</param>
    public static void Fill(int seed, int number, long offset, Span<byte> destination)
    {
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(destination);
        ulong counter = (ulong)(offset / 8);
        ulong key = Mix(((ulong)(uint)seed << 32) | (uint)number);
        int i = 0;
        if (Avx512DQ.IsSupported && words.Length >= Vector512<ulong>.Count)
        {
            // Eight words at a time, the same function of each counter: 6 GB of demo files cost the ingest about a second
            // of processor time one word at a time. (The 64-bit multiply needs AVX-512DQ; elsewhere the loop below.)
            Vector512<ulong> z0 = Vector512.Create(key + counter) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
            Vector512<ulong> step = Vector512.Create((ulong)Vector512<ulong>.Count);
            for (; i <= words.Length - Vector512<ulong>.Count; i += Vector512<ulong>.Count)
            {
                Mix(z0).StoreUnsafe(ref MemoryMarshal.GetReference(words), (nuint)i);
                z0 += step;
            }

            counter += (ulong)i;
        }

        for (; i < words.Length; i++)
        {
            words[i] = Mix(key + counter++);
        }

        Span<byte> tail = destination[(words.Length * 8)..];
        if (!tail.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            MemoryMarshal.Write(last, Mix(key + counter));
            last[..tail.Length].CopyTo(tail);
        }
    }

    // SplitMix64's finaliser: fast, and every output bit depends on every input bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z += Vector512.Create(0x9E3779B97F4A7C15);
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EB);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }
}

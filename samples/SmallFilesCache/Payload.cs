using System.Runtime.InteropServices;

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
        for (int i = 0; i < words.Length; i++)
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
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

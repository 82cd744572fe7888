namespace TapeKit.Devices.Virtual.Format;

/// <summary>The SplitMix64 generator of docs/devices/virtual-cartridge.md#synthetic-cartridges, used for synthetic payloads and seeded fault decisions.</summary>
internal static class SplitMix64
{
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state = unchecked(state + Gamma);
        ulong z = state;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>The first output for a given state (<c>SplitMix64(x)</c> in docs/devices/virtual-cartridge.md#faults).</summary>
    public static ulong Hash(ulong x) => Next(ref x);

    /// <summary>Fills <paramref name="destination"/> with the synthetic payload of object <paramref name="objectId"/> (docs/devices/virtual-cartridge.md#synthetic-cartridges).</summary>
    public static void FillSynthetic(ulong seed, long objectId, Span<byte> destination)
    {
        ulong state = seed ^ unchecked((ulong)objectId * Gamma);
        Span<byte> word = stackalloc byte[8];
        while (destination.Length > 0)
        {
            ulong value = Next(ref state);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(word, value);
            int n = Math.Min(8, destination.Length);
            word[..n].CopyTo(destination);
            destination = destination[n..];
        }
    }
}

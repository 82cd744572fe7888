namespace TapeKit.Aggregation.Tar;

/// <summary>
/// Finds the manifest of a TapeKit tar archive from its end, without reading the archive from the
/// start (F6.7): find the end-of-archive E after the last non-zero record, then search backwards
/// for a valid header named <c>TAPEKIT-MANIFEST.json</c> at M with M + 512 + ⌈size/512⌉·512 = E.
/// </summary>
public static class TarManifestLocator
{
    /// <summary>How far back from E the search goes: 16 MiB, room for a manifest of some 60 000 members (TapeKit's choice).</summary>
    public const long SearchWindow = 16L * 1024 * 1024;

    /// <summary>The largest manifest read: 64 MiB.</summary>
    public const int MaxManifestBytes = 64 * 1024 * 1024;

    /// <summary>Finds and parses the manifest; <see langword="null"/> when the archive has none (or its end is missing).</summary>
    /// <param name="source">The archive's blocks; its <see cref="IBlockSource.BlockCount"/> must be known.</param>
    /// <param name="headerOffset">The byte offset of the manifest's header.</param>
    /// <returns>The manifest, or <see langword="null"/>.</returns>
    /// <exception cref="TapeFormatException">A manifest header is there but its data is not a valid manifest.</exception>
    public static TarManifest? TryFind(IBlockSource source, out long headerOffset)
    {
        ArgumentNullException.ThrowIfNull(source);
        headerOffset = -1;
        if (source.BlockCount is not { } blocks || blocks == 0)
        {
            return null;
        }

        var cursor = new TarRecordCursor(source);
        long end = blocks * source.BlockSize;
        try
        {
            // E: just after the last record that is not all zeros.
            long e = end;
            while (e > 0 && end - e <= SearchWindow)
            {
                var record = cursor.Record(e - TarHeader.Size);
                if (record.IsEmpty)
                {
                    return null;
                }

                if (!TarHeader.IsZero(record))
                {
                    break;
                }

                e -= TarHeader.Size;
            }

            if (end - e > SearchWindow)
            {
                return null; // more than 16 MiB of zeros at the end: not a TapeKit archive (F6.4 pads to one block)
            }

            for (long m = e - (2 * TarHeader.Size); m >= 0 && e - m <= SearchWindow; m -= TarHeader.Size)
            {
                var record = cursor.Record(m);
                if (!record.StartsWith("TAPEKIT-MANIFEST.json\0"u8) || !TarHeader.IsTarHeader(record))
                {
                    continue;
                }

                var header = TarHeader.Parse(record, m);
                if (header.TypeFlag is not ((byte)'0' or 0) || m + TarHeader.Size + RoundUp(header.DataSize) != e || header.DataSize > MaxManifestBytes)
                {
                    continue;
                }

                byte[] data = new byte[header.DataSize];
                long at = m + TarHeader.Size;
                int filled = 0;
                while (filled < data.Length)
                {
                    var span = cursor.Available(at + filled);
                    int take = Math.Min(span.Length, data.Length - filled);
                    span[..take].CopyTo(data.AsSpan(filled));
                    filled += take;
                }

                headerOffset = m;
                return TarManifest.Parse(data, m + TarHeader.Size);
            }
        }
        catch (TapeFormatException) when (headerOffset < 0)
        {
            // A short block or an unreadable header near the end: no usable manifest.
            return null;
        }

        return null;
    }

    internal static long RoundUp(long size) => (size + TarHeader.Size - 1) / TarHeader.Size * TarHeader.Size;
}

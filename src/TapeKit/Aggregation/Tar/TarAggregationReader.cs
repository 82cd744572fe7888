using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using TapeKit.Checksums;

namespace TapeKit.Aggregation.Tar;

/// <summary>
/// Reads a tar archive out of fixed tape blocks (F6.3, F6.8): GNU, ustar and pax headers, GNU
/// <c>L</c>/<c>K</c> records, base-256 numbers; with a TapeKit manifest, every regular file is
/// matched against it (name, size, header and data offsets) and its Adler-32, XXH3-64 and XXH64
/// are verified. Without one, entries are listed by scanning and a warning says so.
/// </summary>
/// <remarks>
/// Choices TapeKit made where F6 is silent: the archive must end with both zero records — end of
/// data after only the first is a truncation error, a non-zero record after the first is a
/// warning ("lone zero record", as GNU tar); links, devices and FIFOs carry no data whatever their
/// size field says; GNU <c>L</c>/<c>K</c> and pax data are limited to 1 MiB and the manifest to
/// 64 MiB; precedence of names is pax <c>path</c>, GNU <c>L</c>, global pax <c>path</c>, header
/// (joined to the POSIX prefix).
/// </remarks>
public sealed class TarAggregationReader : AggregationReader
{
    /// <summary>The largest GNU long-name or pax header data accepted: 1 MiB.</summary>
    public const int MaxExtendedHeaderBytes = 1024 * 1024;

    private readonly TarRecordCursor _cursor;
    // XXH64 costs as much as the other two checksums together; it is computed for the members whose manifest entry has it.
    private readonly MemberHasher _hasher = new();
    private readonly MemberHasher _hasherWithXxHash64 = new(withXxHash64: true);
    private readonly Dictionary<string, string> _global = new(StringComparer.Ordinal);
    private readonly List<AggregationMember> _seen = [];
    private readonly AggregationMember? _expected;
    private readonly long _tailManifestOffset;
    private TarManifest? _manifest;
    private long _position;
    private int _fileIndex;
    private bool _manifestConsumed;
    private bool _ended;

    /// <summary>Creates a reader of the archive in <paramref name="source"/>.</summary>
    /// <param name="source">The blocks; S = its block size.</param>
    /// <param name="manifest">The manifest if already known (e.g. from <see cref="TarManifestLocator"/>); otherwise it is searched for when the source's length is known.</param>
    /// <param name="ownsSource">Whether disposing the reader disposes the source.</param>
    public TarAggregationReader(IBlockSource source, TarManifest? manifest = null, bool ownsSource = false)
        : base(source, ownsSource)
    {
        _cursor = new TarRecordCursor(source);
        _tailManifestOffset = -1;
        _manifest = manifest ?? TarManifestLocator.TryFind(source, out _tailManifestOffset);
        if (_manifest is not null && _manifest.BlockSize != source.BlockSize)
        {
            throw new TapeFormatException(
                $"The TapeKit manifest gives block size {_manifest.BlockSize}; the archive is read with {source.BlockSize}.",
                "manifest", "blockSize", 0, 0, _manifest.BlockSize.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A reader of the one member whose first header is at <paramref name="startOffset"/> (F6.6).</summary>
    internal TarAggregationReader(IBlockSource source, TarManifest? manifest, bool ownsSource, long startOffset, AggregationMember expected)
        : base(source, ownsSource)
    {
        if (startOffset % TarHeader.Size != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startOffset), startOffset, "A tar header offset is a multiple of 512.");
        }

        _cursor = new TarRecordCursor(source);
        _manifest = manifest;
        _tailManifestOffset = -1;
        _position = startOffset;
        _expected = expected;
    }

    /// <inheritdoc/>
    public override AggregationFormat Format => AggregationFormat.Tar;

    /// <summary>The TapeKit manifest, once known (from the archive's end, or when the scan reaches it).</summary>
    public TarManifest? Manifest => _manifest;

    /// <inheritdoc/>
    public override AggregationEntry? ReadNext()
    {
        if (DataPending)
        {
            CopyDataTo(null);
        }

        Current = null;
        if (_ended)
        {
            return null;
        }

        while (true)
        {
            var entry = ReadEntryHeader();
            if (entry is null)
            {
                FinishArchive();
                return null;
            }

            if (_expected is not null)
            {
                _ended = true;
                entry = entry with { ExpectedAdler32 = _expected.Digest.Adler32, ExpectedXxHash3 = _expected.Digest.XxHash3, ExpectedXxHash64 = _expected.Digest.XxHash64, FileId = _expected.FileId };
            }
            else if (entry.Type == AggregationEntryType.File && entry.Name == MemberName.Manifest)
            {
                ConsumeManifest(entry);
                continue;
            }
            else if (entry.Type == AggregationEntryType.File)
            {
                entry = MatchManifest(entry);
            }

            Current = entry;
            DataPending = true;
            return entry;
        }
    }

    /// <inheritdoc/>
    public override void SkipData()
    {
        var entry = TakePending();
        long end = _position + entry.Size;
        while (_position < end)
        {
            // Block by block, as a sequential read passes them (a skip never turns into a locate on a drive).
            var span = _cursor.Available(_position);
            if (span.IsEmpty)
            {
                ThrowTruncated($"tar member \"{MemberName.Printable(entry.Name)}\" (header at byte {entry.HeaderOffset}, {entry.Size} bytes) is truncated: the archive ends at byte {_position}", _position);
            }

            _position += Math.Min(span.Length, end - _position);
        }

        _position = TarManifestLocator.RoundUp(_position);
    }

    /// <inheritdoc/>
    public override MemberDigest CopyDataTo(Stream? destination)
    {
        var entry = TakePending();
        MemberHasher hasher = entry.ExpectedXxHash64 is null ? _hasher : _hasherWithXxHash64;
        hasher.Reset();
        long remaining = entry.Size;
        while (remaining > 0)
        {
            var span = _cursor.Available(_position);
            if (span.IsEmpty)
            {
                ThrowTruncated($"tar member \"{MemberName.Printable(entry.Name)}\" (header at byte {entry.HeaderOffset}, {entry.Size} bytes) is truncated: the archive ends at byte {_position}", _position);
            }

            int take = (int)Math.Min(span.Length, remaining);
            var data = span[..take];
            hasher.Append(data);
            destination?.Write(data);
            _position += take;
            remaining -= take;
        }

        _position = TarManifestLocator.RoundUp(_position);
        var digest = hasher.GetDigest();
        Verify(entry, "adler32", entry.ExpectedAdler32, digest.Adler32, ChecksumText.Adler32Hex(digest.Adler32), v => ChecksumText.Adler32Hex((uint)v));
        Verify(entry, "xxh3", entry.ExpectedXxHash3, digest.XxHash3, ChecksumText.Hash64Hex(digest.XxHash3), ChecksumText.Hash64Hex);
        if (digest.XxHash64 is { } x64)
        {
            Verify(entry, "xxh64", entry.ExpectedXxHash64, x64, ChecksumText.Hash64Hex(x64), ChecksumText.Hash64Hex);
        }

        return digest;
    }

    private static void Verify(AggregationEntry entry, string key, ulong? expected, ulong actual, string actualText, Func<ulong, string> format)
    {
        if (expected is { } e && e != actual)
        {
            throw new TapeFormatException(
                $"tar member \"{MemberName.Printable(entry.Name)}\" (data at byte {entry.DataOffset}, {entry.Size} bytes) is damaged: its {key} is {actualText}; the manifest records {format(e)}.",
                "tar member", key, entry.DataOffset, 0, actualText);
        }
    }

    private AggregationEntry? ReadEntryHeader()
    {
        long headerStart = _position;
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null;
        while (true)
        {
            long recordOffset = _position;
            var record = _cursor.Record(recordOffset);
            if (record.IsEmpty)
            {
                ThrowTruncated(longName is null && pax is null && longLink is null
                    ? $"the tar archive ends at byte {recordOffset} without its end-of-archive blocks: it is truncated"
                    : $"the tar archive ends at byte {recordOffset} inside the extended headers that start at byte {headerStart}: it is truncated", recordOffset);
            }

            if (TarHeader.IsZero(record))
            {
                if (longName is not null || longLink is not null || pax is not null)
                {
                    throw new TapeFormatException($"The extended header at byte {headerStart} is followed by an end-of-archive block instead of its entry.", "tar header", null, recordOffset, TarHeader.Size, string.Empty);
                }

                // F6.4: two zero records end the archive. A missing second one means the archive was cut.
                var second = _cursor.Record(recordOffset + TarHeader.Size);
                if (second.IsEmpty)
                {
                    ThrowTruncated($"the tar archive ends at byte {recordOffset + TarHeader.Size}, after only one of its two end-of-archive records: it is truncated", recordOffset + TarHeader.Size);
                }

                if (!TarHeader.IsZero(second))
                {
                    AddWarning($"A lone zero record at byte {recordOffset} ends the tar archive.");
                }

                _position += 2 * TarHeader.Size;
                return null;
            }

            if (_manifestConsumed && _expected is null)
            {
                throw new TapeFormatException($"The tar archive has an entry at byte {recordOffset} after its TapeKit manifest, which must be the last member (F6.8.4).", "manifest", null, recordOffset, TarHeader.Size, string.Empty);
            }

            var header = TarHeader.Parse(record, recordOffset);
            if (header.SignedChecksum)
            {
                AddWarning($"The tar header at byte {recordOffset} has a checksum computed with signed bytes.");
            }

            _position += TarHeader.Size;
            byte type = header.TypeFlag;
            switch (type)
            {
                case (byte)'L':
                    longName = DecodeCString(ReadExtended(header, recordOffset, "GNU long name"));
                    continue;
                case (byte)'K':
                    longLink = DecodeCString(ReadExtended(header, recordOffset, "GNU long link name"));
                    continue;
                case (byte)'x':
                    pax ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    PaxRecords.Parse(ReadExtended(header, recordOffset, "pax header"), pax, recordOffset + TarHeader.Size);
                    continue;
                case (byte)'g':
                    PaxRecords.Parse(ReadExtended(header, recordOffset, "pax global header"), _global, recordOffset + TarHeader.Size);
                    continue;
            }

            var entryType = type switch
            {
                (byte)'0' or 0 or (byte)'7' => AggregationEntryType.File,
                (byte)'1' => AggregationEntryType.HardLink,
                (byte)'2' => AggregationEntryType.SymbolicLink,
                (byte)'3' => AggregationEntryType.CharacterDevice,
                (byte)'4' => AggregationEntryType.BlockDevice,
                (byte)'5' => AggregationEntryType.Directory,
                (byte)'6' => AggregationEntryType.Fifo,
                _ => ThrowType(record, recordOffset),
            };

            string name = Lookup(pax, "path") ?? longName ?? Lookup(_global, "path") ?? header.Name;
            string link = Lookup(pax, "linkpath") ?? longLink ?? Lookup(_global, "linkpath") ?? header.LinkName;
            long size = header.DataSize;
            if ((Lookup(pax, "size") ?? Lookup(_global, "size")) is { } paxSize)
            {
                if (!long.TryParse(paxSize, NumberStyles.None, CultureInfo.InvariantCulture, out size))
                {
                    throw new TapeFormatException($"The pax size \"{paxSize}\" for the entry at byte {recordOffset} is not a decimal number.", "pax header", "size", recordOffset, 0, paxSize);
                }
            }

            // Links, devices and FIFOs carry no data whatever their size field says.
            long dataLength = entryType is AggregationEntryType.File or AggregationEntryType.Directory ? size : 0;
            return new AggregationEntry(name, entryType, dataLength, headerStart, _position, _cursor.BlockSize)
            {
                LinkName = entryType is AggregationEntryType.HardLink or AggregationEntryType.SymbolicLink ? link : null,
                Mode = header.Mode,
                ModificationTime = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(header.ModificationTime, 0, 253402300799)),
            };
        }
    }

    private byte[] ReadExtended(TarHeader header, long recordOffset, string what)
    {
        if (header.DataSize > MaxExtendedHeaderBytes)
        {
            TarNumbers.Throw("size", TarHeaderLayout.SizeOffset, TarHeaderLayout.SizeLength, default, recordOffset,
                $"gives {header.DataSize} bytes for a {what}; at most {MaxExtendedHeaderBytes} are accepted");
        }

        byte[] data = new byte[header.DataSize];
        ReadExact(data, recordOffset, what);
        return data;
    }

    private void ReadExact(Span<byte> data, long headerOffset, string what)
    {
        int filled = 0;
        while (filled < data.Length)
        {
            var span = _cursor.Available(_position);
            if (span.IsEmpty)
            {
                ThrowTruncated($"the {what} at byte {headerOffset} is truncated: the archive ends at byte {_position}", _position);
            }

            int take = Math.Min(span.Length, data.Length - filled);
            span[..take].CopyTo(data[filled..]);
            filled += take;
            _position += take;
        }

        _position = TarManifestLocator.RoundUp(_position);
    }

    private AggregationEntry MatchManifest(AggregationEntry entry)
    {
        int index = _fileIndex++;
        if (_manifest is null)
        {
            _seen.Add(entry.ToMember(default));
            return entry;
        }

        if (index >= _manifest.Members.Count)
        {
            throw new TapeFormatException(
                $"tar member \"{MemberName.Printable(entry.Name)}\" at byte {entry.HeaderOffset} is not in the TapeKit manifest, which lists {_manifest.Members.Count} members (F6.8.4).",
                "manifest", "members", entry.HeaderOffset, 0, string.Empty);
        }

        var m = _manifest.Members[index];
        CheckAgainst(m, entry.ToMember(default), index);
        return entry with { ExpectedAdler32 = m.Digest.Adler32, ExpectedXxHash3 = m.Digest.XxHash3, ExpectedXxHash64 = m.Digest.XxHash64, FileId = m.FileId };
    }

    private static void CheckAgainst(AggregationMember listed, AggregationMember found, int index)
    {
        if (listed.Name != found.Name || listed.Size != found.Size || listed.HeaderOffset != found.HeaderOffset || listed.PayloadOffset != found.PayloadOffset)
        {
            throw new TapeFormatException(
                $"The TapeKit manifest lists member {index + 1} as \"{MemberName.Printable(listed.Name)}\" ({listed.Size} bytes, header at {listed.HeaderOffset}, data at {listed.PayloadOffset}); the archive has \"{MemberName.Printable(found.Name)}\" ({found.Size} bytes, header at {found.HeaderOffset}, data at {found.PayloadOffset}) (F6.8.4).",
                "manifest", "members", found.HeaderOffset, 0, TapeFormatException.Printable(Encoding.UTF8.GetBytes(found.Name)));
        }
    }

    private void ConsumeManifest(AggregationEntry entry)
    {
        if (entry.Size > TarManifestLocator.MaxManifestBytes)
        {
            throw new TapeFormatException($"The TapeKit manifest at byte {entry.HeaderOffset} has {entry.Size} bytes; at most {TarManifestLocator.MaxManifestBytes} are accepted.", "manifest", "size", entry.HeaderOffset, 0, string.Empty);
        }

        byte[] data = new byte[entry.Size];
        ReadExact(data, entry.HeaderOffset, "TapeKit manifest");
        var found = TarManifest.Parse(data, entry.DataOffset);
        if (_manifest is null)
        {
            if (found.Members.Count != _seen.Count)
            {
                ThrowCount(found.Members.Count, _seen.Count, entry.HeaderOffset);
            }

            for (int i = 0; i < _seen.Count; i++)
            {
                CheckAgainst(found.Members[i], _seen[i], i);
            }

            _manifest = found;
            AddWarning("The TapeKit manifest was found only at the end of the scan: member data was not verified against it while reading.");
        }
        else if (_manifest.Members.Count != _fileIndex)
        {
            ThrowCount(_manifest.Members.Count, _fileIndex, entry.HeaderOffset);
        }
        else if (_tailManifestOffset >= 0 && _tailManifestOffset != entry.HeaderOffset)
        {
            throw new TapeFormatException($"The archive has a manifest at byte {entry.HeaderOffset} and another at byte {_tailManifestOffset}.", "manifest", null, entry.HeaderOffset, 0, string.Empty);
        }

        _manifestConsumed = true;
    }

    private void FinishArchive()
    {
        _ended = true;

        // F6.8.3: only zeros after the end-of-archive record, to the end of the last block.
        for (long at = _position; ; at += TarHeader.Size)
        {
            var record = _cursor.Record(at);
            if (record.IsEmpty)
            {
                break;
            }

            if (!TarHeader.IsZero(record))
            {
                AddWarning($"Non-zero bytes follow the end of the tar archive at byte {at}.");
                break;
            }
        }

        if (_expected is not null)
        {
            return;
        }

        if (_manifest is not null && !_manifestConsumed)
        {
            throw new TapeFormatException("The tar archive ends without the TapeKit manifest its end promised.", "manifest", null, _position, 0, string.Empty);
        }

        if (_manifest is null)
        {
            AddWarning("No TapeKit manifest: members were listed by scanning, and their data has no checksum to verify.");
        }
    }

    private static string? Lookup(Dictionary<string, string>? records, string key) =>
        records is not null && records.TryGetValue(key, out var value) ? value : null;

    private static string DecodeCString(byte[] data)
    {
        int end = Array.IndexOf(data, (byte)0);
        return Encoding.UTF8.GetString(data, 0, end < 0 ? data.Length : end);
    }

    [DoesNotReturn]
    private static AggregationEntryType ThrowType(ReadOnlySpan<byte> record, long recordOffset) =>
        throw new TapeFormatException(
            $"tar header field typeflag (offset 156, length 1) of the header at byte {recordOffset} is \"{TapeFormatException.Printable(record.Slice(156, 1))}\", an entry type TapeKit does not read (F6.3).",
            "tar header", "typeflag", recordOffset + 156, 1, TapeFormatException.Printable(record.Slice(156, 1)));

    [DoesNotReturn]
    private static void ThrowCount(int listed, int found, long offset) =>
        throw new TapeFormatException($"The TapeKit manifest lists {listed} members; the archive has {found} (F6.8.4).", "manifest", "members", offset, 0, string.Empty);

    [DoesNotReturn]
    private static void ThrowTruncated(string what, long offset) =>
        throw new TapeFormatException(char.ToUpperInvariant(what[0]) + what[1..] + ".", "tar archive", null, offset, 0, string.Empty);
}

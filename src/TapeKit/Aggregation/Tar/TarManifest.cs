using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TapeKit.Checksums;

namespace TapeKit.Aggregation.Tar;

/// <summary>
/// The <c>TAPEKIT-MANIFEST.json</c> member (F6.5): the aggregation id, the block size and, per
/// member, its name, file id, size, header and data offsets and checksums.
/// </summary>
/// <param name="AggregationId">The aggregation id (0 outside a tape); written in uppercase hex.</param>
/// <param name="BlockSize">The tape block size S.</param>
/// <param name="Members">The members other than the manifest, in archive order.</param>
public sealed record TarManifest(ulong AggregationId, int BlockSize, IReadOnlyList<AggregationMember> Members)
{
    /// <summary>The <c>format</c> value.</summary>
    public const string FormatName = "tapekit-tar-manifest";

    /// <summary>The bytes a writer produces (F6.5): keys in order, no whitespace, only <c>"</c> and <c>\</c> escaped, raw UTF-8, one line feed.</summary>
    /// <returns>The UTF-8 JSON.</returns>
    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Members.Count * 192));
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the bytes of <see cref="ToUtf8"/> into <paramref name="buffer"/> without intermediate strings.</summary>
    /// <param name="buffer">The destination.</param>
    public void WriteTo(IBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        WriteStart(buffer, AggregationId, BlockSize);
        for (int i = 0; i < Members.Count; i++)
        {
            WriteMember(buffer, Members[i], first: i == 0);
        }

        WriteEnd(buffer);
    }

    /// <summary>The bytes before the first member: the keys up to the opening bracket of <c>members</c>.</summary>
    internal static void WriteStart(IBufferWriter<byte> buffer, ulong aggregationId, int blockSize)
    {
        Append(buffer, "{\"format\":\"tapekit-tar-manifest\",\"version\":1,\"aggregationId\":\""u8);
        Format(buffer, aggregationId, "X");
        Append(buffer, "\",\"blockSize\":"u8);
        Format(buffer, (ulong)blockSize, null);
        Append(buffer, ",\"members\":["u8);
    }

    /// <summary>
    /// One member's object (with the comma before it unless <paramref name="first"/>). The tar writer appends it as it
    /// adds the member, while the member's name is still in the processor's cache, not in one pass at the end.
    /// </summary>
    internal static void WriteMember(IBufferWriter<byte> buffer, AggregationMember m, bool first)
    {
        byte[] name = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(m.Name.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(m.Name, name);
            WriteMember(buffer, m, name.AsSpan(0, length), first);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(name);
        }
    }

    /// <summary>
    /// As <see cref="WriteMember(IBufferWriter{byte}, AggregationMember, bool)"/>, given the name's UTF-8 bytes (the tar
    /// writer has them from the member's header). The object is formatted into one span of the buffer: a member's
    /// entry is about 200 bytes, and one reservation per member instead of one per field takes about a third off its cost.
    /// </summary>
    internal static void WriteMember(IBufferWriter<byte> buffer, AggregationMember m, ReadOnlySpan<byte> nameUtf8, bool first)
    {
        Span<byte> span = buffer.GetSpan((2 * nameUtf8.Length) + MaxMemberBytesBesidesName);
        int p = 0;
        Put(span, ref p, first ? "{\"name\":\""u8 : ",{\"name\":\""u8);
        PutEscaped(span, ref p, nameUtf8);
        Put(span, ref p, "\",\"fileId\":\""u8);
        PutDecimal(span, ref p, m.FileId);
        Put(span, ref p, "\",\"size\":"u8);
        PutDecimal(span, ref p, (ulong)m.Size);
        Put(span, ref p, ",\"headerOffset\":"u8);
        PutDecimal(span, ref p, (ulong)m.HeaderOffset);
        Put(span, ref p, ",\"dataOffset\":"u8);
        PutDecimal(span, ref p, (ulong)m.PayloadOffset);
        Put(span, ref p, ",\"adler32\":\""u8);
        PutHex(span, ref p, m.Digest.Adler32, 8);
        Put(span, ref p, "\",\"xxh3\":\""u8);
        PutHex(span, ref p, m.Digest.XxHash3, 16);
        if (m.Digest.XxHash64 is { } x64)
        {
            Put(span, ref p, "\",\"xxh64\":\""u8);
            PutHex(span, ref p, x64, 16);
        }

        Put(span, ref p, "\"}"u8);
        buffer.Advance(p);
    }

    /// <summary>The most bytes of a member's object other than its name: the keys, four 20-digit numbers and the hex.</summary>
    private const int MaxMemberBytesBesidesName = 256;

    /// <summary>The bytes after the last member.</summary>
    internal static void WriteEnd(IBufferWriter<byte> buffer) => Append(buffer, "]}\n"u8);

    /// <summary>
    /// Parses a manifest: any valid JSON with the keys of F6.5 (unknown keys ignored);
    /// <c>version</c> must be 1. Member locators are computed from <c>blockSize</c>.
    /// </summary>
    /// <param name="utf8">The manifest member's data.</param>
    /// <param name="dataOffset">The byte offset of the manifest data in the archive, for errors.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="TapeFormatException">Not JSON, or a key is missing or has the wrong type or value.</exception>
    public static TarManifest Parse(ReadOnlySpan<byte> utf8, long dataOffset)
    {
        // The JSON reader checks structure, not the bytes inside strings: invalid UTF-8 there would surface as an
        // InvalidOperationException from GetString (found by fuzzing). Refuse it here, naming the byte.
        int bad = FirstInvalidUtf8(utf8);
        if (bad >= 0)
        {
            throw new TapeFormatException(
                $"The TapeKit manifest at byte {dataOffset} is not valid UTF-8: byte {dataOffset + bad} starts no UTF-8 sequence.",
                "manifest", null, dataOffset + bad, 1, TapeFormatException.Printable(utf8.Slice(bad, Math.Min(4, utf8.Length - bad))));
        }

        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Throw("(root)", dataOffset, "is not a JSON object");
            }

            if (String(root, "format", dataOffset) != FormatName)
            {
                Throw("format", dataOffset, $"is not \"{FormatName}\"");
            }

            if (!Property(root, "version", dataOffset).TryGetInt32(out int version) || version != 1)
            {
                Throw("version", dataOffset, "is not 1, the only manifest version TapeKit reads");
            }

            if (!ulong.TryParse(String(root, "aggregationId", dataOffset), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong aggregationId))
            {
                Throw("aggregationId", dataOffset, "is not a hexadecimal number");
            }

            if (!Property(root, "blockSize", dataOffset).TryGetInt32(out int blockSize) || blockSize <= 0 || blockSize % 512 != 0)
            {
                Throw("blockSize", dataOffset, "is not a positive multiple of 512");
            }

            var membersElement = Property(root, "members", dataOffset);
            if (membersElement.ValueKind != JsonValueKind.Array)
            {
                Throw("members", dataOffset, "is not an array");
            }

            var members = new List<AggregationMember>(membersElement.GetArrayLength());
            foreach (var m in membersElement.EnumerateArray())
            {
                string name = String(m, "name", dataOffset);
                if (!ulong.TryParse(String(m, "fileId", dataOffset), NumberStyles.None, CultureInfo.InvariantCulture, out ulong fileId))
                {
                    Throw("fileId", dataOffset, $"of member \"{name}\" is not a decimal 64-bit number");
                }

                long size = NonNegative(m, "size", name, dataOffset);
                long headerOffset = NonNegative(m, "headerOffset", name, dataOffset);
                long payloadOffset = NonNegative(m, "dataOffset", name, dataOffset);
                if (!ChecksumText.TryParseAdler32Hex(String(m, "adler32", dataOffset), out uint adler))
                {
                    Throw("adler32", dataOffset, $"of member \"{name}\" is not 8 hex digits");
                }

                if (!ChecksumText.TryParseHash64Hex(String(m, "xxh3", dataOffset), out ulong xxh3))
                {
                    Throw("xxh3", dataOffset, $"of member \"{name}\" is not 16 hex digits");
                }

                ulong? xxh64 = null;
                if (m.TryGetProperty("xxh64", out var x64Element))
                {
                    ulong x64 = 0;
                    if (x64Element.ValueKind != JsonValueKind.String || !ChecksumText.TryParseHash64Hex(Text(x64Element, "xxh64", dataOffset), out x64))
                    {
                        Throw("xxh64", dataOffset, $"of member \"{name}\" is not 16 hex digits");
                    }

                    xxh64 = x64;
                }

                members.Add(new AggregationMember(name, fileId, size, headerOffset, payloadOffset, headerOffset / blockSize, (int)(headerOffset % blockSize), new MemberDigest(adler, xxh3, xxh64)));
            }

            return new TarManifest(aggregationId, blockSize, members);
        }
        catch (JsonException exception)
        {
            throw new TapeFormatException(
                $"The TapeKit manifest at byte {dataOffset} is not valid JSON ({exception.Message}).",
                "manifest", null, dataOffset + (exception.BytePositionInLine ?? 0), 0, string.Empty, exception);
        }
    }

    private static JsonElement Property(JsonElement element, string key, long dataOffset)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out var value))
        {
            return value;
        }

        Throw(key, dataOffset, "is missing");
        return default;
    }

    private static string String(JsonElement element, string key, long dataOffset)
    {
        var value = Property(element, key, dataOffset);
        if (value.ValueKind != JsonValueKind.String)
        {
            Throw(key, dataOffset, "is not a string");
        }

        return Text(value, key, dataOffset);
    }

    /// <summary>A string value; an escape that is no text (a lone surrogate, <c>\ud800</c>) is a format error, not an <see cref="InvalidOperationException"/>.</summary>
    private static string Text(JsonElement value, string key, long dataOffset)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            Throw(key, dataOffset, "is not valid text (an escape that is no Unicode character)");
            return null;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int at = 0;
        while (at < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[at..], out _, out int consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return -1;
    }

    private static long NonNegative(JsonElement element, string key, string name, long dataOffset)
    {
        if (!Property(element, key, dataOffset).TryGetInt64(out long value) || value < 0)
        {
            Throw(key, dataOffset, $"of member \"{name}\" is not a non-negative integer");
        }

        return value;
    }

    [DoesNotReturn]
    private static void Throw(string key, long dataOffset, string problem) =>
        throw new TapeFormatException($"The TapeKit manifest at byte {dataOffset}: key \"{key}\" {problem}.", "manifest", key, dataOffset, 0, string.Empty);

    private static void Append(IBufferWriter<byte> buffer, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(buffer.GetSpan(utf8.Length));
        buffer.Advance(utf8.Length);
    }

    private static void Format(IBufferWriter<byte> buffer, ulong value, string? format)
    {
        var span = buffer.GetSpan(20);
        if (format is null)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(value, span, out int n);
            buffer.Advance(n);
            return;
        }

        value.TryFormat(span, out int written, format, CultureInfo.InvariantCulture);
        buffer.Advance(written);
    }

    private static void Put(Span<byte> span, ref int p, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(span[p..]);
        p += utf8.Length;
    }

    private static void PutDecimal(Span<byte> span, ref int p, ulong value)
    {
        System.Buffers.Text.Utf8Formatter.TryFormat(value, span[p..], out int written);
        p += written;
    }

    /// <summary>Lowercase hex, zero-padded to <paramref name="digits"/> (F8 text forms).</summary>
    private static void PutHex(Span<byte> span, ref int p, ulong value, int digits)
    {
        var field = span.Slice(p, digits);
        for (int i = digits - 1; i >= 0; i--)
        {
            field[i] = "0123456789abcdef"u8[(int)(value & 0xF)];
            value >>= 4;
        }

        p += digits;
    }

    /// <summary>The name with <c>"</c> and <c>\</c> escaped (F6.5); neither byte occurs inside a multi-byte UTF-8 character.</summary>
    private static void PutEscaped(Span<byte> span, ref int p, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny((byte)'"', (byte)'\\') < 0)
        {
            Put(span, ref p, utf8);
            return;
        }

        foreach (byte b in utf8)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                span[p++] = (byte)'\\';
            }

            span[p++] = b;
        }
    }
}

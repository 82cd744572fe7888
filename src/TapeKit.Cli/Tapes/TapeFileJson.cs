using System.Text.Json;
using TapeKit.Checksums;
using TapeKit.Cli.Labels;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Tapes;

/// <summary>Tape files as JSON (<c>tapekit tape dump --json</c>, <c>tape write --json</c>, <c>catalog rebuild</c>).</summary>
public static class TapeFileJson
{
    /// <summary>Writes one tape file: position, ids, sizes, payload, labels and members.</summary>
    /// <param name="json">The writer.</param>
    /// <param name="vsn">The tape's VSN (empty for NL).</param>
    /// <param name="file">The file.</param>
    /// <param name="withLabels">Whether to include the six labels.</param>
    public static void Write(Utf8JsonWriter json, string vsn, TapeFileInfo file, bool withLabels)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(file);
        json.WriteStartObject();
        json.WriteString("vsn", vsn);
        json.WriteNumber("fseq", file.FileSequence);
        json.WriteNumber("blockId", file.CtaBlockId);
        json.WriteNumber("headerObjectId", file.HeaderObjectId);
        json.WriteNumber("firstDataObjectId", file.FirstDataObjectId);
        json.WriteString("fileId", file.FileId.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("blockSize", file.BlockSize);
        json.WriteNumber("blocks", file.DataBlocks);
        json.WriteNumber("bytes", file.DataBytes);
        json.WriteString("payload", PayloadName(file.Payload));
        if (withLabels && file.Headers is FileLabelGroup headers)
        {
            json.WriteStartArray("labels");
            WriteGroup(json, headers, file.HeaderObjectId);
            if (file.Trailers is FileLabelGroup trailers)
            {
                WriteGroup(json, trailers, file.HeaderObjectId + 5 + file.DataBlocks);
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("members");
        foreach (var member in file.Members)
        {
            json.WriteStartObject();
            json.WriteString("name", member.Name);
            json.WriteNumber("size", member.Size);
            json.WriteNumber("offset", member.PayloadOffset);
            json.WriteNumber("objectId", file.MemberObjectId(member));
            json.WriteNumber("offsetInBlock", member.OffsetInBlock);
            json.WriteString("adler32", ChecksumText.Adler32Hex(member.Digest.Adler32));
            json.WriteString("xxh3", ChecksumText.Hash64Hex(member.Digest.XxHash3));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The JSON and text name of a payload kind.</summary>
    /// <param name="payload">The kind.</param>
    /// <returns><c>opaque</c>, <c>il</c>, <c>tar</c> or <c>cta-placeholder</c>.</returns>
    public static string PayloadName(PayloadKind payload) => payload switch
    {
        PayloadKind.Il => "il",
        PayloadKind.Tar => "tar",
        PayloadKind.CtaPlaceholder => "cta-placeholder",
        _ => "opaque",
    };

    private static void WriteGroup(Utf8JsonWriter json, FileLabelGroup group, long firstObjectId)
    {
        long objectId = firstObjectId;
        foreach (Action<Span<byte>> write in new Action<Span<byte>>[] { group.Label1.WriteTo, group.Label2.WriteTo, group.UserLabel.WriteTo })
        {
            byte[] label = new byte[AnsiLabel.Length];
            write(label);
            LabelJsonWriter.Write(json, AnsiLabel.Parse(label, LabelReadMode.Lenient, out var warnings), objectId++, warnings, "objectId");
        }
    }
}

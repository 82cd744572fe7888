using System.Text.Json;
using TapeKit.Labels;

namespace TapeKit.Cli.Labels;

/// <summary>
/// Writes decoded labels as JSON (<c>tapekit label decode --json</c>): one object per label with
/// <c>kind</c>, the byte <c>offset</c> in the input, every field by its camelCase name from
/// <c>docs/formats/README.md</c>, and <c>warnings</c>.
/// </summary>
/// <remarks>
/// Values: text fields without their padding; numeric fields as JSON numbers (raw text if not
/// decimal, as Lenient mode allows); dates as <c>yyyy-MM-dd</c> (raw text such as <c>000000</c> when
/// the field holds no date).
/// </remarks>
public static class LabelJsonWriter
{
    /// <summary>Writes one label object.</summary>
    /// <param name="json">The writer, positioned inside an array.</param>
    /// <param name="label">The label.</param>
    /// <param name="offset">Its byte offset in the input.</param>
    /// <param name="warnings">Its warnings.</param>
    /// <param name="positionName">The name of the position property: <c>offset</c> (bytes in a file) or <c>objectId</c> (on tape).</param>
    public static void Write(Utf8JsonWriter json, in AnsiLabel label, long offset, IReadOnlyList<LabelWarning> warnings, string positionName = "offset")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(warnings);
        json.WriteStartObject();
        json.WriteString("kind", AnsiLabel.IdentifierOf(label.Kind));
        json.WriteNumber(positionName, offset);
        foreach (LabelField field in AnsiLabel.FieldsOf(label.Kind))
        {
            string raw = label.FieldText(field);
            switch (field.Type)
            {
                case LabelFieldType.Number when long.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long number):
                    json.WriteNumber(field.Name, number);
                    break;
                case LabelFieldType.Date:
                    LabelDate date = LabelDate.Decode(System.Text.Encoding.ASCII.GetBytes(raw));
                    json.WriteString(field.Name, date.HasValue ? date.ToString() : raw);
                    break;
                default:
                    json.WriteString(field.Name, field.Type == LabelFieldType.Number ? raw : raw.TrimEnd(' '));
                    break;
            }
        }

        json.WriteStartArray("warnings");
        foreach (LabelWarning warning in warnings)
        {
            json.WriteStartObject();
            json.WriteString("field", warning.Field);
            json.WriteNumber("offset", warning.Offset);
            json.WriteNumber("length", warning.Length);
            json.WriteString("bytes", warning.OffendingBytes);
            json.WriteString("message", warning.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}

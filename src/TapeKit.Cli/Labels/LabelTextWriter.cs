using System.Globalization;
using TapeKit.Labels;

namespace TapeKit.Cli.Labels;

/// <summary>Writes decoded labels for people: one block per label, one line per field.</summary>
public static class LabelTextWriter
{
    /// <summary>Writes one label.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="label">The label.</param>
    /// <param name="number">Its 1-based number in the input.</param>
    /// <param name="offset">Its byte offset in the input.</param>
    public static void Write(TextWriter output, in AnsiLabel label, int number, long offset)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#{number} {AnsiLabel.IdentifierOf(label.Kind)} (byte offset {offset})"));
        foreach (LabelField field in AnsiLabel.FieldsOf(label.Kind))
        {
            if (field.Type == LabelFieldType.Identifier)
            {
                continue;
            }

            string raw = label.FieldText(field);
            string meaning = field.Type == LabelFieldType.Date ? DateMeaning(raw) : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {field.Name,-20} {field.Columns,-7} \"{raw}\"{meaning}"));
        }
    }

    private static string DateMeaning(string raw)
    {
        LabelDate date = LabelDate.Decode(System.Text.Encoding.ASCII.GetBytes(raw));
        return date.Form switch
        {
            LabelDateForm.Full => $"  {date}",
            LabelDateForm.CtaShort => $"  {date} (CTA short form)",
            LabelDateForm.NoDate => "  no date",
            _ => string.Empty,
        };
    }
}

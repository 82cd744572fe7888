using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TapeKit.Cli.Labels;
using TapeKit.Labels;

namespace TapeKit.Cli.Commands;

/// <summary><c>tapekit label decode</c> and <c>tapekit label encode</c>.</summary>
public static class LabelCommands
{
    /// <summary>Builds the <c>label</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        var label = new Command("label", "Decode and encode 80-byte ANSI tape labels (VOL1, HDR1/EOF1, HDR2/EOF2, UHL1/UTL1).");
        label.Subcommands.Add(Decode(console));
        label.Subcommands.Add(LabelEncodeCommand.Create(console));
        return label;
    }

    private static Command Decode(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of labels: kind, offset, every field by its camelCase name, warnings." };
        var lenient = new Option<bool>("--lenient") { Description = "Lenient checks (rule F3, docs/formats/rules.md): report fixable faults as warnings instead of errors." };
        var file = new Argument<string>("FILE") { Description = "A file of 80-byte labels, optionally newline-separated; '-' reads standard input." };
        var decode = new Command("decode", "Decode and check a file of labels; exit code 3 on the first invalid label.");
        decode.Options.Add(json);
        decode.Options.Add(lenient);
        decode.Arguments.Add(file);
        decode.SetAction(parse => RunDecode(console, parse.GetValue(file)!, parse.GetValue(json), parse.GetValue(lenient) ? LabelReadMode.Lenient : LabelReadMode.Strict));
        return decode;
    }

    private static int RunDecode(CliConsole console, string path, bool asJson, LabelReadMode mode)
    {
        using Stream input = CliFiles.OpenInput(path, console);
        var reader = new LabelFileReader(input);
        string source = path == "-" ? "standard input" : path;

        // Output is buffered until the whole input has been checked, so a failed decode prints nothing on stdout.
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        using (var text = new StreamWriter(buffer, leaveOpen: true))
        {
            if (asJson)
            {
                json.WriteStartArray();
            }

            while (Next(reader, source, out ReadOnlySpan<byte> bytes))
            {
                AnsiLabel label = ParseAt(bytes, mode, reader, source, out IReadOnlyList<LabelWarning> warnings);
                if (asJson)
                {
                    LabelJsonWriter.Write(json, label, reader.Offset, warnings);
                }
                else
                {
                    LabelTextWriter.Write(text, label, reader.Count, reader.Offset);
                    foreach (LabelWarning warning in warnings)
                    {
                        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tapekit: warning: {source}: label {reader.Count} (byte offset {reader.Offset}): {warning.Message}"));
                    }
                }
            }

            if (reader.Count == 0)
            {
                throw new TapeFormatException($"{source} holds no label: it is empty.", "label", null, 0, 0, string.Empty);
            }

            if (asJson)
            {
                json.WriteEndArray();
            }
        }

        if (asJson)
        {
            buffer.WriteByte((byte)'\n');
        }

        buffer.Position = 0;
        buffer.CopyTo(console.Output);
        console.Output.Flush();
        return ExitCodes.Success;
    }

    private static bool Next(LabelFileReader reader, string source, out ReadOnlySpan<byte> bytes)
    {
        try
        {
            return reader.TryReadNext(out bytes);
        }
        catch (TapeFormatException e)
        {
            throw new TapeFormatException($"{source}: {e.Message}", e.Kind, e.Field, e.Offset, e.Length, e.OffendingBytes, e);
        }
    }

    private static AnsiLabel ParseAt(ReadOnlySpan<byte> bytes, LabelReadMode mode, LabelFileReader reader, string source, out IReadOnlyList<LabelWarning> warnings)
    {
        try
        {
            return AnsiLabel.Parse(bytes, mode, out warnings);
        }
        catch (TapeFormatException e)
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"{source}: label {reader.Count} (byte offset {reader.Offset})");
            throw new TapeFormatException($"{where}: {e.Message}", e.Kind, e.Field, e.Offset, e.Length, e.OffendingBytes, e);
        }
    }
}

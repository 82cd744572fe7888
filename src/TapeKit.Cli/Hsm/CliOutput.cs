using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TapeKit.Cli.Hsm;

/// <summary>Writers for the <c>hsm</c> and <c>catalog</c> commands' output.</summary>
internal static class CliOutput
{
    /// <summary>Writes one indented JSON document and a newline to standard output.</summary>
    public static void Json(CliConsole console, Action<Utf8JsonWriter> write)
    {
        using (var json = new Utf8JsonWriter(console.Output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }

        console.Output.WriteByte((byte)'\n');
        console.Output.Flush();
    }

    /// <summary>A UTF-8 text writer over standard output (no BOM), flushed on every write.</summary>
    public static StreamWriter Text(CliConsole console) =>
        new(console.Output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true) { AutoFlush = true };
}

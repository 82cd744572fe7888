using System.Text;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>Runs the tapekit tool in-process and captures what an operator would see.</summary>
internal sealed record CliRun(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static CliRun Of(byte[]? stdin, params string[] args)
    {
        using var input = new MemoryStream(stdin ?? []);
        using var output = new MemoryStream();
        using var error = new StringWriter();
        int code = TapeKitCli.Run(args, new CliConsole(input, output, error, OutputIsTerminal: false));
        return new CliRun(code, output.ToArray(), error.ToString());
    }

    public static CliRun Of(params string[] args) => Of(null, args);
}

using System.Text;
using Spectre.Console;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>Runs the tapekit tool in-process and captures what an operator would see.</summary>
internal sealed record CliRun(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static CliRun Of(byte[]? stdin, params string[] args) => Run(stdin, null, args);

    public static CliRun Of(params string[] args) => Of(null, args);

    /// <summary>Runs with standard error on a terminal (stdout still redirected): progress is drawn on <paramref name="terminal"/>.</summary>
    public static CliRun OnTerminal(IAnsiConsole terminal, params string[] args) => Run(null, terminal, args);

    private static CliRun Run(byte[]? stdin, IAnsiConsole? terminal, string[] args)
    {
        using var input = new MemoryStream(stdin ?? []);
        using var output = new MemoryStream();
        using var error = new StringWriter();
        var console = new CliConsole(input, output, error, OutputIsTerminal: false) { ErrorIsTerminal = terminal is not null, Terminal = terminal };
        int code = TapeKitCli.Run(args, console);
        return new CliRun(code, output.ToArray(), error.ToString());
    }
}

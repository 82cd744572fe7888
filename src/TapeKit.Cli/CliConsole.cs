namespace TapeKit.Cli;

/// <summary>
/// The streams a command works with. Commands never touch <see cref="Console"/> directly, so tests
/// run the whole tool in-process and read exactly what an operator would see.
/// </summary>
/// <param name="Input">Standard input, for <c>-</c> file arguments.</param>
/// <param name="Output">Standard output: results, and JSON with <c>--json</c>.</param>
/// <param name="Error">Standard error: one line per error, warnings.</param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal (progress bars are shown only then).</param>
public sealed record CliConsole(Stream Input, Stream Output, TextWriter Error, bool OutputIsTerminal)
{
    /// <summary>The process's own standard streams.</summary>
    public static CliConsole FromProcess() => new(
        Console.OpenStandardInput(),
        Console.OpenStandardOutput(),
        Console.Error,
        !Console.IsOutputRedirected);
}

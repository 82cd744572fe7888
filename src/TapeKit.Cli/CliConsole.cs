namespace TapeKit.Cli;

/// <summary>
/// The streams a command works with. Commands never touch <see cref="Console"/> directly, so tests
/// run the whole tool in-process and read exactly what an operator would see.
/// </summary>
/// <param name="Input">Standard input, for <c>-</c> file arguments.</param>
/// <param name="Output">Standard output: results, and JSON with <c>--json</c>.</param>
/// <param name="Error">Standard error: one line per error, warnings, and progress bars on a terminal.</param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal.</param>
public sealed record CliConsole(Stream Input, Stream Output, TextWriter Error, bool OutputIsTerminal)
{
    /// <summary>
    /// Whether standard error is a terminal: long commands draw their progress there only then
    /// (<see cref="CliProgress"/>); redirected, they print nothing more than results and errors.
    /// </summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The terminal progress is drawn on; <see langword="null"/> for one over <see cref="Error"/> (tests give a fake one).</summary>
    internal Spectre.Console.IAnsiConsole? Terminal { get; init; }

    /// <summary>The process's own standard streams.</summary>
    public static CliConsole FromProcess() => new(
        Console.OpenStandardInput(),
        Console.OpenStandardOutput(),
        Console.Error,
        !Console.IsOutputRedirected)
    {
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };
}

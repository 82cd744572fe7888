using System.CommandLine;
using System.CommandLine.Help;
using TapeKit.Cli.Commands;

namespace TapeKit.Cli;

/// <summary>
/// The <c>tapekit</c> tool: builds the command tree, runs one command and turns every failure into
/// the exit code and the single stderr line of the CLI contract (docs/cli.md).
/// </summary>
public static class TapeKitCli
{
    /// <summary>Runs the tool with the given arguments and streams.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="console">The streams to use.</param>
    /// <returns>The process exit code (<see cref="ExitCodes"/>).</returns>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);

        var verbose = VerboseOption();
        // dotnet-suggest's completion directive ([suggest:N]) is known only to a RootCommand, whose name is the
        // executable's: completions do not show that name, so the directive gets one.
        Command root = CreateRoot(console, verbose, forSuggestions: args.Length > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            console.Error.WriteLine($"tapekit: {parse.Errors[0].Message} (see 'tapekit --help')");
            return ExitCodes.Usage;
        }

        using var stdout = new StreamWriter(console.Output, leaveOpen: true) { AutoFlush = true };
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception exception)
        {
            return CliErrors.Report(exception, console.Error, parse.GetValue(verbose));
        }
    }

    /// <summary>The command name that usage lines and help show, whatever the executable is called.</summary>
    public const string CommandName = "tapekit";

    /// <summary>
    /// Builds the whole command tree without running anything: the root command named
    /// <see cref="CommandName"/> with its options and every command group.
    /// </summary>
    /// <param name="console">The streams the commands use when they run.</param>
    /// <returns>The root command.</returns>
    /// <remarks>
    /// A plain <see cref="Command"/> named <c>tapekit</c> rather than a <see cref="RootCommand"/>: a root
    /// command takes its name from the executable, which for the installed tool is the assembly
    /// <c>TapeKit.Cli</c>, so help would say <c>Usage: TapeKit.Cli</c>. The help and version options a
    /// root command brings are added here.
    /// </remarks>
    public static Command CreateCommandTree(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return CreateRoot(console, VerboseOption());
    }

    private static Option<bool> VerboseOption() => new("--verbose") { Description = "Show stack traces of errors.", Recursive = true };

    private static Command CreateRoot(CliConsole console, Option<bool> verbose, bool forSuggestions = false)
    {
        const string Description = "tapekit: tape labels, aggregations and tape drives, byte-exact; HSM catalogue checks, policies and rebuilds.";
        Command root;
        if (forSuggestions)
        {
            root = new RootCommand(Description); // Brings the help and version options and the [suggest] directive.
        }
        else
        {
            root = new Command(CommandName, Description);
            root.Options.Add(new HelpOption());
            root.Options.Add(new VersionOption());
        }

        root.Options.Add(verbose);
        root.Options.Add(new Option<bool>(CliProgress.NoProgressOption)
        {
            Description = $"Draw no progress bar on standard error (also {CliProgress.NoProgressVariable}=1). Progress is drawn only on a terminal and never with --json.",
            Recursive = true,
        });
        foreach (var command in CommandGroups(console))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static IEnumerable<Command> CommandGroups(CliConsole console)
    {
        yield return LabelCommands.Create(console);
        yield return AggCommands.Create(console);
        yield return VtapeCommands.Create(console);
        yield return MtCommands.Create(console);
        yield return TapeCommands.Create(console);
        yield return CatalogCommands.Create(console);
        yield return HsmCommands.Create(console);
    }
}

using System.CommandLine;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>Help names the tool <c>tapekit</c>, as an operator types it, whatever the executable is called.</summary>
public sealed class TapeKitCliHelpTests
{
    [Fact]
    public void Root_help_says_usage_tapekit()
    {
        CliRun run = CliRun.Of("--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains($"Usage:{Environment.NewLine}  tapekit [command] [options]", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("TapeKit.Cli", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_help_starts_its_usage_line_with_tapekit_and_its_path()
    {
        var paths = Paths(TapeKitCli.CreateCommandTree(Silent()), []).ToList();
        Assert.Contains(["tape", "read"], paths);

        foreach (string[] path in paths)
        {
            CliRun run = CliRun.Of([.. path, "--help"]);

            Assert.Equal(ExitCodes.Success, run.ExitCode);
            string usage = run.Stdout.Split("Usage:", 2)[1].TrimStart().Split('\n')[0];
            Assert.StartsWith($"tapekit {string.Join(' ', path)}", usage, StringComparison.Ordinal);
            Assert.DoesNotContain("TapeKit.Cli", run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_suggest_directive_of_dotnet_suggest_still_completes_commands()
    {
        CliRun run = CliRun.Of("[suggest]", "ag");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("agg", run.Stdout.Trim());
    }

    [Fact]
    public void Version_still_answers() =>
        Assert.Matches(@"^\d+\.\d+\.\d+", CliRun.Of("--version").Stdout);

    private static IEnumerable<string[]> Paths(Command command, string[] prefix)
    {
        foreach (Command sub in command.Subcommands)
        {
            string[] path = [.. prefix, sub.Name];
            yield return path;
            foreach (string[] deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }

    private static CliConsole Silent() => new(Stream.Null, Stream.Null, TextWriter.Null, OutputIsTerminal: false);
}

using Spectre.Console.Testing;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>
/// Progress of the long commands: nothing extra when output is redirected (the harness), a bar on a
/// terminal (a fake one) that never touches stdout, and none with --json, --no-progress or
/// TAPEKIT_NO_PROGRESS. The tests of this class run one after another: one of them sets the variable.
/// </summary>
public sealed class ProgressCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string? _variable = Environment.GetEnvironmentVariable(CliProgress.NoProgressVariable);

    public ProgressCommandTests()
    {
        Environment.SetEnvironmentVariable(CliProgress.NoProgressVariable, null);
        Directory.CreateDirectory(_dir.Combine("src", "sub"));
        File.WriteAllBytes(_dir.Combine("src", "small"), Bytes(5000, 1));
        File.WriteAllBytes(_dir.Combine("src", "sub", "big"), Bytes(300_000, 2));
        File.WriteAllBytes(_dir.File("plain"), Bytes(70_000, 3));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(CliProgress.NoProgressVariable, _variable);
        _dir.Dispose();
    }

    /// <summary>Each long command, its redirected run and its run on a terminal: the same exit code and stdout bytes, nothing on stderr, the bar only on the terminal.</summary>
    [Fact]
    public void Every_long_command_draws_progress_on_a_terminal_only_and_prints_the_same_results()
    {
        // Tapes written by the two runs must match byte for byte, so each run gets its own cartridge with the same VSN.
        foreach (string tape in new[] { "redirected", "terminal" })
        {
            Assert.Equal(0, CliRun.Of("vtape", "create", _dir.File(tape), "--vsn", "T00001").ExitCode);
        }

        (string Drawn, string[] Args)[] commands =
        [
            ("Packing", ["agg", "pack", "--format", "tar", "--out", _dir.File("agg.tar"), "--block-size", "8192", _dir.File("src")]),
            ("Packing", ["agg", "pack", "--format", "il", "--out", _dir.File("agg.il"), "--block-size", "8192", _dir.File("src")]),
            ("Verifying", ["agg", "verify", _dir.File("agg.il")]),
            ("Extracting", ["agg", "extract", _dir.File("agg.tar"), "--to", _dir.File("out")]),
            ("Writing to T00001", ["tape", "write", "--tape", "{tape}", "--format", "aul", "--file-id", "1A2B", _dir.File("plain")]),
            ("Writing to T00001", ["tape", "write", "--tape", "{tape}", "--format", "alb", "--file-id", "A1B2", _dir.File("src")]),
            ("Reading T00001", ["tape", "dump", "--tape", "{tape}"]),
            ("Reading file 1", ["tape", "read", "--tape", "{tape}", "--fseq", "1", "--out", _dir.File("plain.out")]),
            ("Reading src/sub/big", ["tape", "read", "--tape", "{tape}", "--fseq", "2", "--member", "src/sub/big", "--out", _dir.File("big.out")]),
            ("Verifying T00001", ["tape", "verify", "--tape", "{tape}"]),
            ("Scanning T00001", ["catalog", "rebuild", "--db", _dir.File("catalog.json"), "--tape", "{tape}"]),
            ("Scanning T00001", ["catalog", "rebuild", "--db", _dir.File("catalog.db"), "--force", "--tape", "{tape}"]),
        ];
        foreach ((string drawn, string[] args) in commands)
        {
            CliRun redirected = CliRun.Of(With(args, "redirected"));
            Assert.True(redirected.ExitCode == 0, $"{string.Join(' ', args)}: {redirected.Stderr}");
            Assert.Equal(string.Empty, redirected.Stderr);

            using TestConsole terminal = Terminal();
            CliRun shown = CliRun.OnTerminal(terminal, With(args, "terminal"));
            Assert.Equal(0, shown.ExitCode);
            Assert.Equal(string.Empty, shown.Stderr);
            Assert.Equal(redirected.Stdout, shown.Stdout);
            Assert.Equal(redirected.StdoutBytes, shown.StdoutBytes);
            Assert.Contains(drawn, terminal.Output, StringComparison.Ordinal);
            Assert.Contains("\u001b[", terminal.Output, StringComparison.Ordinal);
        }

        Assert.Equal(File.ReadAllBytes(_dir.File("plain")), File.ReadAllBytes(_dir.File("plain.out")));
        Assert.Equal(File.ReadAllBytes(_dir.Combine("src", "sub", "big")), File.ReadAllBytes(_dir.File("big.out")));
    }

    [Fact]
    public void A_bar_over_the_input_bytes_ends_at_100_percent()
    {
        using TestConsole terminal = Terminal();
        CliRun run = CliRun.OnTerminal(terminal, "agg", "pack", "--format", "tar", "--out", _dir.File("agg.tar"), _dir.File("src"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("100% 305.0 kB/305.0 kB", terminal.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agg", "pack", "--format", "tar", "--json")]
    [InlineData("agg", "pack", "--format", "il", "--json")]
    [InlineData("agg", "pack", "--format", "tar", "--no-progress")]
    public void Json_and_no_progress_draw_nothing_and_print_the_same_bytes(params string[] args)
    {
        string[] full = [.. args, "--out", _dir.File("agg"), _dir.File("src")];
        CliRun redirected = CliRun.Of(full);
        using TestConsole terminal = Terminal();
        CliRun shown = CliRun.OnTerminal(terminal, full);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(redirected.StdoutBytes, shown.StdoutBytes);
        Assert.Equal(string.Empty, shown.Stderr);
        Assert.Equal(string.Empty, terminal.Output);
    }

    [Fact]
    public void Json_from_the_tape_commands_is_unchanged_on_a_terminal()
    {
        string tape = _dir.File("T1");
        Assert.Equal(0, CliRun.Of("vtape", "create", tape, "--vsn", "T00001").ExitCode);
        Assert.Equal(0, CliRun.Of("tape", "write", "--tape", tape, "--format", "alb", "--file-id", "A1", _dir.File("src")).ExitCode);
        CliRun redirected = CliRun.Of("tape", "dump", "--json", "--tape", tape);
        using TestConsole terminal = Terminal();
        CliRun shown = CliRun.OnTerminal(terminal, "tape", "dump", "--json", "--tape", tape);
        Assert.Equal(0, shown.ExitCode);
        Assert.StartsWith("[", redirected.Stdout, StringComparison.Ordinal);
        Assert.Equal(redirected.StdoutBytes, shown.StdoutBytes);
        Assert.Equal(string.Empty, terminal.Output);
    }

    [Fact]
    public void The_environment_variable_turns_progress_off()
    {
        string[] args = ["agg", "pack", "--format", "tar", "--out", _dir.File("agg"), _dir.File("src")];
        Environment.SetEnvironmentVariable(CliProgress.NoProgressVariable, "1");
        using (TestConsole terminal = Terminal())
        {
            Assert.Equal(0, CliRun.OnTerminal(terminal, args).ExitCode);
            Assert.Equal(string.Empty, terminal.Output);
        }

        Environment.SetEnvironmentVariable(CliProgress.NoProgressVariable, "0");
        using (TestConsole terminal = Terminal())
        {
            Assert.Equal(0, CliRun.OnTerminal(terminal, args).ExitCode);
            Assert.Contains("Packing", terminal.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_failing_command_reports_its_one_error_line_after_the_bar()
    {
        Assert.Equal(0, CliRun.Of("agg", "pack", "--format", "tar", "--block-size", "8192", "--out", _dir.File("bad.tar"), _dir.File("src")).ExitCode);
        byte[] bytes = File.ReadAllBytes(_dir.File("bad.tar"));
        bytes[bytes.Length / 2] ^= 1; // inside the data of src/sub/big
        File.WriteAllBytes(_dir.File("bad.tar"), bytes);
        CliRun redirected = CliRun.Of("agg", "extract", _dir.File("bad.tar"), "--to", _dir.File("x"));
        using TestConsole terminal = Terminal();
        CliRun shown = CliRun.OnTerminal(terminal, "agg", "extract", _dir.File("bad.tar"), "--to", _dir.File("y"));
        Assert.Equal(ExitCodes.InvalidInput, redirected.ExitCode);
        Assert.Equal(redirected.ExitCode, shown.ExitCode);
        Assert.Equal(redirected.Stderr.Replace(_dir.File("x"), _dir.File("y"), StringComparison.Ordinal), shown.Stderr);
        Assert.Contains("Extracting bad.tar", terminal.Output, StringComparison.Ordinal);
    }

    private static TestConsole Terminal() => new TestConsole().Interactive().EmitAnsiSequences().Width(80);

    private string[] With(string[] args, string tape) => [.. args.Select(a => a == "{tape}" ? _dir.File(tape) : a)];

    private static byte[] Bytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

namespace TapeKit.Tests.Cli;

/// <summary>
/// <c>docs/cli.md</c> is what <see cref="CliReference"/> renders from the command definitions, so the reference cannot
/// drift from the tool.
/// </summary>
public sealed class CliReferenceTests
{
    [Fact]
    public void Docs_cli_md_is_generated_from_the_command_definitions()
    {
        string path = Path.Combine(RepositoryRoot(), CliReference.DocumentPath);
        string expected = CliReference.Render();
        if (Environment.GetEnvironmentVariable(CliReference.RegenerateVariable) == "1")
        {
            File.WriteAllText(path, expected);
        }

        string actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(expected == actual,
            $"{CliReference.DocumentPath} is out of date with the command definitions in src/TapeKit.Cli. Regenerate it from the repository root:\n" +
            $"    {CliReference.RegenerateCommand}\nand commit the result.");
    }

    [Fact]
    public void The_reference_has_every_command_the_exit_codes_and_the_json_fields_the_commands_define()
    {
        string reference = CliReference.Render();
        foreach (string command in new[] { "tapekit label decode", "tapekit agg list", "tapekit vtape create", "tapekit tape read", "tapekit mt seek", "tapekit catalog rebuild", "tapekit hsm policy diff" })
        {
            Assert.Contains($"\n### {command}\n", reference, StringComparison.Ordinal);
        }

        Assert.Contains("| 4 | `Refused` | Refused for safety: unsafe path, failed append check, wrong volume, write-protected. |", reference, StringComparison.Ordinal);
        Assert.Contains("an array of { name, type, size, offset, adler32, xxh3 }", reference, StringComparison.Ordinal);
        Assert.Contains("| `vsn` | 5-10 | string |", reference, StringComparison.Ordinal);
        Assert.Contains("| `-?, -h, --help` | Show help and usage information |", reference, StringComparison.Ordinal);
        Assert.Contains("```\ntapekit agg pack <PATH>... [options]\n```", reference, StringComparison.Ordinal);
        Assert.Contains("| `--format <il\\|tar>` | Payload format: il or tar. Required. |", reference, StringComparison.Ordinal);
        Assert.Contains("Default: `262144`.", reference, StringComparison.Ordinal);
    }

    private static string RepositoryRoot() => TapeKit.Tests.RepositoryRoot.Path;
}

using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using TapeKit.Cli;
using TapeKit.Labels;

namespace TapeKit.Tests.Cli;

/// <summary>
/// Renders the <c>tapekit</c> command tree (<see cref="TapeKitCli.CreateCommandTree"/>) as the Markdown CLI reference,
/// <c>docs/cli.md</c>: every command with its usage line (as <c>--help</c> prints it), description, arguments and
/// options (value, default, description; the <c>--json</c> descriptions name the JSON fields where the commands define
/// them), and the exit codes of <see cref="ExitCodes"/> with their documentation comments. Nothing is written by hand:
/// <see cref="CliReferenceTests"/> fails when the file differs, and regenerates it with <see cref="RegenerateVariable"/>=1.
/// </summary>
internal static class CliReference
{
    /// <summary>The environment variable that makes <see cref="CliReferenceTests"/> write the file instead of failing.</summary>
    public const string RegenerateVariable = "TAPEKIT_REGENERATE_DOCS";

    /// <summary>The command that regenerates the file.</summary>
    public const string RegenerateCommand =
        RegenerateVariable + "=1 dotnet test tests/TapeKit.Tests -c Release --filter FullyQualifiedName~CliReferenceTests";

    /// <summary>The file's path in the repository.</summary>
    public const string DocumentPath = "docs/cli.md";

    public static string Render()
    {
        Command root = TapeKitCli.CreateCommandTree(new CliConsole(Stream.Null, Stream.Null, TextWriter.Null, OutputIsTerminal: false));
        var md = new StringBuilder();
        md.Append("# The `tapekit` command line\n\n");
        md.Append("<!-- Generated from the command definitions (src/TapeKit.Cli) by tests/TapeKit.Tests/Cli/CliReference.cs. Do not edit: regenerate with\n");
        md.Append($"     {RegenerateCommand} -->\n\n");
        md.Append(Text(root.Description)).Append("\n\n");
        md.Append("`tapekit` is a .NET tool: `dotnet tool install --global TapeKit.Cli`, or from a clone\n");
        md.Append("`dotnet run --project src/TapeKit.Cli -c Release -- COMMAND …`. `tapekit --help` and `tapekit COMMAND --help`\n");
        md.Append("print the same descriptions as this page.\n\n");

        md.Append("## Exit codes\n\n");
        md.Append("Every command exits with one of these codes; an error is one line on standard error (`--verbose` adds the\n");
        md.Append("stack trace).\n\n");
        md.Append("| Code | Name | Meaning |\n|---|---|---|\n");
        foreach ((int code, string name, string meaning) in ExitCodeRows())
        {
            md.Append(CultureInfo.InvariantCulture, $"| {code} | `{name}` | {Cell(meaning)} |\n");
        }

        md.Append("\n## Options of every command\n\n");
        OptionTable(md, root.Options);

        md.Append("\n## Commands\n\n");
        foreach ((Command command, string path) in Walk(root, "tapekit"))
        {
            md.Append(CultureInfo.InvariantCulture, $"{new string(' ', 2 * (path.Count(c => c == ' ') - 1))}- [{path}](#{path.Replace(' ', '-')})");
            md.Append(CultureInfo.InvariantCulture, $": {Text(command.Description)}\n");
        }

        foreach ((Command command, string path) in Walk(root, "tapekit"))
        {
            md.Append(CultureInfo.InvariantCulture, $"\n{(path.Count(c => c == ' ') == 1 ? "##" : "###")} {path}\n\n");
            md.Append(Text(command.Description)).Append("\n\n");
            md.Append("```\n").Append(UsageLine(path)).Append("\n```\n");
            if (command.Subcommands.Count > 0)
            {
                md.Append("\nCommands: ").Append(string.Join(", ", command.Subcommands.Select(s => $"[`{s.Name}`](#{path.Replace(' ', '-')}-{s.Name})"))).Append(".\n");
            }

            if (command.Arguments.Count > 0)
            {
                md.Append("\n| Argument | Description |\n|---|---|\n");
                foreach (Argument argument in command.Arguments)
                {
                    md.Append(CultureInfo.InvariantCulture, $"| `{Cell(ArgumentLabel(argument))}` | {Cell(Describe(argument.Description, argument))} |\n");
                }
            }

            var options = command.Options.Where(o => o is not HelpOption)
                .Concat(Ancestors(command).Where(a => a.Parents.Any()).SelectMany(a => a.Options).Where(o => o.Recursive))
                .ToList();
            if (options.Count > 0)
            {
                md.Append('\n');
                OptionTable(md, options);
            }
        }

        LabelFieldTables(md);
        return md.ToString();
    }

    /// <summary>The fields of each label kind as <c>label decode --json</c> and <c>tape dump --json</c> print them (<see cref="AnsiLabel.FieldsOf"/>).</summary>
    private static void LabelFieldTables(StringBuilder md)
    {
        md.Append("\n## Label fields in JSON\n\n");
        md.Append("`label decode --json` prints one object per label, and `tape dump --json` one per label of each file (with\n");
        md.Append("`objectId` in place of `offset`): `kind`, the label's position, every field of its layout by name, and `warnings`\n");
        md.Append("(`{ field, offset, … }` for each fault Lenient reading accepted). Numbers are JSON numbers (the field's text\n");
        md.Append("when it is not a number); dates are `yyyy-MM-dd` (the field's text when it is not a date); text fields lose\n");
        md.Append("their padding spaces. Columns are 1-based, as in the ANSI standard.\n");
        foreach (var group in new[] { LabelKind.Vol1, LabelKind.Hdr1, LabelKind.Hdr2, LabelKind.Uhl1 })
        {
            string kinds = group switch
            {
                LabelKind.Vol1 => "VOL1",
                LabelKind.Hdr1 => "HDR1 and EOF1",
                LabelKind.Hdr2 => "HDR2 and EOF2",
                _ => "UHL1 and UTL1",
            };
            md.Append(CultureInfo.InvariantCulture, $"\n### {kinds}\n\n| Field | Columns | JSON |\n|---|---|---|\n");
            foreach (LabelField field in AnsiLabel.FieldsOf(group))
            {
                string type = field.Type switch
                {
                    LabelFieldType.Number => "number",
                    LabelFieldType.Date => "date string",
                    _ => "string",
                };
                md.Append(CultureInfo.InvariantCulture, $"| `{field.Name}` | {field.Columns} | {type} |\n");
            }
        }
    }

    private static void OptionTable(StringBuilder md, IEnumerable<Option> options)
    {
        md.Append("| Option | Description |\n|---|---|\n");
        foreach (Option option in options)
        {
            string label = OptionLabel(option);
            string required = option.Required ? " Required." : string.Empty;
            md.Append(CultureInfo.InvariantCulture, $"| `{Cell(label)}` | {Cell(Describe(option.Description, option) + required)} |\n");
        }
    }

    private static string Describe(string? description, Symbol symbol)
    {
        string text = Text(description);
        bool hasDefault = symbol switch
        {
            Option o => o.HasDefaultValue && o.ValueType != typeof(bool),
            Argument a => a.HasDefaultValue,
            _ => false,
        };
        return hasDefault ? $"{text} Default: `{DefaultValue(symbol)}`." : text;
    }

    /// <summary>The option's names and value, as help writes them: <c>-?, -h, --help</c>, <c>--format &lt;il|tar&gt;</c>.</summary>
    private static string OptionLabel(Option option)
    {
        string names = string.Join(", ", option.Aliases.Append(option.Name).Where(n => !n.StartsWith('/')).Distinct().OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal));
        if (option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0)
        {
            return names;
        }

        var values = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        string value = option.HelpName ?? (values.Count > 0 ? string.Join('|', values) : option.Name.TrimStart('-'));
        return $"{names} <{value}>{(option.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty)}";
    }

    private static string ArgumentLabel(Argument argument) =>
        $"<{argument.HelpName ?? argument.Name}>{(argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty)}";

    private static string DefaultValue(Symbol symbol)
    {
        object? value = symbol switch
        {
            Option o => o.GetDefaultValue(),
            Argument a => a.GetDefaultValue(),
            _ => null,
        };
        return value switch
        {
            null => "null",
            string text => text,
            System.Collections.IEnumerable many => string.Join(", ", many.Cast<object?>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }

    private static IEnumerable<(Command Command, string Path)> Walk(Command command, string path)
    {
        foreach (Command sub in command.Subcommands.Where(s => !s.Hidden))
        {
            string subPath = $"{path} {sub.Name}";
            yield return (sub, subPath);
            foreach (var deeper in Walk(sub, subPath))
            {
                yield return deeper;
            }
        }
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (Command? parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return parent;
        }
    }

    /// <summary>The usage line exactly as <c>tapekit … --help</c> prints it.</summary>
    private static string UsageLine(string path)
    {
        CliRun run = CliRun.Of([.. path.Split(' ').Skip(1), "--help"]);
        return run.Stdout.ReplaceLineEndings("\n").Split("Usage:\n", 2)[1].Split('\n')[0].Trim();
    }

    /// <summary>The constants of <see cref="ExitCodes"/> with the summaries of their documentation comments.</summary>
    private static IEnumerable<(int Code, string Name, string Meaning)> ExitCodeRows()
    {
        Assembly cli = typeof(ExitCodes).Assembly;
        string xml = Path.ChangeExtension(cli.Location, ".xml");
        XDocument docs = XDocument.Load(xml);
        return typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (Code: (int)f.GetRawConstantValue()!, f.Name, Meaning: Summary(docs, $"F:{typeof(ExitCodes).FullName}.{f.Name}")))
            .OrderBy(r => r.Code);
    }

    private static string Summary(XDocument docs, string member)
    {
        XElement summary = docs.Descendants("member").Single(m => (string?)m.Attribute("name") == member).Element("summary")
            ?? throw new InvalidOperationException($"{member} has no summary.");
        return Text(summary.Value);
    }

    /// <summary>One line of text: whitespace runs collapsed.</summary>
    private static string Text(string? text) =>
        string.Join(' ', (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}

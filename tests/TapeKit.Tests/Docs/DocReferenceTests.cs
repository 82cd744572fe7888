using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TapeKit.Tests.Docs;

/// <summary>
/// The repository stands alone: what the code, its messages, the CLI help and the README cite
/// resolves inside it. Scans every C# file under <c>src/</c> and <c>samples/</c> and the README for
/// (a) references to files outside the repository (the specifications and design notes TapeKit
/// was built from are not shipped: <c>../shared/…</c>, <c>spec/*.md</c>, <c>DESIGN.md</c>, and their
/// section numbers such as <c>§4.5</c>),
/// (b) rule codes (<c>C17</c>, <c>F11.3</c>, <c>T19</c>, …) without an anchor in <c>docs/</c>,
/// and (c) links to <c>docs/…md#anchor</c> whose page or anchor does not exist; and the relative
/// links of every page in <c>docs/</c> and of the README. Each failure lists every offender as
/// <c>file:line</c>.
/// </summary>
public sealed partial class DocReferenceTests
{
    private static readonly string Root = RepositoryRoot();

    private static readonly string[] ScannedFolders = ["src", "samples"];

    [Fact]
    public void NoReferenceLeavesTheRepository()
    {
        var offenders = new List<string>();
        foreach ((string file, int line, string text) in ScannedLines())
        {
            foreach (Match m in OutsideReference().Matches(text))
            {
                string path = m.Value.StartsWith("../", StringComparison.Ordinal) ? m.Value : m.Value.TrimStart('/');
                if (path.StartsWith("../", StringComparison.Ordinal) || path.StartsWith('§') || !File.Exists(Path.Combine(Root, path)))
                {
                    offenders.Add($"{file}:{line}: {m.Value}");
                }
            }
        }

        Assert.True(offenders.Count == 0, Report(offenders, "references to files outside the repository (point them at a page in docs/ instead)"));
    }

    [Fact]
    public void EveryRuleCodeHasAnAnchorInTheDocs()
    {
        HashSet<string> anchors = AllAnchors();
        var offenders = new List<string>();
        foreach ((string file, int line, string text) in ScannedLines())
        {
            foreach (Match m in RuleCode().Matches(text))
            {
                string suffix = "-" + m.Value.ToLowerInvariant().Replace('.', '-');
                if (!anchors.Any(a => a.EndsWith(suffix, StringComparison.Ordinal)))
                {
                    offenders.Add($"{file}:{line}: {m.Value}");
                }
            }
        }

        Assert.True(offenders.Count == 0, Report(offenders, "rule codes without an anchor in docs/ (give each an <a id=\"…-code\"></a> in docs/formats/rules.md, docs/devices/rules.md or docs/hsm/rules.md)"));
    }

    [Fact]
    public void EveryDocsLinkInTheCodeResolves()
    {
        var offenders = new List<string>();
        int links = 0;
        foreach ((string file, int line, string text) in ScannedLines())
        {
            foreach (Match m in DocsLink().Matches(text))
            {
                links++;
                string page = Path.Combine(Root, m.Groups["page"].Value);
                string anchor = m.Groups["anchor"].Value;
                if (!File.Exists(page))
                {
                    offenders.Add($"{file}:{line}: {m.Value} (no such page)");
                }
                else if (anchor.Length > 0 && !AnchorsOf(page).Contains(anchor))
                {
                    offenders.Add($"{file}:{line}: {m.Value} (no such anchor)");
                }
            }
        }

        Assert.True(offenders.Count == 0, Report(offenders, "links to docs/ that do not resolve"));
        Assert.True(links > 0, "The code cites no docs/ page at all; the scan found nothing to check.");
    }

    [Fact]
    public void EveryRelativeLinkInTheDocsAndTheReadmeResolves()
    {
        var offenders = new List<string>();
        string[] pages =
        [
            .. Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal),
            Path.Combine(Root, "README.md"),
        ];
        foreach (string page in pages)
        {
            string[] lines = File.ReadAllLines(page);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match m in MarkdownLink().Matches(lines[i]))
                {
                    string link = m.Groups[1].Value;
                    // xref: links are the API reference site's cross-references; docfx checks them (warnings as errors).
                    if (link.Contains("://", StringComparison.Ordinal) || link.StartsWith("mailto:", StringComparison.Ordinal) || link.StartsWith("xref:", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    string[] parts = link.Split('#', 2);
                    string target = parts[0].Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, parts[0]));
                    string where = $"{Path.GetRelativePath(Root, page)}:{i + 1}: {link}";
                    if (!target.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        offenders.Add(where + " (leaves the repository)");
                    }
                    else if (!File.Exists(target) && !Directory.Exists(target))
                    {
                        offenders.Add(where + " (no such file)");
                    }
                    else if (parts.Length == 2 && File.Exists(target) && !AnchorsOf(target).Contains(parts[1]))
                    {
                        offenders.Add(where + " (no such anchor)");
                    }
                }
            }
        }

        Assert.True(offenders.Count == 0, Report(offenders, "broken links in docs/ and README.md"));
    }

    [Theory]
    [InlineData("/// <summary>A writer profile (F1.4): see T19 and C17.</summary>", "F1.4 T19 C17")]
    [InlineData("throw Bad(\"I3: file is ARCHIVED\") // §7.3 B3, P10", "I3 B3 P10")]
    [InlineData("$\"{i:D5} {used:P0} {x:F1} {b:X2}\" value.ToString(\"D10\")", "")]
    [InlineData("LTO-9 XXH3 0xA1 V7 X3.27 [A-Z0-9] T1–T28", "T1 T28")]
    public void TheScannerTellsRuleCodesFromFormatStrings(string line, string expected)
    {
        Assert.Equal(expected, string.Join(' ', RuleCode().Matches(line).Select(m => m.Value)));
    }

    [Theory]
    [InlineData("/// The mount check (spec/formats.md §2.7).", "spec/formats.md §2.7")]
    [InlineData("// see ../shared/DESIGN.md and §4.5 rule 3", "../shared/DESIGN.md §4.5")]
    [InlineData("/// Safe append (docs/formats/rules.md#fmt-f11, F11).", "")]
    public void TheScannerFindsReferencesToUnshippedDocuments(string line, string expected)
    {
        Assert.Equal(expected, string.Join(' ', OutsideReference().Matches(line).Select(m => m.Value)));
    }

    [Fact]
    public void HeadingSlugsAreGitHubs()
    {
        Assert.Equal("4-the-il-payload-alb-0100", Slug("4. The IL payload (ALB 01.00)"));
        Assert.Equal("f1--writer-profiles", Slug("F1 — Writer profiles"));
        Assert.Equal("behaviour-rules-t1t30", Slug("Behaviour rules T1–T30"));
    }

    /// <summary>Every line of the C# files under src/ and samples/ (build output excluded) and of README.md.</summary>
    private static IEnumerable<(string File, int Line, string Text)> ScannedLines()
    {
        IEnumerable<string> files = ScannedFolders
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !IsBuildOutput(f))
            .Append(Path.Combine(Root, "README.md"))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
            int number = 0;
            foreach (string text in File.ReadLines(file))
            {
                number++;
                yield return (relative, number, text);
            }
        }
    }

    private static bool IsBuildOutput(string file)
    {
        string relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
        return relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal);
    }

    private static HashSet<string> AllAnchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string page in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
        {
            anchors.UnionWith(AnchorsOf(page));
        }

        return anchors;
    }

    /// <summary>The explicit <c>&lt;a id&gt;</c> anchors of a page and the slugs of its headings.</summary>
    private static HashSet<string> AnchorsOf(string page)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        bool fenced = false;
        foreach (string line in File.ReadLines(page))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            foreach (Match m in ExplicitAnchor().Matches(line))
            {
                anchors.Add(m.Groups[1].Value);
            }

            Match heading = Heading().Match(line);
            if (!fenced && heading.Success)
            {
                anchors.Add(Slug(heading.Groups[1].Value));
            }
        }

        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (char c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static string Report(List<string> offenders, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{offenders.Count} {what}:\n{string.Join('\n', offenders)}");

    private static string RepositoryRoot() => TapeKit.Tests.RepositoryRoot.Path;

    /// <summary>
    /// A rule code: a rule family's letter, one or two digits, an optional sub-point. Not when glued
    /// to a word, a path or a dot, and not a .NET format specifier (<c>{x:D5}</c>, <c>ToString("D10")</c>).
    /// </summary>
    [GeneratedRegex(@"(?<![\w.:/\\-])(?<!ToString\("")[ABCDFGILOPRT][0-9]{1,2}(?:\.[0-9]+)?(?![\w])")]
    private static partial Regex RuleCode();

    /// <summary>
    /// A path to the specifications or design notes TapeKit was built from, or a bare section number
    /// (<c>§4.5</c>) of them: TapeKit's own pages are cited by path and anchor, never by section number.
    /// </summary>
    [GeneratedRegex(@"(?:\.\./)+shared[\w./-]*|(?<![\w/.-])/?(?:[\w.-]+/)*(?:spec/[\w-]+\.md|DESIGN\.md)|§\s?[0-9]+(?:\.[0-9]+)*")]
    private static partial Regex OutsideReference();

    [GeneratedRegex(@"(?<![\w/.-])(?<page>docs/[\w./-]+\.md)(?:#(?<anchor>[\w-]+(?:\.[\w-]+)*))?")]
    private static partial Regex DocsLink();

    [GeneratedRegex(@"<a id=""([^""]+)""")]
    private static partial Regex ExplicitAnchor();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}

using System.Text;
using TapeKit.Aggregation;
using TapeKit.Layout;

namespace TapeKit.Hsm.Tests.Readme;

/// <summary>The README's library quick start is the code in <see cref="ReadmeQuickStart"/>, and that code works.</summary>
public sealed class ReadmeQuickStartTests
{
    private const string SourceFile = "tests/TapeKit.Hsm.Tests/Readme/ReadmeQuickStart.cs";

    [Fact]
    public void The_readme_block_is_the_tested_code()
    {
        string expected = ExpectedReadmeBlock();
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        int heading = readme.IndexOf("\n## Library quick start\n", StringComparison.Ordinal);
        Assert.True(heading >= 0, "README.md has no '## Library quick start' section.");
        int open = readme.IndexOf("```csharp\n", heading, StringComparison.Ordinal);
        Assert.True(open >= 0, "The README's quick start section has no ```csharp block.");
        open += "```csharp\n".Length;
        int close = readme.IndexOf("\n```\n", open, StringComparison.Ordinal);
        string actual = readme[open..(close + 1)];

        Assert.True(expected == actual,
            $"The README's C# quick start differs from {SourceFile} (the tested code). Copy the code between its quick-start markers, " +
            $"de-indented, into README.md. Expected:\n{expected}");
    }

    [Fact]
    public void The_readme_starts_with_its_two_commands_and_the_quick_start_follows_them()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        Assert.StartsWith(
            "# TapeKit\n\n```sh\ndotnet run --project samples/SmallFilesCache -c Release -- demo\ndotnet test TapeKit.sln -c Release\n```\n",
            readme, StringComparison.Ordinal);
        int commandsEnd = readme.IndexOf("```\n", readme.IndexOf("```sh\n", StringComparison.Ordinal) + 6, StringComparison.Ordinal);
        int quickStart = readme.IndexOf("\n## Library quick start\n", StringComparison.Ordinal);
        Assert.True(quickStart > commandsEnd, "The library quick start must come after the two commands.");
        Assert.DoesNotContain("```", readme[(commandsEnd + 4)..quickStart], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_quick_start_writes_reads_back_and_composes_an_hsm()
    {
        QuickStartResult result = await ReadmeQuickStart.RunAsync();
        try
        {
            Assert.Equal(1000, result.Files.Count);
            Assert.Equal(PayloadKind.Tar, result.Written.Payload);
            Assert.Equal(1, result.Written.FileSequence);
            Assert.Equal(1000, result.Written.Members.Count);
            Assert.Equal(result.Files["run42/file0777.dat"], result.Copy);
            Assert.True(result.Written.MemberObjectId(result.Member) > result.Written.FirstDataObjectId, "member 777 lies past the first block");

            TapeFileInfo scanned = Assert.Single(result.Scanned);
            Assert.Equal(result.Written.Members.Select(m => (m.Name, m.Size, m.BlockIndex)), scanned.Members.Select(m => (m.Name, m.Size, m.BlockIndex)));

            Assert.NotNull(result.Dispatcher);
            Assert.Equal(TapeKit.Hsm.Messaging.HsmTopology.CommandQueue("DL-A"), result.Migrator.CommandQueue);
            Assert.Equal(0, result.Handled); // Nothing ingested yet: the dispatcher's queues are empty …
            Assert.Equal(0, result.Claimed); // … and so is the migrator's.
            Assert.True(File.Exists(Path.Combine(result.Root, "hsm.db")));
        }
        finally
        {
            Directory.Delete(result.Root, recursive: true);
        }
    }

    /// <summary>The README block the source's markers define: the usings, a blank line, the de-indented body.</summary>
    private static string ExpectedReadmeBlock()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), SourceFile)).ReplaceLineEndings("\n");
        string usings = Between(source, "// <quick-start-usings>\n", "// </quick-start-usings>\n");
        string body = Between(source, "        // <quick-start>\n", "        // </quick-start>\n");
        var text = new StringBuilder(usings).Append('\n');
        foreach (string line in body.Split('\n')[..^1])
        {
            text.Append(line.Length == 0 ? line : line[8..]).Append('\n');
        }

        return text.ToString();
    }

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TapeKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("TapeKit.sln not found above " + AppContext.BaseDirectory);
    }
}

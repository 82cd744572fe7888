using TapeKit.Aggregation;

namespace TapeKit.Tests.Aggregation;

/// <summary>The component rules of F12.1, checked against a plain reading of them on every short name.</summary>
public sealed class MemberNameTests
{
    [Fact]
    public void Every_name_of_up_to_eight_characters_of_a_dot_and_a_slash_gets_the_rule_it_breaks()
    {
        int checkedNames = 0;
        foreach (string name in Names("a./", 8))
        {
            Assert.True(Reference(name) == MemberName.Problem(name), $"\"{name}\": expected {Reference(name) ?? "valid"}, got {MemberName.Problem(name) ?? "valid"}");
            checkedNames++;
        }

        Assert.Equal(9840, checkedNames); // 3 + 9 + … + 3^8
    }

    [Theory]
    [InlineData("dir000/file00001.bin", null)]
    [InlineData(".hidden/..more/a..b/...", null)]
    [InlineData("a/./b", "has a \".\" component")]
    [InlineData("../a/./b", "has a \".\" component")]
    [InlineData("a/b/..", "has a \"..\" component")]
    [InlineData("a//b", "has an empty component")]
    [InlineData("/a", "is an absolute path")]
    public void Names_get_their_rule(string name, string? problem) => Assert.Equal(problem, MemberName.Problem(name));

    private static IEnumerable<string> Names(string alphabet, int maxLength)
    {
        var current = new List<string> { string.Empty };
        for (int length = 1; length <= maxLength; length++)
        {
            current = [.. current.SelectMany(prefix => alphabet.Select(c => prefix + c))];
            foreach (string name in current)
            {
                yield return name;
            }
        }
    }

    /// <summary>F12.1's component rules as written: not absolute, no empty component, no "." (reported first) or "..".</summary>
    private static string? Reference(string name)
    {
        if (name[0] == '/')
        {
            return "is an absolute path";
        }

        if (name[^1] == '/' || name.Contains("//", StringComparison.Ordinal))
        {
            return "has an empty component";
        }

        string[] components = name.Split('/');
        return components.Contains(".") ? "has a \".\" component" : components.Contains("..") ? "has a \"..\" component" : null;
    }
}

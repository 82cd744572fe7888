using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TapeKit.Tests.Packaging;

/// <summary>
/// Every package under <c>src/</c> ships a README (NuGet shows it): declared in its project, packed at the package's
/// root, naming the package, saying how to install it, and linking only to files inside the repository.
/// </summary>
public sealed partial class PackageReadmeTests
{
    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (string project in Directory.GetFiles(Path.Combine(RepositoryRoot(), "src"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(project));
        }

        return data;
    }

    [Fact]
    public void Every_package_of_src_is_checked() =>
        Assert.Equal(7, Projects().Count);

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_project_packs_its_readme(string name)
    {
        XDocument project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", name, name + ".csproj"));
        Assert.Equal("README.md", Assert.Single(project.Descendants("PackageReadmeFile")).Value);
        XElement packed = Assert.Single(project.Descendants("None"), e => (string?)e.Attribute("Include") == "README.md");
        Assert.Equal("true", (string?)packed.Attribute("Pack"));
        Assert.Equal("\\", (string?)packed.Attribute("PackagePath"));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_readme_names_the_package_and_how_to_install_it(string name)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", name, "README.md"));
        Assert.StartsWith($"# {name}\n", readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(
            readme.Contains($"dotnet add package {name}\n", StringComparison.Ordinal) || readme.Contains($"dotnet tool install --global {name}\n", StringComparison.Ordinal),
            $"src/{name}/README.md has no install line.");
        Assert.Contains("## Example", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_readme_links_only_to_files_inside_the_repository(string name)
    {
        string root = RepositoryRoot();
        string directory = Path.Combine(root, "src", name);
        string readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        var links = MarkdownLink().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(links);
        foreach (string link in links)
        {
            Assert.False(Uri.TryCreate(link, UriKind.Absolute, out _) || Path.IsPathRooted(link), $"src/{name}/README.md: '{link}' is not a path relative to the README.");
            string target = Path.GetFullPath(Path.Combine(directory, link.Split('#')[0]));
            Assert.True(target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"src/{name}/README.md: '{link}' leaves the repository.");
            Assert.True(File.Exists(target) || Directory.Exists(target), $"src/{name}/README.md: '{link}' does not exist.");
        }
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    private static string RepositoryRoot() => TapeKit.Tests.RepositoryRoot.Path;
}

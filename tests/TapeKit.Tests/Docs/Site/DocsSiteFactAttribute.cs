namespace TapeKit.Tests.Docs.Site;

/// <summary>
/// Whether the API reference site can be tested here: built (<c>docs/_site/index.html</c>, made by
/// <c>dotnet docfx docs/docfx.json</c>, which <c>.ci/run</c> runs) and a headless Chromium on PATH (Debian's
/// <c>chromium</c>, which <c>.ci/run</c> installs).
/// </summary>
internal static class DocsSiteAvailability
{
    /// <summary>Why the site cannot be tested, or <see langword="null"/> when it can.</summary>
    public static string? MissingReason { get; } = Missing();

    /// <summary>The reason to skip: only outside CI (with <c>CI=true</c> a missing site or browser fails the test).</summary>
    public static string? SkipReason => MissingReason is not null && Environment.GetEnvironmentVariable("CI") != "true" ? MissingReason : null;

    private static string? Missing()
    {
        var missing = new List<string>();
        if (!File.Exists(Path.Combine(DocsSite.SiteRoot, "index.html")))
        {
            missing.Add("the docs site is not built (dotnet tool restore && dotnet docfx docs/docfx.json)");
        }

        if (HeadlessChromium.Executable is null)
        {
            missing.Add("no chromium on PATH (apt-get install chromium, as .ci/run does)");
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }
}

/// <summary>A fact that opens the built docs site in headless Chromium: skipped with the reason when the site or the browser is missing, never when <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DocsSiteFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the site or Chromium is missing outside CI.</summary>
    public DocsSiteFactAttribute() => Skip = DocsSiteAvailability.SkipReason;
}

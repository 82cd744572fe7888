namespace TapeKit.Tests.Docs.Site;

/// <summary>Where the API reference site is built: <c>docs/_site</c> (docs/docfx.json).</summary>
internal static class DocsSite
{
    /// <summary>The built site's directory.</summary>
    public static string SiteRoot { get; } = Path.Combine(RepositoryRoot.Path, "docs", "_site");
}

using System.Net;
using System.Text.RegularExpressions;

namespace TapeKit.Tests.Docs.Site;

/// <summary>
/// The API reference site, as built by docfx from docs/ and the packages' XML documentation, renders in headless
/// Chromium: its start page and an API page load with every script, style and table of contents they ask for, show
/// their content and the navigation the site's scripts build, and every link on them that stays inside the site leads
/// to a page that exists.
/// </summary>
public sealed partial class DocsSiteTests
{
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(90);

    [DocsSiteFact]
    public async Task The_start_page_renders_with_working_links()
    {
        using var server = new StaticSiteServer(DocsSite.SiteRoot);
        string dom = await HeadlessChromium.DumpDomAsync(new Uri(server.BaseAddress, "index.html"), BrowserTimeout);

        Assert.Contains("TapeKit documentation", dom, StringComparison.Ordinal);
        // The top navigation comes from toc.json, fetched and rendered by the site's scripts (as absolute links).
        Assert.Contains($"href=\"{server.BaseAddress}operating/README.html\"", dom, StringComparison.Ordinal);
        Assert.Contains($"href=\"{server.BaseAddress}api/TapeKit.html\"", dom, StringComparison.Ordinal);
        Assert.Contains("href=\"api/TapeKit.Labels.html\"", dom, StringComparison.Ordinal); // the page's cross-reference to the API
        AssertLinksResolve(server, new Uri(server.BaseAddress, "index.html"), dom, minimumLinks: 20);
        Assert.True(server.Missing.IsEmpty, "The start page asked for what the site does not have: " + string.Join(", ", server.Missing.Order(StringComparer.Ordinal)));
    }

    [DocsSiteFact]
    public async Task An_api_page_renders_with_working_links()
    {
        using var server = new StaticSiteServer(DocsSite.SiteRoot);
        var page = new Uri(server.BaseAddress, "api/TapeKit.Labels.Vol1Label.html");
        string dom = await HeadlessChromium.DumpDomAsync(page, BrowserTimeout);

        Assert.Contains("Vol1Label", dom, StringComparison.Ordinal);
        Assert.Contains("The VOL1 volume label", dom, StringComparison.Ordinal); // the type's XML summary
        Assert.Contains("TryParse", dom, StringComparison.Ordinal);
        // The API table of contents, fetched and rendered by the site's scripts, lists the other label types.
        Assert.Contains($"href=\"{server.BaseAddress}api/TapeKit.Labels.Hdr1Label.html\"", dom, StringComparison.Ordinal);
        AssertLinksResolve(server, page, dom, minimumLinks: 20);
        Assert.True(server.Missing.IsEmpty, "The API page asked for what the site does not have: " + string.Join(", ", server.Missing.Order(StringComparer.Ordinal)));
    }

    /// <summary>Every <c>href</c> of the rendered page that stays on the site names a file of the site.</summary>
    private static void AssertLinksResolve(StaticSiteServer server, Uri page, string dom, int minimumLinks)
    {
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (Match m in Href().Matches(dom))
        {
            string href = WebUtility.HtmlDecode(m.Groups[1].Value);
            if (href.Length == 0 || href.StartsWith('#') || href.StartsWith("mailto:", StringComparison.Ordinal) || href.StartsWith("javascript:", StringComparison.Ordinal))
            {
                continue;
            }

            var target = new Uri(page, href);
            if (target.Scheme is not ("http" or "https") || target.Authority != server.BaseAddress.Authority)
            {
                continue; // another site (the .NET reference for System types, the repository)
            }

            checkedLinks++;
            string? file = server.FileFor(target.AbsolutePath);
            if (file is null || !File.Exists(file))
            {
                broken.Add(href);
            }
        }

        Assert.True(broken.Count == 0, $"{page.AbsolutePath} links to pages the site does not have: {string.Join(", ", broken.Distinct())}");
        Assert.True(checkedLinks >= minimumLinks, $"{page.AbsolutePath} has only {checkedLinks} links into the site; expected at least {minimumLinks} (did the page render?).");
    }

    [GeneratedRegex(@"\shref=""([^""]*)""")]
    private static partial Regex Href();
}

using System.Diagnostics;
using SmallFilesCache;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>Configuration errors stop the SmallFilesCache daemon at start, in one line, before any round.</summary>
public sealed class SiteOptionsCheckTests
{
    [Theory]
    [InlineData("media", "Site:Media: Unknown media profile")]
    [InlineData("orphan", "routes to disk library \"nowhere\"")]
    [InlineData("policy", "Site:Policies:")]
    [InlineData("no-libraries", "at least one disk library")]
    [InlineData("twice", "given twice")]
    [InlineData("shared-drive", "drive 0 is given to both")]
    [InlineData("limits", "RecallListMaxEntries")]
    [InlineData("mount-wait", "Site:MountWait")]
    public void A_bad_configuration_is_one_sentence_naming_the_setting(string mistake, string expected)
    {
        SiteOptions site = Good();
        switch (mistake)
        {
            case "media": site.Media = "LTO-99"; break;
            case "orphan": site.Policies.Rules[0].DiskLibrary = "nowhere"; break;
            case "policy": site.Policies.Rules.Add(new PolicyRule { Name = "default", DiskLibrary = "dl1" }); break; // two rules of one name
            case "no-libraries": site.DiskLibraries.Clear(); break;
            case "twice": site.DiskLibraries.Add(new DiskLibraryOptions { Name = "dl1", Drives = [1] }); break;
            case "shared-drive": site.ScheduleDrives = false; site.DiskLibraries.Add(new DiskLibraryOptions { Name = "dl2", Drives = [0] }); break;
            case "limits": site.RecallListMaxEntries = 0; break;
            case "mount-wait": site.MountWait = site.WorkLease; break; // the lists' leases would run out while a session waits
        }

        var e = Assert.Throws<ArgumentException>(() => SiteOptionsCheck.Validate(site));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_shipped_configuration_passes()
    {
        SiteOptionsCheck.Validate(Good());
    }

    [Fact]
    public async Task The_daemon_with_a_bad_configuration_exits_2_at_start_with_one_line_and_creates_nothing()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"), $$"""
            { "Site": { "Root": "{{root}}", "Media": "LTO-99",
              "DiskLibraries": [ { "Name": "dl1", "Drives": [ 0 ] } ],
              "Policies": { "Version": 1, "Rules": [ { "Name": "default", "DiskLibrary": "dl1" } ] } } }
            """);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SmallFilesCache.dll"));
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        string line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("smallfilescache: Site:Media: Unknown media profile \"LTO-99\"", line, StringComparison.Ordinal);
        Assert.Equal("", await stdout);
        Assert.False(Directory.Exists(root));
    }

    private static SiteOptions Good() => new()
    {
        Root = "/srv/sfa",
        DiskLibraries = [new DiskLibraryOptions { Name = "dl1", Drives = [0] }],
        Policies = new PolicySet { Version = 1, Rules = [new PolicyRule { Name = "default", DiskLibrary = "dl1", TapePool = "pool-dl1" }] },
    };
}

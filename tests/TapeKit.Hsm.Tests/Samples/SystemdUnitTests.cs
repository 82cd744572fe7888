using System.Diagnostics;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The shipped systemd unit runs the daemon unprivileged and hardened, and systemd accepts it.</summary>
public sealed class SystemdUnitTests
{
    private static readonly string Unit = Path.Combine(RepositoryRoot(), "samples", "SmallFilesCache", "deploy", "smallfilescache.service");

    [Fact]
    public void The_unit_runs_the_daemon_as_an_unprivileged_user_with_the_hardening_options()
    {
        Dictionary<string, string> keys = File.ReadAllLines(Unit)
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('[') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);

        Assert.NotEqual("root", keys["User"]);
        Assert.NotEqual("0", keys["User"]);
        Assert.Equal("yes", keys["NoNewPrivileges"]);
        Assert.Equal("strict", keys["ProtectSystem"]);
        Assert.False(string.IsNullOrEmpty(keys["ReadWritePaths"]));
        Assert.Equal("", keys["CapabilityBoundingSet"]);
        Assert.Equal("0077", keys["UMask"]);
        Assert.Equal("yes", keys["ProtectHome"]);
        Assert.Equal("yes", keys["PrivateTmp"]);
        Assert.Equal("yes", keys["RestrictSUIDSGID"]);
        Assert.Equal("2", keys["RestartPreventExitStatus"]); // the exit code of a configuration error (SiteOptionsCheck)
    }

    [Fact]
    public void Systemd_accepts_the_unit()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") || !File.Exists("/usr/bin/dotnet"))
        {
            return; // verify also checks that ExecStart's program exists
        }

        var info = new ProcessStartInfo("/usr/bin/systemd-analyze") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("verify");
        info.ArgumentList.Add(Unit);
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && !output.Contains(Path.GetFileName(Unit), StringComparison.Ordinal), output);
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

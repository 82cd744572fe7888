using System.Diagnostics;

namespace TapeKit.Campaign;

/// <summary>
/// The cache-full and stage-full kinds mount small tmpfs areas; the campaign runs itself again under
/// <c>unshare -rm</c> (a user and mount namespace of its own, no privilege needed where user namespaces are allowed) so
/// that the mounts are private to it and its child processes and vanish with it.
/// </summary>
internal static class Unshare
{
    /// <summary>Whether the options ask for a kind that mounts areas and this process is not in its own namespace yet.</summary>
    public static bool Needed(CampaignOptions options) =>
        !AreaMount.Available && (options.Replay is { Kind: CampaignFault.CacheFull or CampaignFault.StageFull }
            || (options.Replay is null && options.Kinds.Any(k => k is CampaignFault.CacheFull or CampaignFault.StageFull)));

    /// <summary>Runs this campaign again under <c>unshare -rm</c>; false (and the kinds are reported not run) when unshare does not work here.</summary>
    public static bool TryRerun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (Run("unshare", ["-rm", "true"], inherit: false) != 0)
        {
            return false;
        }

        string self = Environment.ProcessPath ?? "dotnet";
        List<string> command = ["-rm", "--", self];
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            command.Add(typeof(Unshare).Assembly.Location);
        }

        command.AddRange(args);
        exitCode = Run("unshare", command, inherit: true);
        return true;
    }

    private static int Run(string file, IEnumerable<string> args, bool inherit)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = !inherit, RedirectStandardOutput = !inherit };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment[AreaMount.UnshareVariable] = "1";
        try
        {
            using Process p = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no unshare on this machine
        }
    }
}

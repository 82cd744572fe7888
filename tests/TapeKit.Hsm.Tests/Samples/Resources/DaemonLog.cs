using TapeKit.Campaign.Crash;

namespace TapeKit.Hsm.Tests.Samples.Resources;

/// <summary>Reads the console log of a daemon started as an OS process while it is still being written.</summary>
internal static class DaemonLog
{
    /// <summary>The lines of <paramref name="path"/> that contain <paramref name="text"/> (ordinal); none when the file is not there yet.</summary>
    public static string[] Lines(string path, string text)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal))];
    }

    /// <summary>The last <paramref name="count"/> lines of <paramref name="path"/>, for a failure message.</summary>
    public static string Tail(string path, int count = 30)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(count));
    }

    /// <summary>Waits until the daemon logging to <paramref name="path"/> says it serves its site (its catalogue is set up).</summary>
    public static Task<bool> StartedAsync(DaemonProcess daemon, string root, string path, List<string> failures) =>
        DaemonWait.UntilAsync(daemon, root, () => Lines(path, "SFA site at").Length > 0, TimeSpan.FromSeconds(60), "the daemon started", failures);
}

using System.Diagnostics;

namespace TapeKit.Campaign;

/// <summary>
/// A small tmpfs mounted over a site's cache or stage area, so that the area really fills up (<c>ENOSPC</c>) while
/// the rest of the machine does not: a ballast file takes all but a few KiB, and deleting it is the space coming back.
/// Mounting needs a private mount namespace (the campaign runs itself under <c>unshare -rm</c> for these kinds), so
/// nothing is ever mounted on the machine's own tree.
/// </summary>
internal sealed class AreaMount : IDisposable
{
    private const long Size = 8L << 20;
    private readonly string _ballast;

    private AreaMount(string directory)
    {
        Directory = directory;
        _ballast = Path.Combine(directory, ".campaign-ballast");
    }

    /// <summary>The area.</summary>
    public string Directory { get; }

    /// <summary>Whether this process has a mount namespace of its own (set up by the campaign's re-run under unshare).</summary>
    public static bool Available => Environment.GetEnvironmentVariable(UnshareVariable) == "1";

    /// <summary>The environment variable the campaign sets when it runs itself under <c>unshare -rm</c>.</summary>
    public const string UnshareVariable = "TAPEKIT_CAMPAIGN_UNSHARED";

    /// <summary>Mounts an 8 MiB tmpfs (mode 0700) at <paramref name="directory"/>, made if missing.</summary>
    public static AreaMount Mount(string directory)
    {
        if (!Available)
        {
            throw new InvalidOperationException($"Cannot mount a small area at {directory}: the campaign is not in a mount namespace of its own.");
        }

        System.IO.Directory.CreateDirectory(directory);
        Run("mount", "-t", "tmpfs", "-o", $"size={Size},mode=0700", "tmpfs", directory);
        return new AreaMount(directory);
    }

    /// <summary>Fills the area but <paramref name="free"/> bytes.</summary>
    public void Fill(long free)
    {
        var drive = new DriveInfo(Directory);
        long take = Math.Max(0, drive.AvailableFreeSpace - free);
        byte[] chunk = new byte[1 << 16];
        using var ballast = new FileStream(_ballast, FileMode.Append, FileAccess.Write);
        for (long written = 0; written < take; written += chunk.Length)
        {
            try
            {
                ballast.Write(chunk, 0, (int)Math.Min(chunk.Length, take - written));
            }
            catch (IOException)
            {
                break; // full already
            }
        }
    }

    /// <summary>The space comes back.</summary>
    public void Release() => File.Delete(_ballast);

    /// <summary>Unmounts (lazily: a file the site still holds does not keep it).</summary>
    public void Dispose() => Run("umount", "-l", Directory);

    private static void Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start.");
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({p.ExitCode}): {error.Trim()}");
        }
    }
}

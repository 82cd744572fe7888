using System.Diagnostics;
namespace TapeKit.Campaign.Crash;

/// <summary>
/// A small tmpfs for a site's catalogue, so that the catalogue's disk really fills up (<c>ENOSPC</c>, SQLite's
/// <c>FULL</c>) while the cache areas and the inbox do not. It is mounted in a user and mount namespace of its own
/// (<c>unshare -rm</c>, no privilege needed where user namespaces are allowed), which a holder process keeps for as long
/// as this object lives: daemons join it (<see cref="Wrapper"/>: <c>nsenter</c>), so that the catalogue outlives their
/// restarts, and the test reaches its files through <c>/proc/&lt;holder&gt;/root</c>. Nothing is mounted on the
/// machine's own tree; the mount vanishes with the holder.
/// </summary>
internal sealed class CatalogueDisk : IDisposable
{
    private readonly Process _holder;

    private CatalogueDisk(Process holder, string directory)
    {
        _holder = holder;
        Directory = directory;
    }

    /// <summary>The mounted directory, as the daemons see it.</summary>
    public string Directory { get; }

    /// <summary>The catalogue's file, as the daemons see it (<c>catalogue.db</c> in <see cref="Directory"/>).</summary>
    public string Catalogue => Path.Combine(Directory, "catalogue.db");

    /// <summary>The command that runs a daemon inside the namespace, in <paramref name="workingDirectory"/> (see <see cref="DaemonProcess.Start"/>).</summary>
    public IReadOnlyList<string> Wrapper(string workingDirectory) =>
        ["nsenter", "-t", _holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "-m", "--preserve-credentials", $"--wd={workingDirectory}", "--"];

    /// <summary>Why the namespace cannot be had here (<c>unshare -rm</c> or <c>nsenter</c> missing or refused), or <see langword="null"/>.</summary>
    public static string? Unavailable()
    {
        foreach ((string command, string[] args) in new[] { ("unshare", new[] { "-rm", "true" }), ("nsenter", new[] { "--version" }) })
        {
            try
            {
                using Process p = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    return $"{command} {string.Join(' ', args)} failed here (exit {p.ExitCode}): no user and mount namespace of our own for the catalogue's small disk";
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return $"{command} is not installed: no user and mount namespace of our own for the catalogue's small disk";
            }
        }

        return null;
    }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> bytes (mode 0700) at <paramref name="directory"/>, made if missing.</summary>
    public static CatalogueDisk Mount(string directory, long size)
    {
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("unshare") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The holder waits on its standard input: it ends when this object is disposed, or when this process dies.
        foreach (string a in new[] { "-rm", "--", "sh", "-c", "mount -t tmpfs -o \"size=$1,mode=0700\" tmpfs \"$0\" && echo mounted && exec cat", directory, size.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        Process holder = Process.Start(info) ?? throw new InvalidOperationException("unshare did not start.");
        string? line = holder.StandardOutput.ReadLine();
        if (line != "mounted")
        {
            holder.StandardInput.Close();
            string error = holder.StandardError.ReadToEnd();
            holder.WaitForExit();
            holder.Dispose();
            throw new InvalidOperationException($"Could not mount a tmpfs at {directory} in a namespace of its own: {error.Trim()}");
        }

        return new CatalogueDisk(holder, directory);
    }

    /// <summary>A path inside the namespace, as this process reaches it.</summary>
    public string Here(string path) => $"/proc/{_holder.Id}/root{Path.GetFullPath(path)}";

    /// <summary>
    /// Fills the disk to the last byte with a ballast file. The catalogue's write-ahead log has no room inside it either:
    /// the site checkpoints it every 8192 pages (32 MiB, <c>SqliteHsmOptions.WalCheckpointPages</c>), more than this disk
    /// holds, so it has only ever grown, and the next commit needs new blocks. Returns the ballast's size.
    /// </summary>
    public long Fill()
    {
        long written = 0;
        using var ballast = new FileStream(Here(Path.Combine(Directory, ".ballast")), FileMode.Append, FileAccess.Write, FileShare.None, 1);
        foreach (int size in new[] { 1 << 16, 4096, 512, 1 })
        {
            byte[] chunk = new byte[size];
            try
            {
                while (true)
                {
                    ballast.Write(chunk);
                    written += size;
                }
            }
            catch (IOException)
            {
                // Full at this granularity: try the smaller one.
            }
        }

        return written;
    }

    /// <summary>
    /// A copy of the catalogue (its file and its write-ahead log) this process can open: SQLite resolves the symbolic
    /// links of a path, <c>/proc/&lt;holder&gt;/root</c> included, so it cannot open the catalogue where it is. The copy is
    /// exact while the daemon is stopped or cannot write (the disk full); while it writes, a copy may be torn (a reader
    /// tries again).
    /// </summary>
    public string Snapshot()
    {
        string directory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Directory))!, "catalogue-snapshot");
        System.IO.Directory.CreateDirectory(directory);
        string copy = Path.Combine(directory, "catalogue.db");
        foreach (string suffix in new[] { "-wal", "-shm", "-journal", "" })
        {
            File.Delete(copy + suffix);
        }

        File.Copy(Here(Catalogue), copy);
        if (File.Exists(Here(Catalogue + "-wal")))
        {
            File.Copy(Here(Catalogue + "-wal"), copy + "-wal");
        }

        return copy;
    }

    /// <summary>The space comes back.</summary>
    public void Release() => File.Delete(Here(Path.Combine(Directory, ".ballast")));

    /// <summary>Ends the holder: the namespace and its mount go with it.</summary>
    public void Dispose()
    {
        try
        {
            _holder.StandardInput.Close();
            if (!_holder.WaitForExit(10_000))
            {
                _holder.Kill();
                _holder.WaitForExit();
            }
        }
        finally
        {
            _holder.Dispose();
        }
    }
}

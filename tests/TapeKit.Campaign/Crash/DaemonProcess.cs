using System.Diagnostics;

namespace TapeKit.Campaign.Crash;

/// <summary>
/// The SmallFilesCache daemon as a child OS process (<c>dotnet SmallFilesCache.dll</c>) in its site directory, which
/// holds its <c>appsettings.json</c>; its console goes to one log file per start. <see cref="Kill"/> is SIGKILL on Linux.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private DaemonProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Whether the process is still running.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>The daemon's process id (the wrapper's, which execs the daemon: <c>prlimit</c>, <c>nsenter</c>).</summary>
    public int Id => _process.Id;

    /// <summary>Starts the daemon with <paramref name="siteDirectory"/> as its working directory.</summary>
    /// <param name="siteDirectory">The working directory, holding <c>appsettings.json</c>.</param>
    /// <param name="logPath">Where its console goes (appended).</param>
    /// <param name="wrapper">A command that execs the rest of its arguments (the daemon's command line) in a changed
    /// environment — <c>prlimit --nofile=N:N --</c>, <c>nsenter -t PID -U -m --</c>; none: the daemon itself.</param>
    public static DaemonProcess Start(string siteDirectory, string logPath, IReadOnlyList<string>? wrapper = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "SmallFilesCache.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var info = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : host)
        {
            WorkingDirectory = siteDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper is { Count: > 0 })
        {
            foreach (string a in wrapper.Skip(1))
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add(host);
        }

        info.ArgumentList.Add(dll);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new DaemonProcess(process, log);
    }

    /// <summary>SIGKILL to the daemon and its children; returns once it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream is not null)
            {
                log.WriteLine(line);
            }
        }
    }
}

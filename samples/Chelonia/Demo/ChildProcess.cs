using System.Diagnostics;
using Chelonia.Hosting;

namespace Chelonia.Demo;

/// <summary>
/// One service of the demo as a child process of this executable, its output appended to a log file. It binds a free
/// loopback port and announces its URL on its first line; it watches this process and exits when it is gone.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly string _name;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _logPath;
    private readonly Lock _gate = new();
    private Process? _process;
    private StreamWriter? _log;

    /// <summary>Describes the child.</summary>
    /// <param name="name">Its name (for logs and errors).</param>
    /// <param name="arguments">Its command and options.</param>
    /// <param name="logFolder">Where its log goes.</param>
    public ChildProcess(string name, IReadOnlyList<string> arguments, string logFolder)
    {
        _name = name;
        _arguments = arguments;
        Directory.CreateDirectory(logFolder);
        _logPath = Path.Combine(logFolder, name + ".log");
    }

    /// <summary>Its URL, once started.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Starts it and waits for its URL.</summary>
    /// <param name="timeout">How long it may take to listen.</param>
    /// <exception cref="DemoException">It exited or did not announce a URL in time.</exception>
    public async Task<string> StartAsync(TimeSpan timeout)
    {
        (string host, string[] prefix) = SelfCommand();
        var start = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in prefix.Concat(_arguments).Concat(["--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            start.ArgumentList.Add(a);
        }

        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith(ServiceHost.ListeningPrefix, StringComparison.Ordinal))
            {
                _ = url.TrySetResult(e.Data[ServiceHost.ListeningPrefix.Length..].Trim());
            }

            Write(log, e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Write(log, e.Data);
            }
        };
        process.Exited += (_, _) => url.TrySetException(new DemoException($"{_name} exited (code {SafeExitCode(process)}) before it listened; see {_logPath}."));
        lock (_gate)
        {
            _process?.Dispose();
            _log?.Dispose();
            _process = process;
            _log = log;
            if (!process.Start())
            {
                throw new DemoException($"{_name} did not start.");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        try
        {
            Url = await url.Task.WaitAsync(timeout);
            return Url;
        }
        catch (TimeoutException)
        {
            throw new DemoException($"{_name} announced no URL within {timeout.TotalSeconds:0} s; see {_logPath}.");
        }
    }

    /// <summary>Kills it with SIGKILL (a crash) and waits until it is gone.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process is { } p)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true); // SIGKILL on Unix
                    }

                    _ = p.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                    // never started or already reaped
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        lock (_gate)
        {
            _process?.Dispose();
            _process = null;
            _log?.Dispose();
            _log = null;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{_name} {Url}";

    private static void Write(StreamWriter log, string line)
    {
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static string SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>
    /// How to run this executable again: its apphost when it runs from one (<c>dotnet run</c>), else the dotnet host with
    /// its assembly (a test host loaded it).
    /// </summary>
    private static (string Host, string[] Prefix) SelfCommand()
    {
        string self = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(ChildProcess).Assembly.Location;
        bool apphost = Path.GetFileNameWithoutExtension(self) == Path.GetFileNameWithoutExtension(assembly);
        string host = Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        return apphost ? (self, []) : (host, [assembly]);
    }
}

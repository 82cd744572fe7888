using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SmallFilesCache.Cluster;

/// <summary>
/// One role of a clustered site run as its own OS process (this sample's <c>node</c> command), with its output appended
/// to <c>Root/cluster/logs/NAME.log</c>. It can be stopped (SIGTERM: the node finishes its round and exits), killed
/// (SIGKILL, as a crash), and started again: a new incarnation of the same instance name.
/// </summary>
public sealed partial class NodeProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly string _configPath;
    private readonly string _logPath;
    private readonly Lock _gate = new();
    private Process? _process;

    /// <summary>Describes the process; <see cref="Start"/> runs it.</summary>
    /// <param name="instanceName">Its instance name (stable across restarts).</param>
    /// <param name="role">Its role.</param>
    /// <param name="diskLibrary">A migrator's disk library.</param>
    /// <param name="configPath">The site's configuration file.</param>
    /// <param name="logFolder">Where its log goes.</param>
    public NodeProcess(string instanceName, SiteRole role, string? diskLibrary, string configPath, string logFolder)
    {
        InstanceName = instanceName;
        Role = role;
        DiskLibrary = diskLibrary;
        _configPath = configPath;
        Directory.CreateDirectory(logFolder);
        _logPath = Path.Combine(logFolder, instanceName.Replace('/', '_') + ".log");
    }

    /// <summary>Its instance name.</summary>
    public string InstanceName { get; }

    /// <summary>Its role.</summary>
    public SiteRole Role { get; }

    /// <summary>A migrator's disk library.</summary>
    public string? DiskLibrary { get; }

    /// <summary>Times it was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Whether it runs now.</summary>
    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>Starts it (again) unless it runs; the fault campaign and the supervisor may both try.</summary>
    /// <returns>Whether this call started it.</returns>
    public bool Start()
    {
        lock (_gate)
        {
            return Running ? false : StartCore();
        }
    }

    private bool StartCore()
    {
        Process? previous = _process;
        (string host, string[] prefix) = SelfCommand();
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // exec: the shell becomes the node, so the pid signalled is the node's own; its output is appended to the log.
        string command = string.Join(' ', new[] { host }.Concat(prefix).Concat(Arguments()).Select(Quote)) + " >>" + Quote(_logPath) + " 2>&1";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec " + command);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{InstanceName} did not start.");
        previous?.Dispose();
        Starts++;
        return true;
    }

    /// <summary>Kills it with SIGKILL (a crash at a random moment) and waits for it to be gone.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false } p)
            {
                p.Kill(); // SIGKILL on Unix.
                p.WaitForExit();
            }
        }
    }

    /// <summary>Asks it to stop (SIGTERM) and waits up to <paramref name="grace"/>, then kills it.</summary>
    /// <param name="grace">How long it may take to finish its round.</param>
    public async Task StopAsync(TimeSpan grace)
    {
        Process? p;
        lock (_gate)
        {
            p = _process is { HasExited: false } running ? running : null;
        }

        if (p is null)
        {
            return;
        }

        _ = SendSignal(p.Id, SigTerm);
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await p.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>The last lines of its log (for an error message).</summary>
    /// <param name="lines">How many.</param>
    public string LogTail(int lines = 20) =>
        File.Exists(_logPath) ? string.Join('\n', File.ReadLines(_logPath).TakeLast(lines)) : "(no log)";

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        lock (_gate)
        {
            _process?.Dispose();
        }
    }

    private IEnumerable<string> Arguments()
    {
        yield return "node";
        yield return Role.ToString().ToLowerInvariant();
        yield return "--config";
        yield return _configPath;
        yield return "--instance";
        yield return InstanceName;
        if (DiskLibrary is not null)
        {
            yield return "--disk-library";
            yield return DiskLibrary;
        }
    }

    /// <summary>
    /// How to run this sample again: its own executable when it runs from its apphost (<c>dotnet run</c>), else the
    /// dotnet host with its assembly (a test host loaded it).
    /// </summary>
    private static (string Host, string[] Prefix) SelfCommand()
    {
        string self = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(NodeProcess).Assembly.Location;
        bool apphost = Path.GetFileNameWithoutExtension(self) == Path.GetFileNameWithoutExtension(assembly);
        string host = Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        return apphost ? (self, []) : (host, [assembly]);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{InstanceName} ({Role}{(DiskLibrary is null ? "" : " " + DiskLibrary)}, started {Starts}×)");
}

// SmallFilesCache: the reference host of the clustered Enstore SFA design, on TapeKit's embedded default
// (SQLite catalogue and queues) and a virtual tape library.
//   dotnet run --project samples/SmallFilesCache -c Release -- demo [--json] [--files N] [--recalls N] [--seed S] [--root DIR] [--own-drives]
//   dotnet run --project samples/SmallFilesCache -c Release -- demo --cluster --postgres CONNSTR [--rabbitmq AMQP_URI] [--kills N ...]
//   dotnet run --project samples/SmallFilesCache -c Release -- node dispatcher|migrator --config FILE --instance NAME [--disk-library NAME]
//   dotnet run --project samples/SmallFilesCache -c Release                      (the daemon; appsettings.json)
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmallFilesCache;
using SmallFilesCache.Cluster;

if (args.Length > 0 && args[0] == "demo")
{
    DemoArguments demo;
    try
    {
        demo = ParseDemo(args.AsSpan(1));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"smallfilescache demo: {e.Message}");
        return 2;
    }

    using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    DemoReport report = await Demo.RunAsync(demo, loggers, progress: !demo.Json && !Console.IsOutputRedirected, cancel.Token);
    if (demo.Json)
    {
        Console.WriteLine(report.ToJson());
    }
    else
    {
        report.Render();
    }

    // The demo fails (exit 1) unless every file was archived and every recalled byte verified.
    return report.FilesLost == 0 && report.FilesVerified == report.FilesRequested && report.FilesArchived == report.FilesIngested ? 0 : 1;
}

if (args.Length > 0 && args[0] == "node")
{
    NodeArguments node;
    SiteOptions site;
    try
    {
        node = ParseNode(args.AsSpan(1));
        site = SiteConfigFile.Read(node.Config);
        site.InstanceName = node.Instance;
        SiteOptionsCheck.Validate(site);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"smallfilescache node: {e.Message}");
        return 2;
    }

    using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(LogLevel.Information));
    using var stop = new CancellationTokenSource();
    // SIGTERM and Ctrl-C end the current round and the process; SIGKILL is a crash, recovered at the next start.
    using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    try
    {
        await ClusterNode.RunAsync(node.Role, site, node.DiskLibrary, loggers, stop.Token);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"smallfilescache node: {e.Message}");
        return 2;
    }

    return 0;
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<SiteOptions>(builder.Configuration.GetSection("Site"));
try
{
    // Configuration errors stop the daemon here, in one line, before any round starts.
    SiteOptions configured = builder.Configuration.GetSection("Site").Get<SiteOptions>() ?? new SiteOptions();
    SiteOptionsCheck.Validate(configured);
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
{
    Console.Error.WriteLine($"smallfilescache: {e.Message}");
    return 2;
}

builder.Services.AddHostedService<CacheDaemon>();
await builder.Build().RunAsync();
return 0;

static DemoArguments ParseDemo(ReadOnlySpan<string> args)
{
    var result = new DemoArguments();
    var chaos = new ChaosOptions();
    bool chaosAsked = false;
    for (int i = 0; i < args.Length; i++)
    {
        string name = args[i];
        string Value(ReadOnlySpan<string> a, ref int index) =>
            index + 1 < a.Length ? a[++index] : throw new ArgumentException($"{name} needs a value.");
        int Positive(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer, not '{text}'.");
        if (name is "--kills" or "--chaos-seed" or "--restart-postgres" or "--restart-rabbitmq")
        {
            string value = Value(args, ref i);
            chaosAsked = true;
            chaos = name switch
            {
                "--kills" => chaos with { Kills = Positive(value) },
                "--chaos-seed" => chaos with { Seed = Positive(value) },
                "--restart-postgres" => chaos with { RestartPostgres = value },
                _ => chaos with { RestartRabbitMq = value },
            };
            continue;
        }

        result = name switch
        {
            "--json" => result with { Json = true },
            "--files" => result with { Files = Positive(Value(args, ref i)) },
            "--recalls" => result with { Recalls = Positive(Value(args, ref i)) },
            "--seed" => result with { Seed = Positive(Value(args, ref i)) },
            "--root" => result with { Root = Path.GetFullPath(Value(args, ref i)) },
            "--cluster" => result with { Cluster = true },
            "--schedule-drives" => result with { ScheduleDrives = true }, // The default since the scheduler is; kept for scripts.
            "--own-drives" => result with { ScheduleDrives = false },
            "--postgres" => result with { Postgres = Value(args, ref i) },
            "--rabbitmq" => result with { RabbitMq = Value(args, ref i) },
            _ => throw new ArgumentException($"unknown option '{name}' (known: --json, --files N, --recalls N, --seed S, --root DIR, --cluster, --own-drives, --schedule-drives, --postgres CONNSTR, --rabbitmq URI, --kills N, --chaos-seed S, --restart-postgres CMD, --restart-rabbitmq CMD)."),
        };
    }

    if (result.Cluster && string.IsNullOrEmpty(result.Postgres))
    {
        throw new ArgumentException("--cluster needs --postgres CONNSTR: the processes share the PostgreSQL catalogue.");
    }

    if (!result.Cluster && (result.Postgres is not null || result.RabbitMq is not null || chaosAsked))
    {
        throw new ArgumentException("--postgres, --rabbitmq and the kill options belong to --cluster.");
    }

    return chaosAsked ? result with { Chaos = chaos } : result;
}

static NodeArguments ParseNode(ReadOnlySpan<string> args)
{
    if (args.Length == 0 || args[0] is not ("dispatcher" or "migrator"))
    {
        throw new ArgumentException("the role comes first: 'dispatcher' or 'migrator'.");
    }

    SiteRole role = args[0] == "dispatcher" ? SiteRole.Dispatcher : SiteRole.Migrator;
    string? config = null, instance = null, diskLibrary = null;
    for (int i = 1; i < args.Length; i++)
    {
        string name = args[i];
        string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
        switch (name)
        {
            case "--config": config = Path.GetFullPath(value); break;
            case "--instance": instance = value; break;
            case "--disk-library": diskLibrary = value; break;
            default: throw new ArgumentException($"unknown option '{name}' (known: --config FILE, --instance NAME, --disk-library NAME).");
        }
    }

    if (config is null || instance is null)
    {
        throw new ArgumentException("--config FILE and --instance NAME are required.");
    }

    if ((role == SiteRole.Migrator) != (diskLibrary is not null))
    {
        throw new ArgumentException(role == SiteRole.Migrator ? "a migrator needs --disk-library NAME." : "--disk-library is a migrator's option.");
    }

    return new NodeArguments(role, config, instance, diskLibrary);
}

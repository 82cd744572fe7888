// SmallFilesCache: the reference host of the clustered Enstore SFA design, on TapeKit's embedded default
// (SQLite catalogue and queues) and a virtual tape library.
//   dotnet run --project samples/SmallFilesCache -c Release -- demo [--json] [--files N] [--recalls N] [--seed S] [--root DIR]
//   dotnet run --project samples/SmallFilesCache -c Release                      (the daemon; appsettings.json)
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmallFilesCache;

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

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<SiteOptions>(builder.Configuration.GetSection("Site"));
builder.Services.AddHostedService<CacheDaemon>();
await builder.Build().RunAsync();
return 0;

static DemoArguments ParseDemo(ReadOnlySpan<string> args)
{
    var result = new DemoArguments();
    for (int i = 0; i < args.Length; i++)
    {
        string name = args[i];
        string Value(ReadOnlySpan<string> a, ref int index) =>
            index + 1 < a.Length ? a[++index] : throw new ArgumentException($"{name} needs a value.");
        int Positive(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer, not '{text}'.");
        result = name switch
        {
            "--json" => result with { Json = true },
            "--files" => result with { Files = Positive(Value(args, ref i)) },
            "--recalls" => result with { Recalls = Positive(Value(args, ref i)) },
            "--seed" => result with { Seed = Positive(Value(args, ref i)) },
            "--root" => result with { Root = Path.GetFullPath(Value(args, ref i)) },
            _ => throw new ArgumentException($"unknown option '{name}' (known: --json, --files N, --recalls N, --seed S, --root DIR)."),
        };
    }

    return result;
}

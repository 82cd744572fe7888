// TapeGateway: the reference host of the CASTOR design on TapeKit — a tape gateway turning migration and recall work
// into tape sessions through the drive scheduler, an aggregator writing ALB files with IL payloads, a small name server.
//   dotnet run --project samples/TapeGateway -c Release -- demo [--json] [--files N] [--recalls N] [--recall-hours H] [--seed S] [--mode classic|tapekit] [--root DIR]
//   dotnet run --project samples/TapeGateway -c Release -- migrate [--files N] [--mode classic|tapekit] [--root DIR]
//   dotnet run --project samples/TapeGateway -c Release -- recall [--mode classic|tapekit] [--root DIR] FILEID...
//   dotnet run --project samples/TapeGateway -c Release -- dump|verify --vsn VSN [--root DIR]
//   dotnet run --project samples/TapeGateway -c Release -- import-labels [--root DIR] samples/TapeLabelSets/labels/castor-tape.labels
//   dotnet run --project samples/TapeGateway -c Release                      (the daemon; appsettings.json)
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TapeGateway;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
// Anything that is not a command (nothing, or --Section:Key=value settings) runs the daemon.
string command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "";
try
{
    switch (command)
    {
        case "demo":
        {
            DemoArguments demo = CommandLine.ParseDemo(args.AsSpan(1));
            DemoReport report = await Demo.RunAsync(demo, demo.Json ? null : Console.Error, cancel.Token);
            Console.WriteLine(report.ToJson());
            ModeReport[] modes = [.. new[] { report.Classic, report.Tapekit }.OfType<ModeReport>()];
            // The demo fails (exit 1) unless every file was archived and every recalled byte verified.
            return modes.All(m => m.FilesLost == 0 && m.FilesArchived == report.Files) ? 0 : 1;
        }

        case "migrate":
        {
            CommandArguments a = CommandLine.Parse(args.AsSpan(1), "--files", "--mode", "--root");
            return await OperatorCommands.MigrateAsync(Configured(a.Root), GatewayMode.Parse(a.Mode ?? "tapekit"), a.Files ?? 0, Console.Out, cancel.Token);
        }

        case "recall":
        {
            CommandArguments a = CommandLine.Parse(args.AsSpan(1), "--mode", "--root");
            return await OperatorCommands.RecallAsync(Configured(a.Root), GatewayMode.Parse(a.Mode ?? "tapekit"), OperatorCommands.ParseIds(a.Rest), Console.Out, cancel.Token);
        }

        case "dump" or "verify":
        {
            CommandArguments a = CommandLine.Parse(args.AsSpan(1), "--vsn", "--root");
            string vsn = a.Vsn ?? throw new ArgumentException("--vsn VSN is required.");
            return await OperatorCommands.DumpAsync(Configured(a.Root), vsn, verify: command == "verify", Console.Out, cancel.Token);
        }

        case "import-labels":
        {
            CommandArguments a = CommandLine.Parse(args.AsSpan(1), "--root");
            string labels = a.Rest.Count == 1 ? a.Rest[0] : throw new ArgumentException("give one label set file.");
            return await OperatorCommands.ImportLabelsAsync(Configured(a.Root), labels, Console.Out, cancel.Token);
        }

        case "":
            break;

        default:
            throw new ArgumentException($"unknown command '{command}' (known: demo, migrate, recall, dump, verify, import-labels; none runs the daemon).");
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"tapegateway {command}: {e.Message}");
    return 2;
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
// The settings next to the program, whatever the working directory; the command line still wins.
builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true).AddCommandLine(args);
builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection("Gateway"));
builder.Services.AddHostedService<GatewayDaemon>();
await builder.Build().RunAsync();
return 0;

// The operator commands read the daemon's settings (appsettings.json next to the program); --root overrides its root.
static GatewayOptions Configured(string? root)
{
    IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true).Build();
    var options = new GatewayOptions();
    configuration.GetSection("Gateway").Bind(options);
    if (options.Pools.Count == 0 || options.Classes.Count == 0)
    {
        GatewayOptions defaults = Demo.Options(options.Root);
        options.Pools = defaults.Pools;
        options.Classes = defaults.Classes;
    }

    if (root is not null)
    {
        options.Root = Path.GetFullPath(root);
    }

    return options;
}

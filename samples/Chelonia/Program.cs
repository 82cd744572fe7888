using Chelonia;
using Chelonia.Bartender;
using Chelonia.Demo;
using Chelonia.Hosting;
using Chelonia.Librarian;
using Chelonia.Shepherd;

// The Chelonia reference host: one executable, one command per process (librarian, shepherd, bartender), and a demo
// that runs them all as child processes. Exit codes: 0 success, 1 internal error or a failed demo, 2 usage error.
try
{
    CommandLine line = CommandLine.Parse(args, "json", "keep");
    ChelTimings timings = new ChelTimings().With(line);
    int? parent = line.Text("parent-pid") is { } pp ? int.TryParse(pp, System.Globalization.CultureInfo.InvariantCulture, out int pid) ? pid
        : throw new UsageException($"Option --parent-pid must be a process id, not '{pp}'.") : null;
    switch (line.Command)
    {
        case "librarian":
        {
            string db = line.Required("db");
            int port = line.Number("port", 0, 0, 65535);
            line.RejectUnknown();
            await using var app = await LibrarianService.BuildAsync(db, port, timings, TimeProvider.System);
            string url = await ServiceHost.StartAsync(app);
            await ServiceHost.RunAsync(app, url, parent);
            return 0;
        }

        case "shepherd":
        {
            int id = line.Number("id", -1, 0, 9999);
            if (id < 0)
            {
                throw new UsageException("Option --id is required for 'shepherd' (a number, 0 to 9999).");
            }

            string store = line.Required("store");
            Uri librarian = Url(line.Required("librarian"), "librarian");
            int port = line.Number("port", 0, 0, 65535);
            int seed = line.Number("seed", Environment.ProcessId, 0, int.MaxValue);
            line.RejectUnknown();
            (WebApplication app, ShepherdAgent agent) = ShepherdService.Build(ShepherdService.NodeIdOf(id), store, librarian, port, timings, TimeProvider.System, new Random(seed));
            await using (app)
            {
                string url = await ServiceHost.StartAsync(app);
                agent.Start(url);
                await ServiceHost.RunAsync(app, url, parent);
            }

            return 0;
        }

        case "bartender":
        {
            Uri librarian = Url(line.Required("librarian"), "librarian");
            int port = line.Number("port", 0, 0, 65535);
            string spool = line.Text("spool") ?? Path.Combine(Path.GetTempPath(), "chelonia-bartender-" + Environment.ProcessId);
            int needed = line.Number("replicas", 3, 1, 16);
            line.RejectUnknown();
            await using var app = BartenderService.Build(librarian, port, spool, needed, new Random());
            string url = await ServiceHost.StartAsync(app);
            await ServiceHost.RunAsync(app, url, parent);
            return 0;
        }

        case "demo":
        {
            var options = new DemoOptions
            {
                Files = line.Number("files", 2000, 1, 1_000_000),
                Shepherds = line.Number("shepherds", 4, 4, 16),
                Seed = line.Number("seed", 12, 0, int.MaxValue),
                Root = line.Text("root"),
                Keep = line.Flag("keep"),
                Timings = timings,
            };
            bool json = line.Flag("json");
            line.RejectUnknown();
            DemoReport report = await DemoRun.RunAsync(options, Console.Error, CancellationToken.None);
            Console.Out.WriteLine(json ? report.ToJson() : report.ToTable());
            return report.Succeeded ? 0 : 1;
        }

        default:
            throw new UsageException($"Unknown command '{line.Command}': use librarian, shepherd, bartender or demo.");
    }
}
catch (UsageException e)
{
    await Console.Error.WriteLineAsync("chelonia: " + e.Message);
    await Console.Error.WriteLineAsync("usage: chelonia librarian --db FILE [--port N] | shepherd --id N --store DIR --librarian URL [--port N] | bartender --librarian URL [--port N] [--replicas N] | demo [--json] [--files N] [--shepherds N] [--seed N] [--root DIR] [--keep]");
    return 2;
}
catch (DemoException e)
{
    await Console.Error.WriteLineAsync("chelonia demo: " + e.Message);
    return 1;
}

static Uri Url(string text, string option) =>
    Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out Uri? u) && u.Scheme == Uri.UriSchemeHttp
        ? u
        : throw new UsageException($"Option --{option} must be an http URL, not '{text}'.");

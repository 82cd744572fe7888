using System.Net.Sockets;
using System.Text;
using Chelonia.Bartender;
using Chelonia.Hosting;
using Chelonia.Librarian;
using Chelonia.Shepherd;
using Chelonia.Wire;
using Microsoft.AspNetCore.Builder;

namespace TapeKit.Chelonia.Tests;

/// <summary>A Librarian, one Shepherd and a Bartender in this process, each on Kestrel on a free loopback port: tests talk real HTTP to them.</summary>
public sealed class CheloniaWorld : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private ShepherdAgent? _agent;

    private CheloniaWorld(string root) => Root = root;

    /// <summary>The working directory (catalogue, store, spool, and an "outside" directory that must stay empty).</summary>
    public string Root { get; }

    /// <summary>The Shepherd's store directory.</summary>
    public string Store => Path.Combine(Root, "store");

    /// <summary>A directory beside the store that nothing may write into.</summary>
    public string Outside => Path.Combine(Root, "outside");

    public string LibrarianUrl { get; private set; } = "";

    public string ShepherdUrl { get; private set; } = "";

    public string BartenderUrl { get; private set; } = "";

    public LibrarianClient Librarian { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<CheloniaWorld> StartAsync(int neededReplicas = 1)
    {
        var w = new CheloniaWorld(Path.Combine(Path.GetTempPath(), "chelonia-test-" + Guid.NewGuid().ToString("N")[..8]));
        Directory.CreateDirectory(w.Outside);
        var timings = new ChelTimings();
        WebApplication librarian = await LibrarianService.BuildAsync(Path.Combine(w.Root, "librarian.db"), 0, timings, TimeProvider.System);
        w._apps.Add(librarian);
        w.LibrarianUrl = await ServiceHost.StartAsync(librarian);
        w.Librarian = new LibrarianClient(new HttpClient { BaseAddress = new Uri(w.LibrarianUrl + "/") });
        (WebApplication shepherd, ShepherdAgent agent) = ShepherdService.Build("shepherd-1", w.Store, new Uri(w.LibrarianUrl + "/"), 0, timings, TimeProvider.System, new Random(1));
        w._apps.Add(shepherd);
        w._agent = agent;
        w.ShepherdUrl = await ServiceHost.StartAsync(shepherd);
        agent.Start(w.ShepherdUrl);
        WebApplication bartender = BartenderService.Build(new Uri(w.LibrarianUrl + "/"), 0, Path.Combine(w.Root, "spool"), neededReplicas, new Random(1));
        w._apps.Add(bartender);
        w.BartenderUrl = await ServiceHost.StartAsync(bartender);
        await CheloniaWorld.UntilAsync("the Shepherd to register", async () => (await w.Librarian.GetNodesAsync()).Any(n => n.IsOnline));
        return w;
    }

    public static async Task UntilAsync(string what, Func<Task<bool>> done, double seconds = 20)
    {
        DateTime end = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < end, $"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends raw request bytes (paths exactly as written, no client-side normalisation) and returns the status and body.</summary>
    public static async Task<(int Status, string Body)> RawAsync(string baseUrl, string method, string target, byte[]? body = null, long? declaredLength = null, bool close = true)
    {
        var uri = new Uri(baseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        NetworkStream s = tcp.GetStream();
        long length = declaredLength ?? body?.Length ?? 0;
        string head = $"{method} {target} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nContent-Length: {length}\r\nX-Checksum: xxh3:0000000000000000\r\nConnection: close\r\n\r\n";
        await s.WriteAsync(Encoding.ASCII.GetBytes(head));
        if (body is not null)
        {
            await s.WriteAsync(body);
        }

        if (close && declaredLength is not null && declaredLength > (body?.Length ?? 0))
        {
            tcp.Client.Shutdown(SocketShutdown.Both); // a stream that ends early
            return (0, "");
        }

        using var reader = new StreamReader(s, Encoding.UTF8);
        string all = await reader.ReadToEndAsync();
        string[] first = all.Split("\r\n", 2)[0].Split(' ');
        int bodyAt = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (int.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture), bodyAt < 0 ? "" : all[(bodyAt + 4)..]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        foreach (WebApplication app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Http.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

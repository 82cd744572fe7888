using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace TapeKit.Tests.Docs.Site;

/// <summary>
/// Serves a directory over HTTP on loopback, the way a static web host serves the built site (the site's scripts fetch
/// its tables of contents, which a browser refuses for <c>file:</c> pages). Records every path it could not serve.
/// </summary>
internal sealed class StaticSiteServer : IDisposable
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript",
        [".mjs"] = "text/javascript",
        [".css"] = "text/css",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".xml"] = "application/xml",
    };

    private readonly string _root;
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    /// <summary>Starts serving <paramref name="root"/> on a free loopback port.</summary>
    /// <param name="root">The site's directory.</param>
    public StaticSiteServer(string root)
    {
        _root = Path.GetFullPath(root);
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The site's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The paths requested that had no file.</summary>
    public ConcurrentBag<string> Missing { get; } = [];

    /// <summary>The file a site path names (<c>…/</c> is its <c>index.html</c>), or <see langword="null"/> outside the site.</summary>
    /// <param name="absolutePath">The URL's path, escaped.</param>
    /// <returns>The file's path.</returns>
    public string? FileFor(string absolutePath)
    {
        string relative = Uri.UnescapeDataString(absolutePath).TrimStart('/');
        if (relative.Length == 0 || relative.EndsWith('/'))
        {
            relative += "index.html";
        }

        string file = Path.GetFullPath(Path.Combine(_root, relative));
        return file.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? file : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener's last GetContextAsync ends with an exception when it is stopped.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using HttpListenerResponse response = context.Response;
            string path = context.Request.Url!.AbsolutePath;
            string? file = FileFor(path);
            if (file is null || !File.Exists(file))
            {
                Missing.Add(path);
                response.StatusCode = 404;
                continue;
            }

            response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            byte[] body = await File.ReadAllBytesAsync(file);
            response.ContentLength64 = body.Length;
            try
            {
                await response.OutputStream.WriteAsync(body);
            }
            catch (HttpListenerException)
            {
                // The browser went away mid-response.
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

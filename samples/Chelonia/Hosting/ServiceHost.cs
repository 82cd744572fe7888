using System.Net;
using Chelonia.Wire;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TapeKit.Hsm.Catalog;

namespace Chelonia.Hosting;

/// <summary>
/// What the three services share: Kestrel on loopback (a given port, or 0 for a free one), the JSON settings, quiet
/// logging, and one error mapping — bad input is a 400 with a <see cref="ChelError"/>, an unavailable catalogue a 503,
/// an error of another service a 502; only a bug is a 500.
/// </summary>
public static class ServiceHost
{
    /// <summary>The line a service prints on standard output once it listens; the demo reads the URL from it.</summary>
    public const string ListeningPrefix = "CHELONIA-LISTENING ";

    /// <summary>A builder for a service on 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="port">The port; 0 for a free one.</param>
    public static WebApplicationBuilder CreateBuilder(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 1L << 34;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => ChelJson.Configure(o.SerializerOptions));
        return builder;
    }

    /// <summary>The error mapping (first in the pipeline).</summary>
    /// <param name="app">The application.</param>
    public static void UseChelErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (ChelInputException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.Status, e.Error);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, (HttpStatusCode)e.StatusCode, new ChelError("badRequest", e.Message));
            }
            catch (CatalogStoreException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, HttpStatusCode.ServiceUnavailable, new ChelError("metadataUnavailable", $"{e.Message} Retry later."));
            }
            catch (ChelHttpException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, HttpStatusCode.BadGateway, new ChelError("upstream", e.Message, e.Error.Subject));
            }
            catch (HttpRequestException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, HttpStatusCode.BadGateway, new ChelError("upstreamUnreachable", e.Message));
            }
        });
    }

    /// <summary>An error answer.</summary>
    /// <param name="status">The status.</param>
    /// <param name="error">The code.</param>
    /// <param name="detail">The sentence.</param>
    /// <param name="subject">What or where.</param>
    public static IResult Error(HttpStatusCode status, string error, string detail, string? subject = null) =>
        Results.Json(new ChelError(error, detail, subject), ChelJson.Options, statusCode: (int)status);

    /// <summary>Starts the application and returns the URL it listens on.</summary>
    /// <param name="app">The application.</param>
    public static async Task<string> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync();
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reports no address.");
        return addresses.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs a started service until it is stopped (SIGTERM, Ctrl-C) or, when <paramref name="parentPid"/> is given, until
    /// that process is gone (a demo child never outlives its demo).
    /// </summary>
    /// <param name="app">The started application.</param>
    /// <param name="url">Its URL, announced on standard output.</param>
    /// <param name="parentPid">The process to outlive not.</param>
    public static async Task RunAsync(WebApplication app, string url, int? parentPid)
    {
        ArgumentNullException.ThrowIfNull(app);
        Console.Out.WriteLine(ListeningPrefix + url);
        Console.Out.Flush();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(app.Lifetime.ApplicationStopping);
        if (parentPid is { } pid)
        {
            _ = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!ProcessAlive(pid))
                    {
                        await stop.CancelAsync();
                        return;
                    }

                    await Task.Delay(500, CancellationToken.None);
                }
            }, CancellationToken.None);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(grace.Token);
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task WriteAsync(HttpContext context, HttpStatusCode status, ChelError error)
    {
        context.Response.Clear();
        context.Response.StatusCode = (int)status;
        await context.Response.WriteAsJsonAsync(error, ChelJson.Options);
    }
}

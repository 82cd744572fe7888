using System.Globalization;
using System.Net;
using Chelonia.Hosting;
using Chelonia.Librarian;
using Chelonia.Wire;
using TapeKit.Checksums;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Shepherd;

/// <summary>
/// A Shepherd: stores copies in its own directory and talks HTTP. <c>PUT /transfers/{transferId}</c> receives a copy
/// (an upload the Bartender proxies, or a peer's push): the transfer must be the Librarian's, for this node and still
/// receivable; the bytes are streamed to a temporary name and checksummed as they arrive, and only a whole copy with the
/// expected checksum is synced, published by rename and queued for registration (202). A short, long or mismatching
/// stream leaves nothing and the transfer is reported failed (P5), so its row never turns ALIVE.
/// <c>GET /replicas/{fileId}</c> serves a copy, verifying it as it goes (a mismatch is reported, P6).
/// </summary>
public static class ShepherdService
{
    /// <summary>A Shepherd's node id from its number.</summary>
    /// <param name="id">The number.</param>
    public static string NodeIdOf(int id) => string.Create(CultureInfo.InvariantCulture, $"shepherd-{id}");

    /// <summary>Builds a Shepherd (its store scanned: temporaries removed, copies indexed); <see cref="ShepherdAgent.Start"/> starts its work.</summary>
    /// <param name="nodeId">Its node id.</param>
    /// <param name="storeDir">Its store directory.</param>
    /// <param name="librarianUrl">The Librarian's URL.</param>
    /// <param name="port">The port; 0 for a free one.</param>
    /// <param name="timings">The timings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="random">The scan's order.</param>
    public static (WebApplication App, ShepherdAgent Agent) Build(
        string nodeId, string storeDir, Uri librarianUrl, int port, ChelTimings timings, TimeProvider time, Random random)
    {
        var layout = new StoreLayout(storeDir);
        var store = new ReplicaStore(layout);
        _ = store.LoadOnStart();
        var journal = new TransferJournal(layout);
        WebApplicationBuilder builder = ServiceHost.CreateBuilder(port);
        WebApplication app = builder.Build();
        var librarian = new LibrarianClient(new HttpClient { BaseAddress = librarianUrl, Timeout = TimeSpan.FromSeconds(30) });
        var peers = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Shepherd");
        var agent = new ShepherdAgent(new ShepherdContext(nodeId, store, journal, librarian, peers, timings, time, random, log));
        app.UseChelErrors();
        Map(app, nodeId, store, journal, librarian, agent);
        app.Lifetime.ApplicationStopping.Register(() => agent.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return (app, agent);
    }

    private static void Map(WebApplication app, string nodeId, ReplicaStore store, TransferJournal journal, LibrarianClient librarian, ShepherdAgent agent)
    {
        app.MapGet("/health", () => Results.Ok(new { service = "shepherd", nodeId }));
        app.MapGet("/status", () => Results.Ok(new
        {
            nodeId,
            copies = store.Copies.Count,
            invalid = store.Copies.Count(c => c.Invalid),
            unregistered = store.Copies.Count(c => !c.Registered),
            pendingReports = agent.Reports.Pending,
            reportsApplied = agent.ReportsApplied,
            journal = journal.Load().Count,
            temporaries = Directory.EnumerateFiles(store.Layout.Temp).Count(),
        }));

        app.MapPut("/transfers/{transferId}", async (string transferId, HttpRequest request, CancellationToken ct) =>
        {
            // The Librarian calls are not cancelled with the request: a sender that goes away mid-stream still gets its
            // transfer reported failed.
            Guid id = LibrarianService.TransferId(transferId);
            if (await librarian.GetTransferAsync(id, CancellationToken.None) is not { } view)
            {
                return ServiceHost.Error(HttpStatusCode.NotFound, "unknownTransfer", $"The Librarian knows no transfer {id}: nothing was written.", transferId);
            }

            ReplicaRecord row = view.Replica;
            if (row.NodeId != nodeId)
            {
                return ServiceHost.Error(HttpStatusCode.Conflict, "wrongNode", $"Transfer {id} goes to '{row.NodeId}', not to '{nodeId}'.", transferId);
            }

            if (row.State is not (ReplicaState.Creating or ReplicaState.Stalled))
            {
                return ServiceHost.Error(HttpStatusCode.Gone, "notReceivable", $"Transfer {id} is {ReplicaStateNames.Of(row.State)}: nothing to receive.", transferId);
            }

            var entry = new JournalEntry(id, TransferRole.Incoming, row.FileId, row.Size, row.Checksum, row.SourceNodeId);
            if (request.ContentLength is { } declared && declared != row.Size)
            {
                string why = string.Create(CultureInfo.InvariantCulture, $"The request declares {declared} bytes; transfer {id} is {row.Size} bytes.");
                _ = await librarian.ReportFailedAsync(id, why, CancellationToken.None);
                return ServiceHost.Error(declared > row.Size ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.BadRequest,
                    declared > row.Size ? "tooLong" : "short", why + " Nothing was stored; the transfer is deleted.", "Content-Length");
            }

            journal.Add([entry]);
            (ReceiveOutcome outcome, long received, string detail) = await store.ReceiveAsync(entry, request.Body, ct);
            if (outcome == ReceiveOutcome.Stored)
            {
                agent.Reports.Add(new ReplicaReportEntry(row.FileId, ReportedReplicaState.Registered, id, received, row.Checksum));
                return Results.Json(new StoredReceipt(id, row.FileId, nodeId, received, row.Checksum), ChelJson.Options, statusCode: (int)HttpStatusCode.Accepted);
            }

            journal.Remove(id);
            _ = await librarian.ReportFailedAsync(id, detail, CancellationToken.None);
            (HttpStatusCode status, string code) = outcome switch
            {
                ReceiveOutcome.TooLong => (HttpStatusCode.RequestEntityTooLarge, "tooLong"),
                ReceiveOutcome.ChecksumMismatch => (HttpStatusCode.UnprocessableEntity, "checksumMismatch"),
                _ => (HttpStatusCode.BadRequest, "short"),
            };
            return ServiceHost.Error(status, code, detail + " Nothing was stored; the transfer is deleted.", transferId);
        });

        app.MapGet("/replicas/{fileId}", async (string fileId, HttpContext context, CancellationToken ct) =>
        {
            long id = LibrarianService.FileId(fileId);
            if (store.OpenRead(id) is not { } opened)
            {
                return ServiceHost.Error(HttpStatusCode.NotFound, "noCopy", $"'{nodeId}' holds no copy of file {fileId}.", fileId);
            }

            await using FileStream stream = opened.Stream;
            HttpResponse response = context.Response;
            response.ContentType = "application/octet-stream";
            response.ContentLength = stream.Length;
            response.Headers["X-Checksum"] = opened.Copy.Checksum.ToString();
            var hash = new XxHash3Checksum();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0)
            {
                hash.Append(buffer.AsSpan(0, n));
                await response.Body.WriteAsync(buffer.AsMemory(0, n), ct);
            }

            if (ChecksumText.Hash64Hex(hash.Value) != opened.Copy.Xxh3 && opened.Copy.Registered && store.MarkInvalid(opened.Copy))
            {
                agent.Reports.Add(new ReplicaReportEntry(id, ReportedReplicaState.Corrupted)); // a read mismatch (P6)
            }

            return Results.Empty;
        });
    }
}

using System.Globalization;
using System.Net;
using Chelonia.Hosting;
using Chelonia.Wire;
using TapeKit.Hsm.Replicas;
using TapeKit.Hsm.Sqlite;

namespace Chelonia.Librarian;

/// <summary>
/// The Librarian: a stateless HTTP face of <see cref="ReplicaLibrarian"/> over the SQLite replica catalogue, plus its
/// background loop (<see cref="LibrarianLoop"/>). Every endpoint is one library call; the outcomes of the transfer calls
/// map to statuses — applied, applied late and replayed are 200 with the result, an unknown transfer or node 404, a
/// refused registration 422, a cancelled transfer 410, a row whose state does not call for the change 409 — each
/// with a <see cref="ChelError"/> naming the transfer.
/// </summary>
public static class LibrarianService
{
    /// <summary>Builds the Librarian over the catalogue file <paramref name="dbPath"/>.</summary>
    /// <param name="dbPath">The SQLite file (created when missing).</param>
    /// <param name="port">The port; 0 for a free one.</param>
    /// <param name="timings">The timings.</param>
    /// <param name="time">The clock.</param>
    public static async Task<WebApplication> BuildAsync(string dbPath, int port, ChelTimings timings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(timings);
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = dbPath }, time);
        var librarian = new ReplicaLibrarian(store.Replicas, timings.ToReplicaOptions());
        var stats = new LibrarianCounters();
        var uploads = new UploadBatcher(librarian);
        WebApplicationBuilder builder = ServiceHost.CreateBuilder(port);
        builder.Services.AddSingleton(librarian);
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(store);
        builder.Services.AddHostedService(sp => new LibrarianLoop(librarian, stats, timings.LoopInterval, time, sp.GetRequiredService<ILogger<LibrarianLoop>>()));
        WebApplication app = builder.Build();
        app.UseChelErrors();
        Map(app, librarian, stats, uploads);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            uploads.DisposeAsync().AsTask().GetAwaiter().GetResult();
            store.Dispose();
        });
        return app;
    }

    private static void Map(WebApplication app, ReplicaLibrarian lib, LibrarianCounters stats, UploadBatcher uploads)
    {
        app.MapGet("/health", () => Results.Ok(new { service = "librarian" }));

        app.MapPost("/nodes/{nodeId}/register", async (string nodeId, NodeRegistration body, CancellationToken ct) =>
            Results.Ok(await lib.RegisterNodeAsync(NodeId(nodeId), Address(body?.Address), ct)));
        app.MapPost("/nodes/{nodeId}/heartbeat", async (string nodeId, bool? lostReportLog, CancellationToken ct) =>
        {
            HeartbeatAck ack = await lib.HeartbeatAsync(NodeId(nodeId), lostReportLog ?? false, ct);
            return ack.Known ? Results.Ok(ack) : ServiceHost.Error(HttpStatusCode.NotFound, "unknownNode", $"Node '{nodeId}' is not registered.", nodeId);
        });
        app.MapPost("/nodes/{nodeId}/reports", async (string nodeId, NodeReport report, CancellationToken ct) =>
        {
            if (report is null || report.NodeId != nodeId || report.Entries is null)
            {
                throw new ChelInputException("badReport", $"A report of node '{nodeId}' names that node and carries entries.", "nodeId");
            }

            ReportAck ack = await lib.ReportAsync(report, ct);
            stats.Report(ack, report.Entries.Count);
            return ack.Outcome switch
            {
                ReportOutcome.Invalid => ServiceHost.Error(HttpStatusCode.BadRequest, "invalidReport",
                    $"A report holds at most {lib.Options.MaxReportEntries} entries, each file once.", "entries"),
                ReportOutcome.UnknownNode => ServiceHost.Error(HttpStatusCode.NotFound, "unknownNode", $"Node '{nodeId}' is not registered.", nodeId),
                _ => Results.Ok(ack),
            };
        });
        app.MapPost("/nodes/{nodeId}/digest", async (string nodeId, DigestMessage body, CancellationToken ct) =>
        {
            ReplicaDigest digest;
            try
            {
                digest = ReplicaDigest.FromBuckets(body?.Counts ?? [], body?.Hashes ?? []);
            }
            catch (ArgumentException e)
            {
                throw new ChelInputException("badDigest", e.Message, "counts");
            }

            DigestComparison result = await lib.CompareDigestAsync(NodeId(nodeId), digest, ct);
            stats.Digest();
            return result.Known ? Results.Ok(result) : ServiceHost.Error(HttpStatusCode.NotFound, "unknownNode", $"Node '{nodeId}' is not registered.", nodeId);
        });
        app.MapGet("/nodes", async (CancellationToken ct) => Results.Ok(await lib.GetNodesAsync(ct)));
        app.MapGet("/nodes/{nodeId}/outgoing", async (string nodeId, int? limit, CancellationToken ct) =>
            Results.Ok(await lib.GetOutgoingTransfersAsync(NodeId(nodeId), Limit(limit), ct)));
        app.MapGet("/nodes/{nodeId}/retirements", async (string nodeId, int? limit, CancellationToken ct) =>
            Results.Ok(await lib.GetRetirementsAsync(NodeId(nodeId), Limit(limit), ct)));

        app.MapPost("/uploads", async (UploadRequest request, CancellationToken ct) =>
        {
            if (request is null || request.Size < 0 || request.NeededReplicas is < 1 or > 16 || string.IsNullOrEmpty(request.Checksum.Type))
            {
                throw new ChelInputException("badUpload", "An upload names a file id, a size of 0 or more, a checksum and 1 to 16 needed replicas.", "upload");
            }

            UploadTicket ticket = await uploads.BeginUploadAsync(request, ct);
            if (ticket.Replica is not { } row)
            {
                HttpStatusCode status = ticket.Outcome switch
                {
                    UploadOutcome.NoNodeAvailable => HttpStatusCode.ServiceUnavailable,
                    UploadOutcome.FileDeleted => HttpStatusCode.Gone,
                    _ => HttpStatusCode.Conflict,
                };
                return ServiceHost.Error(status, JsonName(ticket.Outcome), ticket.Detail, request.FileId.ToString(CultureInfo.InvariantCulture));
            }

            string? address = (await lib.GetNodesAsync(ct)).FirstOrDefault(n => n.NodeId == row.NodeId)?.Address;
            return Results.Ok(new UploadAllocation(ticket.Outcome, ticket.Detail, row.TransferId, row.NodeId, address));
        });

        app.MapGet("/transfers/{transferId}", async (string transferId, CancellationToken ct) =>
            await lib.GetTransferAsync(TransferId(transferId), ct) is { } view
                ? Results.Ok(view)
                : ServiceHost.Error(HttpStatusCode.NotFound, "unknownTransfer", $"No replica has transfer id {transferId}.", transferId));
        app.MapPost("/transfers/{transferId}/register", async (string transferId, RegistrationRequest body, CancellationToken ct) =>
        {
            if (body is null || string.IsNullOrEmpty(body.NodeId) || string.IsNullOrEmpty(body.Checksum.Type))
            {
                throw new ChelInputException("badRegistration", "A registration names the node, the size and the checksum.", "registration");
            }

            return Answer(await lib.RegisterAsync(body.NodeId, TransferId(transferId), body.Size, body.Checksum, ct), transferId);
        });
        app.MapPost("/transfers/start", async (StartRequest body, CancellationToken ct) =>
        {
            if (body?.TransferIds is not { Count: > 0 } ids || ids.Count > lib.Options.MaxReportEntries)
            {
                throw new ChelInputException("badStart", $"Name 1 to {lib.Options.MaxReportEntries} transfer ids.", "transferIds");
            }

            return Results.Ok(await lib.StartTransfersAsync(ids, ct));
        });
        app.MapPost("/transfers/{transferId}/start", async (string transferId, CancellationToken ct) =>
            Answer(await lib.StartTransferAsync(TransferId(transferId), ct), transferId));
        app.MapPost("/transfers/{transferId}/failed", async (string transferId, TransferFailure body, CancellationToken ct) =>
            Answer(await lib.ReportTransferFailedAsync(TransferId(transferId), body?.Reason is { Length: > 0 and <= 1000 } r ? r : "unspecified", ct), transferId));
        app.MapPost("/transfers/{transferId}/unconfirmed", async (string transferId, CancellationToken ct) =>
            Answer(await lib.ReportUnconfirmedAsync(TransferId(transferId), ct), transferId));

        app.MapGet("/files/{fileId}", async (string fileId, CancellationToken ct) =>
        {
            long id = FileId(fileId);
            (ReplicaFileRecord? file, IReadOnlyList<ReplicaView> replicas) = await lib.GetFileAsync(id, ct);
            if (file is null)
            {
                return ServiceHost.Error(HttpStatusCode.NotFound, "unknownFile", $"No file has id {fileId}.", fileId);
            }

            Dictionary<string, string?> addresses = (await lib.GetNodesAsync(ct)).ToDictionary(n => n.NodeId, n => n.Address, StringComparer.Ordinal);
            return Results.Ok(new FileView(file.FileId, null, file.NeededReplicas, file.Size, file.Checksum, file.IsDeleted,
                [.. replicas.Where(v => v.Replica.IsLive).Select(v => new ReplicaInfo(v.Replica.NodeId, v.Effective, v.Replica.TransferId, addresses.GetValueOrDefault(v.Replica.NodeId)))]));
        });
        app.MapDelete("/files/{fileId}", async (string fileId, CancellationToken ct) =>
            await lib.DeleteFileAsync(FileId(fileId), ct)
                ? Results.NoContent()
                : ServiceHost.Error(HttpStatusCode.NotFound, "unknownFile", $"No live file has id {fileId}.", fileId));

        app.MapGet("/census", async (string? since, CancellationToken ct) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                from = DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
                    ? t
                    : throw new ChelInputException("badTime", $"'{since}' is not a date and time (ISO 8601).", "since");
            }

            return Results.Ok(await lib.GetCensusAsync(from, ct));
        });
        app.MapGet("/stats", () => Results.Ok(stats.Snapshot()));
    }

    private static IResult Answer(ReplicaCallResult result, string transferId) => result.Outcome switch
    {
        ReplicaCallOutcome.Applied or ReplicaCallOutcome.AppliedLate or ReplicaCallOutcome.Replayed => Results.Ok(result),
        ReplicaCallOutcome.UnknownTransfer => ServiceHost.Error(HttpStatusCode.NotFound, "unknownTransfer", result.Detail, transferId),
        ReplicaCallOutcome.UnknownNode => ServiceHost.Error(HttpStatusCode.NotFound, "unknownNode", result.Detail, transferId),
        ReplicaCallOutcome.Refused => ServiceHost.Error(HttpStatusCode.UnprocessableEntity, "refused", result.Detail, transferId),
        ReplicaCallOutcome.Cancelled => ServiceHost.Error(HttpStatusCode.Gone, "cancelled", result.Detail, transferId),
        _ => ServiceHost.Error(HttpStatusCode.Conflict, "unchanged", result.Detail, transferId),
    };

    private static string JsonName(UploadOutcome outcome) => outcome switch
    {
        UploadOutcome.NoNodeAvailable => "noNodeAvailable",
        UploadOutcome.FileDeleted => "fileDeleted",
        UploadOutcome.FileMismatch => "fileMismatch",
        _ => "allocated",
    };

    /// <summary>Checks a node id from a URL: 1 to 64 letters, digits, '-', '_' or '.'.</summary>
    /// <param name="text">The id.</param>
    /// <exception cref="ChelInputException">It is not one.</exception>
    public static string NodeId(string text) =>
        text is { Length: > 0 and <= 64 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && text is not "." and not ".."
            ? text
            : throw new ChelInputException("badNodeId", "A node id is 1 to 64 letters, digits, '-', '_' or '.'.", "nodeId");

    /// <summary>Parses a transfer id from a URL.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="ChelInputException">Not a GUID.</exception>
    public static Guid TransferId(string text) => Guid.TryParse(text, out Guid id)
        ? id
        : throw new ChelInputException("badTransferId", $"'{Shorten(text)}' is not a transfer id (a GUID).", "transferId");

    /// <summary>Parses a file id from a URL.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="ChelInputException">Not a whole number.</exception>
    public static long FileId(string text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id)
        ? id
        : throw new ChelInputException("badFileId", $"'{Shorten(text)}' is not a file id (a whole number).", "fileId");

    private static string? Address(string? address) =>
        address is null || (Uri.TryCreate(address, UriKind.Absolute, out Uri? u) && u.Scheme == Uri.UriSchemeHttp && u.IsLoopback)
            ? address
            : throw new ChelInputException("badAddress", "A node's address is an http URL on loopback.", "address");

    private static int Limit(int? limit) => limit switch
    {
        null => 1000,
        >= 1 and <= 10_000 => limit.Value,
        _ => throw new ChelInputException("badLimit", "A limit is 1 to 10000.", "limit"),
    };

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

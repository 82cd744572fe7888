using System.Globalization;
using System.Net;
using Chelonia.Hosting;
using Chelonia.Wire;
using TapeKit.Checksums;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Bartender;

/// <summary>
/// The Bartender, the clients' front end. <c>PUT /files/{path}</c> needs a Content-Length and an
/// <c>X-Checksum: xxh3:HEX</c> header: the Librarian writes the CREATING row and picks a Shepherd (P1), and the body is
/// streamed through to it; 201 once the copy is stored durably (it turns ALIVE at the Shepherd's next report).
/// <c>GET /files/{path}</c> reads from an ALIVE replica, verified before a byte reaches the client, trying the next
/// replica when one fails. <c>DELETE /files/{path}</c> deletes the file (its copies are retired).
/// <c>GET /files/{path}/replicas</c> shows each replica's node and state.
/// </summary>
public static class BartenderService
{
    /// <summary>The header carrying a file's checksum.</summary>
    public const string ChecksumHeader = "X-Checksum";

    /// <summary>Builds the Bartender.</summary>
    /// <param name="librarianUrl">The Librarian's URL.</param>
    /// <param name="port">The port; 0 for a free one.</param>
    /// <param name="spoolDir">Where downloads are verified before they are sent.</param>
    /// <param name="neededReplicas">The replicas a new file needs.</param>
    /// <param name="random">Which replica is tried first.</param>
    public static WebApplication Build(Uri librarianUrl, int port, string spoolDir, int neededReplicas, Random random)
    {
        Directory.CreateDirectory(spoolDir);
        WebApplication app = ServiceHost.CreateBuilder(port).Build();
        var librarian = new LibrarianClient(new HttpClient { BaseAddress = librarianUrl, Timeout = TimeSpan.FromSeconds(30) });
        var shepherds = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        app.UseChelErrors();
        app.MapGet("/health", () => Results.Ok(new { service = "bartender" }));
        app.MapPut("/files/{**path}", (string path, HttpRequest request, CancellationToken ct) =>
            UploadAsync(FilePath.ParseForUpload(path), request, librarian, shepherds, neededReplicas, ct));
        app.MapGet("/files/{**path}", (string path, HttpContext context, CancellationToken ct) =>
            path.EndsWith("/" + FilePath.ReplicasSegment, StringComparison.Ordinal)
                ? ReplicasAsync(FilePath.Parse(path[..^(FilePath.ReplicasSegment.Length + 1)]), librarian, ct)
                : DownloadAsync(FilePath.Parse(path), context, librarian, shepherds, spoolDir, random, ct));
        app.MapDelete("/files/{**path}", async (string path, CancellationToken ct) =>
        {
            FilePath p = FilePath.Parse(path);
            return await librarian.DeleteFileAsync(p.FileId, ct)
                ? Results.NoContent()
                : ServiceHost.Error(HttpStatusCode.NotFound, "unknownFile", $"No file '{p.Value}'.", p.Value);
        });
        return app;
    }

    private static async Task<IResult> UploadAsync(FilePath path, HttpRequest request, LibrarianClient librarian, HttpClient shepherds, int needed, CancellationToken ct)
    {
        if (request.ContentLength is not { } size)
        {
            throw new ChelInputException("lengthRequired", "An upload gives its size in Content-Length.", "Content-Length", HttpStatusCode.LengthRequired);
        }

        Checksum checksum = ParseChecksum(request.Headers[ChecksumHeader].ToString());
        UploadAllocation ticket;
        try
        {
            ticket = await librarian.BeginUploadAsync(new UploadRequest { FileId = path.FileId, Size = size, Checksum = checksum, NeededReplicas = needed }, ct);
        }
        catch (ChelHttpException e) when (e.Status is HttpStatusCode.Conflict or HttpStatusCode.Gone or HttpStatusCode.ServiceUnavailable)
        {
            return ServiceHost.Error(e.Status, e.Error.Error, e.Error.Detail, path.Value);
        }

        if (ticket is not { TransferId: { } transferId, NodeAddress: { } address, NodeId: { } nodeId })
        {
            return ServiceHost.Error(HttpStatusCode.ServiceUnavailable, "noNodeAvailable", ticket.Detail, path.Value);
        }

        HttpResponseMessage response;
        try
        {
            using var content = new StreamContent(request.Body);
            content.Headers.ContentLength = size;
            response = await shepherds.PutAsync(new Uri(new Uri(address), $"transfers/{transferId}"), content, ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            _ = await librarian.ReportFailedAsync(transferId, $"the Bartender could not send the upload to '{nodeId}': {e.Message}", CancellationToken.None);
            return ServiceHost.Error(HttpStatusCode.BadGateway, "shepherdUnreachable", $"The upload to '{nodeId}' broke: {e.Message} Retry.", path.Value);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return Results.Json(new UploadReceipt(path.Value, path.FileId, transferId, nodeId), ChelJson.Options, statusCode: (int)HttpStatusCode.Created);
            }

            ChelError error = await ChelHttp.ErrorOfAsync(response, ct);
            return ServiceHost.Error(response.StatusCode, error.Error, error.Detail, path.Value);
        }
    }

    private static async Task<IResult> DownloadAsync(
        FilePath path, HttpContext context, LibrarianClient librarian, HttpClient shepherds, string spoolDir, Random random, CancellationToken ct)
    {
        if (await librarian.GetFileAsync(path.FileId, ct) is not { Deleted: false } file)
        {
            return ServiceHost.Error(HttpStatusCode.NotFound, "unknownFile", $"No file '{path.Value}'.", path.Value);
        }

        List<ReplicaInfo> alive = [.. file.Replicas.Where(r => r.State == ReplicaState.Alive && r.Address is not null)];
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(alive));
        var failures = new List<string>();
        foreach (ReplicaInfo replica in alive)
        {
            string spool = Path.Combine(spoolDir, Guid.NewGuid().ToString("N"));
            var stream = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                string? problem = await FetchAsync(shepherds, replica, file, stream, ct);
                if (problem is null)
                {
                    stream.Position = 0;
                    return Results.Stream(stream, "application/octet-stream"); // disposed (and so deleted) after sending
                }

                failures.Add($"{replica.NodeId}: {problem}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                failures.Add($"{replica.NodeId}: {e.Message}");
            }

            await stream.DisposeAsync();
        }

        return ServiceHost.Error(HttpStatusCode.BadGateway, "noGoodReplica",
            alive.Count == 0 ? $"File '{path.Value}' has no alive replica on an online node now." : $"No replica of '{path.Value}' could be read whole and verified: {string.Join("; ", failures)}",
            path.Value);
    }

    /// <summary>Copies one replica into the spool, computing XXH3; the problem in words, or <see langword="null"/> when it is whole and verified.</summary>
    private static async Task<string?> FetchAsync(HttpClient shepherds, ReplicaInfo replica, FileView file, Stream spool, CancellationToken ct)
    {
        using HttpResponseMessage response = await shepherds.GetAsync(
            new Uri(new Uri(replica.Address!), string.Create(CultureInfo.InvariantCulture, $"replicas/{file.FileId}")), HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            return $"answered {(int)response.StatusCode}";
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(ct);
        var hash = new XxHash3Checksum();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            hash.Append(buffer.AsSpan(0, n));
            await spool.WriteAsync(buffer.AsMemory(0, n), ct);
            total += n;
        }

        string got = ChecksumText.Hash64Hex(hash.Value);
        return total != file.Size ? $"sent {total} of {file.Size} bytes"
            : !string.Equals(got, file.Checksum.Value, StringComparison.OrdinalIgnoreCase) ? $"checksum {got}, expected {file.Checksum.Value}"
            : null;
    }

    private static async Task<IResult> ReplicasAsync(FilePath path, LibrarianClient librarian, CancellationToken ct) =>
        await librarian.GetFileAsync(path.FileId, ct) is { } file
            ? Results.Json(file with { Path = path.Value }, ChelJson.Options)
            : ServiceHost.Error(HttpStatusCode.NotFound, "unknownFile", $"No file '{path.Value}'.", path.Value);

    /// <summary>Parses the checksum header (<c>xxh3:</c> and 16 hex digits).</summary>
    /// <param name="text">The header's value.</param>
    /// <exception cref="ChelInputException">Missing or not that form.</exception>
    public static Checksum ParseChecksum(string? text)
    {
        if (text is { Length: 21 } && text.StartsWith(HsmChecksums.XxHash3 + ":", StringComparison.OrdinalIgnoreCase)
            && ChecksumText.TryParseHash64Hex(text.AsSpan(5), out ulong value))
        {
            return new Checksum(HsmChecksums.XxHash3, ChecksumText.Hash64Hex(value));
        }

        throw new ChelInputException("badChecksum", $"An upload carries the header {ChecksumHeader}: xxh3:<16 hex digits>, not '{text}'.", ChecksumHeader);
    }
}

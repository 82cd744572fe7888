using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Wire;

/// <summary>The Librarian's HTTP API as calls (used by the Shepherds, the Bartender and the demo).</summary>
/// <param name="http">A client whose base address is the Librarian's URL.</param>
public sealed class LibrarianClient(HttpClient http)
{
    private const string Service = "The Librarian";

    /// <summary>The underlying client.</summary>
    public HttpClient Http { get; } = http;

    /// <summary>Registers a node.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="address">Its URL.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<HeartbeatAck> RegisterNodeAsync(string nodeId, string address, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<HeartbeatAck>(await Http.PostAsJsonAsync($"nodes/{nodeId}/register", new NodeRegistration(address), ChelJson.Options, ct), Service, ct);

    /// <summary>A heartbeat; <see langword="null"/> when the node is not known (register again).</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="lostReportLog">The node lost its change log (a restart).</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<HeartbeatAck?> HeartbeatAsync(string nodeId, bool lostReportLog, CancellationToken ct = default)
    {
        using HttpResponseMessage r = await Http.PostAsync($"nodes/{nodeId}/heartbeat?lostReportLog={(lostReportLog ? "true" : "false")}", null, ct);
        return r.StatusCode == HttpStatusCode.NotFound ? null : await ChelHttp.ReadAsync<HeartbeatAck>(r, Service, ct);
    }

    /// <summary>Sends a report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<ReportAck> ReportAsync(NodeReport report, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        return await ChelHttp.ReadAsync<ReportAck>(await Http.PostAsJsonAsync($"nodes/{report.NodeId}/reports", report, ChelJson.Options, ct), Service, ct);
    }

    /// <summary>Sends a digest.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="digest">Its digest.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<DigestComparison> CompareDigestAsync(string nodeId, ReplicaDigest digest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return await ChelHttp.ReadAsync<DigestComparison>(
            await Http.PostAsJsonAsync($"nodes/{nodeId}/digest", new DigestMessage(digest.Counts, digest.Hashes), ChelJson.Options, ct), Service, ct);
    }

    /// <summary>The nodes.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<NodeRecord>> GetNodesAsync(CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<List<NodeRecord>>(await Http.GetAsync("nodes", ct), Service, ct);

    /// <summary>The transfers a node is to send.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<ReplicaRecord>> GetOutgoingAsync(string nodeId, int limit, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<List<ReplicaRecord>>(await Http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"nodes/{nodeId}/outgoing?limit={limit}"), ct), Service, ct);

    /// <summary>The surplus copies a node is to delete.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<ReplicaRecord>> GetRetirementsAsync(string nodeId, int limit, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<List<ReplicaRecord>>(await Http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"nodes/{nodeId}/retirements?limit={limit}"), ct), Service, ct);

    /// <summary>Allocates an upload (P1).</summary>
    /// <param name="request">The upload.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<UploadAllocation> BeginUploadAsync(UploadRequest request, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<UploadAllocation>(await Http.PostAsJsonAsync("uploads", request, ChelJson.Options, ct), Service, ct);

    /// <summary>A transfer's row, or <see langword="null"/> for an unknown transfer id.</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<ReplicaView?> GetTransferAsync(Guid transferId, CancellationToken ct = default)
    {
        using HttpResponseMessage r = await Http.GetAsync($"transfers/{transferId}", ct);
        return r.StatusCode == HttpStatusCode.NotFound ? null : await ChelHttp.ReadAsync<ReplicaView>(r, Service, ct);
    }

    /// <summary>Registers a copy by transfer id.</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="size">The bytes.</param>
    /// <param name="checksum">Their checksum.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="ChelHttpException">Not applied: unknown transfer (404), refused (422), cancelled (410), unchanged (409).</exception>
    public async Task<ReplicaCallResult> RegisterAsync(Guid transferId, string nodeId, long size, Checksum checksum, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<ReplicaCallResult>(
            await Http.PostAsJsonAsync($"transfers/{transferId}/register", new RegistrationRequest(nodeId, size, checksum), ChelJson.Options, ct), Service, ct);

    /// <summary>Starts a batch of transfers.</summary>
    /// <param name="transferIds">The transfers.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<IReadOnlyList<ReplicaCallResult>> StartTransfersAsync(IReadOnlyList<Guid> transferIds, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<List<ReplicaCallResult>>(await Http.PostAsJsonAsync("transfers/start", new StartRequest(transferIds), ChelJson.Options, ct), Service, ct);

    /// <summary>Reports a failed transfer; the answer's error code when it was not applied (<c>unknownTransfer</c>, <c>unchanged</c>, …).</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="reason">Why.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<string> ReportFailedAsync(Guid transferId, string reason, CancellationToken ct = default) =>
        await OutcomeAsync(await Http.PostAsJsonAsync($"transfers/{transferId}/failed", new TransferFailure(reason), ChelJson.Options, ct), ct);

    /// <summary>Reports a transfer as unconfirmed (C.2).</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<string> ReportUnconfirmedAsync(Guid transferId, CancellationToken ct = default) =>
        await OutcomeAsync(await Http.PostAsync($"transfers/{transferId}/unconfirmed", null, ct), ct);

    /// <summary>A file and its replicas, or <see langword="null"/> for an unknown file.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<FileView?> GetFileAsync(long fileId, CancellationToken ct = default)
    {
        using HttpResponseMessage r = await Http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"files/{fileId}"), ct);
        return r.StatusCode == HttpStatusCode.NotFound ? null : await ChelHttp.ReadAsync<FileView>(r, Service, ct);
    }

    /// <summary>Deletes a file; false when it is unknown or deleted before.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<bool> DeleteFileAsync(long fileId, CancellationToken ct = default)
    {
        using HttpResponseMessage r = await Http.DeleteAsync(string.Create(CultureInfo.InvariantCulture, $"files/{fileId}"), ct);
        if (r.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ChelHttp.EnsureAsync(r, Service, ct);
        return true;
    }

    /// <summary>The census, with the transitions since <paramref name="since"/> when given.</summary>
    /// <param name="since">Tally the transitions since.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<ReplicaCensus> GetCensusAsync(DateTimeOffset? since = null, CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<ReplicaCensus>(await Http.GetAsync(since is { } s ? "census?since=" + Uri.EscapeDataString(s.ToString("O", CultureInfo.InvariantCulture)) : "census", ct), Service, ct);

    /// <summary>The Librarian's counters.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<LibrarianStats> GetStatsAsync(CancellationToken ct = default) =>
        await ChelHttp.ReadAsync<LibrarianStats>(await Http.GetAsync("stats", ct), Service, ct);

    private static async Task<string> OutcomeAsync(HttpResponseMessage r, CancellationToken ct)
    {
        using (r)
        {
            if (r.IsSuccessStatusCode)
            {
                return "applied";
            }

            ChelError e = await ChelHttp.ErrorOfAsync(r, ct);
            return (int)r.StatusCode >= 500 ? throw new ChelHttpException(r.StatusCode, e, Service) : e.Error;
        }
    }
}

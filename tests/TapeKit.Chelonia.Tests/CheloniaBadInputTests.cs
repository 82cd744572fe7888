using System.Net;
using System.Net.Http.Json;
using Chelonia.Bartender;
using Chelonia.Demo;
using Chelonia.Shepherd;
using Chelonia.Wire;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Chelonia.Tests;

/// <summary>
/// Issue 12, point 4, over real HTTP: bad uploads are never registered and leave nothing behind; paths are checked and
/// nothing lands outside a Shepherd's store; unknown transfer ids and replayed registrations change nothing and get a
/// clear status with a typed error — never a 500.
/// </summary>
public sealed class CheloniaBadInputTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))];

    [Fact]
    public async Task Short_long_and_mismatching_uploads_are_refused_deleted_and_leave_no_file()
    {
        await using CheloniaWorld w = await CheloniaWorld.StartAsync();
        byte[] other = [.. Content];
        other[500] ^= 1;
        var cases = new (string Name, Func<Guid, Task<HttpStatusCode>> Send, HttpStatusCode Expected, string Code)[]
        {
            ("declared too long", id => PutAsync(w, id, new ByteArrayContent([.. Content, 1])), HttpStatusCode.RequestEntityTooLarge, "tooLong"),
            ("declared short", id => PutAsync(w, id, new ByteArrayContent(Content[..999])), HttpStatusCode.BadRequest, "short"),
            ("streamed too long", id => PutAsync(w, id, new StreamContent(new CountingStream(new MemoryStream([.. Content, .. Content])))), HttpStatusCode.RequestEntityTooLarge, "tooLong"),
            ("streamed short", id => PutAsync(w, id, new StreamContent(new CountingStream(new MemoryStream(Content[..10])))), HttpStatusCode.BadRequest, "short"),
            ("checksum mismatch", id => PutAsync(w, id, new ByteArrayContent(other)), HttpStatusCode.UnprocessableEntity, "checksumMismatch"),
        };

        long fileId = 100;
        foreach ((string name, Func<Guid, Task<HttpStatusCode>> send, HttpStatusCode expected, string code) in cases)
        {
            Guid id = await AllocateAsync(w, ++fileId);
            Assert.Equal((expected, name), (await send(id), name));
            Assert.Equal(code, _lastError?.Error);
            Assert.Equal(ReplicaState.Deleted, (await w.Librarian.GetTransferAsync(id))!.Value.Replica.State);
            AssertNothingStored(w);
        }

        // A stream that breaks off: the connection closes after half the declared bytes.
        Guid broken = await AllocateAsync(w, ++fileId);
        _ = await CheloniaWorld.RawAsync(w.ShepherdUrl, "PUT", $"/transfers/{broken}", Content[..500], declaredLength: Content.Length);
        await CheloniaWorld.UntilAsync("the broken transfer to be deleted", async () => (await w.Librarian.GetTransferAsync(broken))!.Value.Replica.State == ReplicaState.Deleted);
        AssertNothingStored(w);

        // And a good one for contrast: stored, registered at the next report, alive.
        Guid good = await AllocateAsync(w, ++fileId);
        Assert.Equal(HttpStatusCode.Accepted, await PutAsync(w, good, new ByteArrayContent(Content)));
        await CheloniaWorld.UntilAsync("the good copy to be alive", async () => (await w.Librarian.GetTransferAsync(good))!.Value.Replica.State == ReplicaState.Alive);
        // The Shepherd drops a transfer's journal once the Librarian has answered its report, which may come just after
        // the Librarian's row says alive.
        await CheloniaWorld.UntilAsync("the good copy's journal to be dropped", () => Task.FromResult(Directory.GetFiles(Path.Combine(w.Store, "journal")).Length == 0));
        Assert.Single(Directory.GetFiles(Path.Combine(w.Store, "data")));
        Assert.Empty(Directory.GetFiles(Path.Combine(w.Store, "tmp")));

        // None of the refused transfers turned alive meanwhile.
        ReplicaCensus census = await w.Librarian.GetCensusAsync(DateTimeOffset.UnixEpoch);
        Assert.Equal(1, census.Transitions("P2"));
        Assert.Equal(6, census.Transitions("P5"));
    }

    [Fact]
    public async Task The_bartender_refuses_a_missing_length_or_checksum_and_a_wrong_checksum_is_never_registered()
    {
        await using CheloniaWorld w = await CheloniaWorld.StartAsync();
        using var noSum = new ByteArrayContent(Content);
        Assert.Equal(HttpStatusCode.BadRequest, (await w.Http.PutAsync(w.BartenderUrl + "/files/a/b.bin", noSum)).StatusCode);
        using var chunked = new StreamContent(new CountingStream(new MemoryStream(Content))); // not seekable: sent chunked, without a length
        chunked.Headers.Add(BartenderService.ChecksumHeader, DemoWorkload.ChecksumOf(Content));
        using HttpResponseMessage noLength = await w.Http.PutAsync(w.BartenderUrl + "/files/a/b.bin", chunked);
        Assert.Equal(HttpStatusCode.LengthRequired, noLength.StatusCode);
        Assert.Equal("lengthRequired", (await ChelHttp.ErrorOfAsync(noLength)).Error);

        using var wrong = new ByteArrayContent(Content);
        wrong.Headers.Add(BartenderService.ChecksumHeader, "xxh3:0123456789abcdef");
        using HttpResponseMessage refused = await w.Http.PutAsync(w.BartenderUrl + "/files/a/b.bin", wrong);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("checksumMismatch", (await ChelHttp.ErrorOfAsync(refused)).Error);
        FileView view = (await w.Http.GetFromJsonAsync<FileView>(w.BartenderUrl + "/files/a/b.bin/replicas", ChelJson.Options))!;
        Assert.Empty(view.Replicas); // the one transfer was deleted: no live replica at all
        AssertNothingStored(w);
    }

    [Theory]
    [InlineData("a%2F..%2Fb")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("a%5C..%5Cb")]
    [InlineData("a%01b")]
    [InlineData("a%2F%2Fb")]
    [InlineData("a%2F.%2Fb")]
    [InlineData("dir/replicas")]
    public async Task Bad_paths_are_refused_with_a_typed_error_and_nothing_is_written(string path)
    {
        await using CheloniaWorld w = await CheloniaWorld.StartAsync();
        (int status, string body) = await CheloniaWorld.RawAsync(w.BartenderUrl, "PUT", "/files/" + path, Content);
        Assert.Equal(400, status);
        Assert.Contains("\"badPath\"", body, StringComparison.Ordinal);
        if (path != "dir/replicas")
        {
            (status, body) = await CheloniaWorld.RawAsync(w.BartenderUrl, "GET", "/files/" + path);
            Assert.Equal(400, status);
            Assert.Contains("\"badPath\"", body, StringComparison.Ordinal);
        }

        AssertNothingStored(w);
        Assert.Empty(Directory.EnumerateFileSystemEntries(w.Outside));
        Assert.Equal(0, (await w.Librarian.GetCensusAsync()).Files);
    }

    [Fact]
    public async Task Dot_segments_the_server_resolves_never_reach_a_store_and_ids_in_urls_are_typed()
    {
        await using CheloniaWorld w = await CheloniaWorld.StartAsync();
        // Kestrel resolves literal dot segments before routing: the request lands on no route (404), never outside a store.
        (int status, _) = await CheloniaWorld.RawAsync(w.BartenderUrl, "PUT", "/files/../../outside/x", Content);
        Assert.Equal(404, status);
        (status, string body) = await CheloniaWorld.RawAsync(w.ShepherdUrl, "GET", "/replicas/..%2F..%2Foutside");
        Assert.Equal((400, true), (status, body.Contains("\"badFileId\"", StringComparison.Ordinal)));
        (status, body) = await CheloniaWorld.RawAsync(w.ShepherdUrl, "PUT", "/transfers/..%2Foutside", Content);
        Assert.Equal((400, true), (status, body.Contains("\"badTransferId\"", StringComparison.Ordinal)));
        AssertNothingStored(w);
        Assert.Empty(Directory.EnumerateFileSystemEntries(w.Outside));

        // The store's names come from typed ids only, and are checked to stay inside it.
        var layout = new StoreLayout(w.Store);
        Assert.StartsWith(layout.Data + Path.DirectorySeparatorChar, layout.DataPath(long.MaxValue, "0123456789abcdef"), StringComparison.Ordinal);
        _ = Assert.Throws<ArgumentException>(() => layout.DataPath(1, "../../outside/x"));
        Assert.False(StoreLayout.TryParseDataName("../0000000000000001.0123456789abcdef", out _, out _));
        Assert.True(StoreLayout.TryParseDataName("0000000000000001.0123456789abcdef", out long id, out _));
        Assert.Equal(1, id);
    }

    [Fact]
    public async Task Unknown_transfer_ids_and_replayed_registrations_change_nothing_and_are_answered_clearly()
    {
        await using CheloniaWorld w = await CheloniaWorld.StartAsync();
        Guid unknown = Guid.NewGuid();
        var calls = new (string Method, string Path, object? Body)[]
        {
            ("GET", $"/transfers/{unknown}", null),
            ("POST", $"/transfers/{unknown}/register", new RegistrationRequest("shepherd-1", 1, new Checksum("xxh3", "0123456789abcdef"))),
            ("POST", $"/transfers/{unknown}/start", null),
            ("POST", $"/transfers/{unknown}/failed", new TransferFailure("test")),
            ("POST", $"/transfers/{unknown}/unconfirmed", null),
        };
        foreach ((string method, string path, object? body) in calls)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), w.LibrarianUrl + path) { Content = body is null ? null : JsonContent.Create(body, options: ChelJson.Options) };
            using HttpResponseMessage r = await w.Http.SendAsync(request);
            Assert.Equal((HttpStatusCode.NotFound, path), (r.StatusCode, path));
            ChelError e = await ChelHttp.ErrorOfAsync(r);
            Assert.Equal(("unknownTransfer", unknown.ToString()), (e.Error, e.Subject));
        }

        using (HttpResponseMessage r = await w.Http.PutAsync($"{w.ShepherdUrl}/transfers/{unknown}", new ByteArrayContent(Content)))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("unknownTransfer", (await ChelHttp.ErrorOfAsync(r)).Error);
        }

        using (HttpResponseMessage r = await w.Http.PostAsync($"{w.LibrarianUrl}/transfers/not-a-guid/start", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("badTransferId", (await ChelHttp.ErrorOfAsync(r)).Error);
        }

        AssertNothingStored(w);
        Assert.Equal(0, (await w.Librarian.GetCensusAsync()).Files);

        // A good upload through the Bartender, then its registration replayed: 200 "replayed", nothing written.
        using var upload = new ByteArrayContent(Content);
        upload.Headers.Add(BartenderService.ChecksumHeader, DemoWorkload.ChecksumOf(Content));
        UploadReceipt receipt = await ChelHttp.ReadAsync<UploadReceipt>(await w.Http.PutAsync(w.BartenderUrl + "/files/x/y.bin", upload), "bartender");
        await CheloniaWorld.UntilAsync("the upload to be alive", async () => (await w.Librarian.GetTransferAsync(receipt.TransferId))!.Value.Replica.State == ReplicaState.Alive);
        ReplicaView before = (await w.Librarian.GetTransferAsync(receipt.TransferId))!.Value;
        var sum = new Checksum("xxh3", DemoWorkload.ChecksumOf(Content)[5..]);
        ReplicaCallResult replay = await w.Librarian.RegisterAsync(receipt.TransferId, "shepherd-1", Content.Length, sum);
        Assert.Equal((ReplicaCallOutcome.Replayed, false), (replay.Outcome, replay.Changed));
        ChelHttpException wrongNode = await Assert.ThrowsAsync<ChelHttpException>(() => w.Librarian.RegisterAsync(receipt.TransferId, "shepherd-9", Content.Length, sum));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "refused"), (wrongNode.Status, wrongNode.Error.Error));
        ChelHttpException wrongSize = await Assert.ThrowsAsync<ChelHttpException>(() => w.Librarian.RegisterAsync(receipt.TransferId, "shepherd-1", 5, sum));
        Assert.Equal((HttpStatusCode.Conflict, "unchanged"), (wrongSize.Status, wrongSize.Error.Error));
        ReplicaView after = (await w.Librarian.GetTransferAsync(receipt.TransferId))!.Value;
        Assert.Equal((ReplicaState.Alive, before.Replica.RowVersion), (after.Replica.State, after.Replica.RowVersion));
        Assert.Equal(1, (await w.Librarian.GetCensusAsync(DateTimeOffset.UnixEpoch)).Transitions("P2"));

        // And the file reads back verified.
        Assert.Equal(Content, await w.Http.GetByteArrayAsync(w.BartenderUrl + "/files/x/y.bin"));
    }

    private static ChelError? _lastError;

    private static async Task<HttpStatusCode> PutAsync(CheloniaWorld w, Guid transferId, HttpContent content)
    {
        using (content)
        {
            using HttpResponseMessage r = await w.Http.PutAsync($"{w.ShepherdUrl}/transfers/{transferId}", content);
            _lastError = r.IsSuccessStatusCode ? null : await ChelHttp.ErrorOfAsync(r);
            return r.StatusCode;
        }
    }

    private static async Task<Guid> AllocateAsync(CheloniaWorld w, long fileId)
    {
        UploadAllocation a = await w.Librarian.BeginUploadAsync(new UploadRequest
        {
            FileId = fileId,
            Size = Content.Length,
            Checksum = new Checksum("xxh3", DemoWorkload.ChecksumOf(Content)[5..]),
            NeededReplicas = 1,
        });
        return a.TransferId!.Value;
    }

    private static void AssertNothingStored(CheloniaWorld w)
    {
        Assert.Empty(Directory.GetFiles(Path.Combine(w.Store, "data")));
        Assert.Empty(Directory.GetFiles(Path.Combine(w.Store, "tmp")));
        Assert.Empty(Directory.GetFiles(Path.Combine(w.Store, "journal")));
    }
}

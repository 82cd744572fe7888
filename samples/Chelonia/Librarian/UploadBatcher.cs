using System.Threading.Channels;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Librarian;

/// <summary>
/// Group commit for upload allocations: the uploads that arrive while one batch is being written wait for the next,
/// and each batch is one <see cref="ReplicaLibrarian.BeginUploadsAsync"/> transaction (one synced commit instead of
/// one per upload). An error of the batch's transaction (an unavailable catalogue) is every waiting upload's error.
/// </summary>
public sealed class UploadBatcher : IAsyncDisposable
{
    private const int MaxBatch = 128;
    private readonly ReplicaLibrarian _librarian;
    private readonly Channel<(UploadRequest Request, TaskCompletionSource<UploadTicket> Done)> _queue =
        Channel.CreateUnbounded<(UploadRequest, TaskCompletionSource<UploadTicket>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    /// <summary>Creates the batcher and starts its loop.</summary>
    /// <param name="librarian">The Librarian.</param>
    public UploadBatcher(ReplicaLibrarian librarian)
    {
        _librarian = librarian;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Allocates an upload in the next batch.</summary>
    /// <param name="request">The upload (already checked).</param>
    /// <param name="ct">Stops waiting (the allocation may still be made).</param>
    public async Task<UploadTicket> BeginUploadAsync(UploadRequest request, CancellationToken ct)
    {
        var done = new TaskCompletionSource<UploadTicket>(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite((request, done)), this);

        return await done.Task.WaitAsync(ct);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _ = _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(UploadRequest Request, TaskCompletionSource<UploadTicket> Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                IReadOnlyList<UploadTicket> tickets = await _librarian.BeginUploadsAsync([.. batch.Select(b => b.Request)]);
                for (int i = 0; i < batch.Count; i++)
                {
                    _ = batch[i].Done.TrySetResult(tickets[i]);
                }
            }
            catch (Exception e)
            {
                foreach ((_, TaskCompletionSource<UploadTicket> done) in batch)
                {
                    _ = done.TrySetException(e);
                }
            }
        }
    }
}

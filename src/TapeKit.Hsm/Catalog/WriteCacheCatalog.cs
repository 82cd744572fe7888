using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// What a disk mover (host code) does through the catalogue on the write path (spec/hsm.md §3.1 C1, C2, C3):
/// create the row with its policy decision, mark it written with <c>CacheWritten</c> in the same transaction, or
/// abort. Deletion in the namespace is announced with <see cref="AnnounceDeletedAsync"/>.
/// </summary>
public static class WriteCacheCatalog
{
    /// <summary>
    /// C1: creates the file row <c>CREATED</c> with the policy decision made once, now. A row with the same external id that
    /// start-up recovery rolled back (<see cref="WriteCacheRecovery.WriteAborted"/>) is opened again instead.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="selector">The policy selector.</param>
    /// <param name="attributes">The file's attributes (the size is the expected size; it is routed by it).</param>
    /// <param name="namespacePath">The user-visible name.</param>
    /// <param name="cachePath">The path relative to the disk library's area root.</param>
    /// <param name="externalId">The host's id, if any.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<FileRecord> CreateAsync(
        ICatalog catalog, IPolicySelector selector, HsmFileAttributes attributes, string namespacePath, string cachePath,
        string? externalId = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(attributes);
        if (Path.IsPathRooted(cachePath))
        {
            throw new ArgumentException($"The cache path '{cachePath}' must be relative to the disk library's area root.", nameof(cachePath));
        }

        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        if (externalId is not null && await txn.GetFileByExternalIdAsync(externalId) is { CacheStatus: CacheStatus.Created, FailureReason: WriteCacheRecovery.WriteAborted } aborted)
        {
            // The re-send of a write a crash interrupted and recovery rolled back (C3): the row is opened again, decided anew.
            FileRecord reopened = aborted with
            {
                NamespacePath = namespacePath,
                CachePath = cachePath,
                Size = attributes.Size,
                Attributes = attributes,
                Decision = selector.Decide(attributes),
                CreatedAt = txn.Now,
                LastAccessAt = txn.Now,
                FailureReason = null,
            };
            await txn.UpdateFileAsync(reopened);
            await txn.CommitAsync(ct);
            return reopened;
        }

        long id = await txn.AllocateFileIdAsync();
        var file = new FileRecord
        {
            FileId = id,
            ExternalId = externalId,
            NamespacePath = namespacePath,
            CachePath = cachePath,
            Size = attributes.Size,
            Attributes = attributes,
            Decision = selector.Decide(attributes),
            CreatedAt = txn.Now,
            LastAccessAt = txn.Now,
        };
        await txn.CreateFileAsync(file);
        await txn.CommitAsync(ct);
        return file;
    }

    /// <summary>C2: the write finished; size and checksums are recorded and <c>CacheWritten</c> is queued in the same transaction.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="size">The final size (must equal the size the decision was made for).</param>
    /// <param name="checksums">At least one checksum, computed in-stream.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The row, or <see langword="null"/> when the file was not <c>CREATED</c> (a repeated call changes nothing).</returns>
    public static async ValueTask<FileRecord?> CompleteAsync(
        ICatalog catalog, long fileId, long size, IReadOnlyList<Checksum> checksums, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(checksums);
        if (checksums.Count == 0)
        {
            throw new ArgumentException("A written file needs at least one checksum (C2 guard).", nameof(checksums));
        }

        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        FileRecord? current = await txn.GetFileAsync(fileId);
        if (current is not null && current.Size != size)
        {
            throw new ArgumentException($"File {fileId} was created for {current.Size} bytes but {size} were written; its policy decision depends on the size.", nameof(size));
        }

        FileRecord? file = await txn.TryMoveCacheAsync(fileId, CacheStatus.Created, FileCacheEvent.WriteFinished, HsmActor.DiskMover,
            mutate: f => f with { Checksums = [.. checksums], CachedAt = txn.Now, LastAccessAt = txn.Now });
        if (file is null)
        {
            return null;
        }

        Envelope message = HsmMessages.Create(HsmMessageTypes.CacheWritten,
            new CacheWrittenEvent(MemberDescriptor.Of(file), file.Decision.PolicyKey, file.Decision.DiskLibrary), catalog.Time,
            new Envelope { MessageId = Guid.Empty, Type = "", DiskLibrary = file.Decision.DiskLibrary, Priority = file.Decision.Priority });
        await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, message));
        await txn.CommitAsync(ct);
        return file;
    }

    /// <summary>Queues <c>NamespaceDeleted</c> for the dispatcher (the host's namespace deleted the file).</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask AnnounceDeletedAsync(ICatalog catalog, long fileId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        Envelope message = HsmMessages.Create(HsmMessageTypes.NamespaceDeleted, new NamespaceDeletedEvent(fileId, txn.Now), catalog.Time);
        await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, message));
        await txn.CommitAsync(ct);
    }
}

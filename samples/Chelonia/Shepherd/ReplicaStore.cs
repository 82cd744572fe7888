using System.Collections.Concurrent;
using TapeKit.Checksums;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Shepherd;

/// <summary>A copy a Shepherd holds.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Xxh3">Its expected XXH3 (from its name).</param>
/// <param name="Size">Its size on disk when found or stored.</param>
/// <param name="Registered">Whether the Librarian acknowledged it (copies found at start-up count as registered: the digest settles it).</param>
/// <param name="Invalid">Whether a scan or read found it damaged.</param>
/// <param name="TransferId">The transfer it arrived by, when this process received it.</param>
public sealed record StoredCopy(long FileId, string Xxh3, long Size, bool Registered, bool Invalid, Guid? TransferId)
{
    /// <summary>Its checksum as the catalogue writes it.</summary>
    public Checksum Checksum => new(HsmChecksums.XxHash3, Xxh3);
}

/// <summary>How a receive ended.</summary>
public enum ReceiveOutcome
{
    /// <summary>Whole, verified, synced and published.</summary>
    Stored,

    /// <summary>The stream ended before the expected size.</summary>
    Truncated,

    /// <summary>The stream went on past the expected size.</summary>
    TooLong,

    /// <summary>The size was right but the checksum was not.</summary>
    ChecksumMismatch,
}

/// <summary>What a check of a stored copy found.</summary>
public enum CopyCheck
{
    /// <summary>The bytes match the expected checksum.</summary>
    Good,

    /// <summary>They do not (P6).</summary>
    Corrupted,

    /// <summary>The copy is gone from the disk.</summary>
    Missing,
}

/// <summary>
/// A Shepherd's copies: received into a temporary name while their checksum is computed, synced, published by a
/// rename, and only then offered for registration; found again by a start-up scan (temporaries removed); checked by the
/// spread-out scan; served while being verified; deleted when retired.
/// </summary>
public sealed class ReplicaStore
{
    private const int BufferSize = 64 * 1024;
    private readonly ConcurrentDictionary<long, StoredCopy> _copies = new();

    /// <summary>Creates the store over a layout; <see cref="LoadOnStart"/> fills it.</summary>
    /// <param name="layout">The layout.</param>
    public ReplicaStore(StoreLayout layout) => Layout = layout;

    /// <summary>The layout.</summary>
    public StoreLayout Layout { get; }

    /// <summary>The copies held.</summary>
    public ICollection<StoredCopy> Copies => _copies.Values;

    /// <summary>The start-up scan: removes every temporary (a receive the crash interrupted) and indexes the published copies.</summary>
    /// <returns>How many temporaries were removed.</returns>
    public int LoadOnStart()
    {
        int removed = 0;
        foreach (string tmp in Directory.EnumerateFiles(Layout.Temp))
        {
            File.Delete(tmp);
            removed++;
        }

        foreach (string path in Directory.EnumerateFiles(Layout.Data))
        {
            if (StoreLayout.TryParseDataName(Path.GetFileName(path), out long fileId, out string xxh3))
            {
                _copies[fileId] = new StoredCopy(fileId, xxh3, new FileInfo(path).Length, Registered: true, Invalid: false, null);
            }
        }

        return removed;
    }

    /// <summary>The copy of a file, if held.</summary>
    /// <param name="fileId">The file.</param>
    public StoredCopy? Get(long fileId) => _copies.GetValueOrDefault(fileId);

    /// <summary>
    /// Receives a copy: streams <paramref name="body"/> into the transfer's temporary name computing XXH3, stops at the
    /// first byte past the expected size, and publishes (sync, rename, directory sync) only a whole copy with the expected
    /// checksum. Anything else leaves nothing behind.
    /// </summary>
    /// <param name="entry">The transfer (expected size and checksum).</param>
    /// <param name="body">The bytes.</param>
    /// <param name="ct">The sender went away (the request was aborted): the receive ends as truncated.</param>
    public async Task<(ReceiveOutcome Outcome, long Received, string Detail)> ReceiveAsync(JournalEntry entry, Stream body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(body);
        string tmp = Layout.TempPath(entry.TransferId);
        var hash = new XxHash3Checksum();
        long received = 0;
        bool published = false;
        try
        {
            await using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                byte[] buffer = new byte[BufferSize];
                while (true)
                {
                    int n;
                    try
                    {
                        n = await body.ReadAsync(buffer, ct);
                    }
                    catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
                    {
                        return (ReceiveOutcome.Truncated, received, $"The stream broke after {received} of {entry.Size} bytes: {e.Message}");
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    if (received + n > entry.Size)
                    {
                        return (ReceiveOutcome.TooLong, received + n, $"The stream goes past the expected {entry.Size} bytes.");
                    }

                    hash.Append(buffer.AsSpan(0, n));
                    await file.WriteAsync(buffer.AsMemory(0, n), CancellationToken.None);
                    received += n;
                }

                if (received < entry.Size)
                {
                    return (ReceiveOutcome.Truncated, received, $"The stream ended after {received} of {entry.Size} bytes.");
                }

                string got = ChecksumText.Hash64Hex(hash.Value);
                if (!string.Equals(got, entry.Checksum.Value, StringComparison.OrdinalIgnoreCase))
                {
                    return (ReceiveOutcome.ChecksumMismatch, received, $"The bytes have XXH3 {got}, not the expected {entry.Checksum.Value}.");
                }

                await file.FlushAsync(CancellationToken.None);
                file.Flush(flushToDisk: true);
            }

            string final = Layout.DataPath(entry.FileId, entry.Checksum.Value);
            File.Move(tmp, final, overwrite: true);
            published = true;
            _copies[entry.FileId] = new StoredCopy(entry.FileId, entry.Checksum.Value, received, Registered: false, Invalid: false, entry.TransferId);
            return (ReceiveOutcome.Stored, received, "Stored.");
        }
        finally
        {
            if (!published)
            {
                File.Delete(tmp);
            }
        }
    }

    /// <summary>Marks a copy registered (the Librarian acknowledged it).</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="transferId">The transfer it was registered under.</param>
    public void MarkRegistered(long fileId, Guid transferId) =>
        _copies.AddOrUpdate(fileId, _ => throw new InvalidOperationException($"No copy of file {fileId}."),
            (_, c) => c.TransferId == transferId || c.TransferId is null ? c with { Registered = true } : c);

    /// <summary>Marks a copy as arrived by a transfer not yet registered (found in the journal at start-up).</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="transferId">The transfer.</param>
    public void MarkUnregistered(long fileId, Guid transferId)
    {
        if (_copies.TryGetValue(fileId, out StoredCopy? c))
        {
            _copies[fileId] = c with { Registered = false, TransferId = transferId };
        }
    }

    /// <summary>Marks a copy damaged, unless it was replaced since it was read (a repair arrived meanwhile).</summary>
    /// <param name="copy">The copy as it was checked.</param>
    /// <returns>Whether it was marked.</returns>
    public bool MarkInvalid(StoredCopy copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return _copies.TryUpdate(copy.FileId, copy with { Invalid = true }, copy);
    }

    /// <summary>Checks a copy against its expected checksum (a missing copy leaves the index).</summary>
    /// <param name="copy">The copy.</param>
    /// <param name="ct">Cancels the check.</param>
    public async Task<CopyCheck> CheckAsync(StoredCopy copy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(copy);
        string path = Layout.DataPath(copy.FileId, copy.Xxh3);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            _ = _copies.TryRemove(new KeyValuePair<long, StoredCopy>(copy.FileId, copy));
            return CopyCheck.Missing;
        }

        await using (file)
        {
            var hash = new XxHash3Checksum();
            byte[] buffer = new byte[BufferSize];
            int n;
            while ((n = await file.ReadAsync(buffer, ct)) > 0)
            {
                hash.Append(buffer.AsSpan(0, n));
            }

            return ChecksumText.Hash64Hex(hash.Value) == copy.Xxh3 ? CopyCheck.Good : CopyCheck.Corrupted;
        }
    }

    /// <summary>Opens a copy for reading, or <see langword="null"/> when it is not held (or gone).</summary>
    /// <param name="fileId">The file.</param>
    public (StoredCopy Copy, FileStream Stream)? OpenRead(long fileId)
    {
        if (!_copies.TryGetValue(fileId, out StoredCopy? copy))
        {
            return null;
        }

        try
        {
            return (copy, new FileStream(Layout.DataPath(fileId, copy.Xxh3), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: true));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Deletes a copy (retired or refused); true when there was one.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="onlyTransfer">Delete only when the copy arrived by this transfer.</param>
    public bool Delete(long fileId, Guid? onlyTransfer = null)
    {
        if (!_copies.TryGetValue(fileId, out StoredCopy? copy) || (onlyTransfer is { } t && copy.TransferId != t))
        {
            return false;
        }

        File.Delete(Layout.DataPath(fileId, copy.Xxh3));
        return _copies.TryRemove(new KeyValuePair<long, StoredCopy>(fileId, copy));
    }

    /// <summary>The digest of the registered copies (docs/hsm/replicas.md#reporting-without-overload, rule 4).</summary>
    public ReplicaDigest Digest() => ReplicaDigest.Of(DigestEntries());

    /// <summary>The registered copies as digest entries.</summary>
    public IEnumerable<ReplicaDigestEntry> DigestEntries() =>
        _copies.Values.Where(c => c.Registered).Select(c => new ReplicaDigestEntry(c.FileId, c.Invalid));
}

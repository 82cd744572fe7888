using System.Text.Json;
using Chelonia.Wire;
using TapeKit.Hsm.Model;

namespace Chelonia.Shepherd;

/// <summary>Which end of a transfer a Shepherd is.</summary>
public enum TransferRole
{
    /// <summary>It receives the copy.</summary>
    Incoming,

    /// <summary>It sends the copy.</summary>
    Outgoing,
}

/// <summary>One transfer in progress, as the journal keeps it.</summary>
/// <param name="TransferId">The transfer.</param>
/// <param name="Role">Which end this Shepherd is.</param>
/// <param name="FileId">The file.</param>
/// <param name="Size">The expected size.</param>
/// <param name="Checksum">The expected checksum.</param>
/// <param name="Peer">The other end's node id (the target of an outgoing transfer).</param>
public sealed record JournalEntry(Guid TransferId, TransferRole Role, long FileId, long Size, Checksum Checksum, string? Peer);

/// <summary>
/// A Shepherd's durable list of transfers in progress (failure case C.1): one small file per transfer in
/// <c>journal/</c>, written and synced before the first byte moves and removed when the transfer is settled, so a
/// Shepherd killed with SIGKILL finds on start-up exactly the transfers it had not settled.
/// </summary>
/// <param name="layout">The store layout.</param>
public sealed class TransferJournal(StoreLayout layout)
{
    /// <summary>Records transfers (each file synced, then the directory once).</summary>
    /// <param name="entries">The transfers.</param>
    public void Add(IReadOnlyCollection<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (JournalEntry e in entries)
        {
            string path = layout.JournalPath(e.TransferId);
            using (var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(f, e, ChelJson.Options);
                f.Flush(flushToDisk: true);
            }
        }

        if (entries.Count > 0)
        {
            TapeKit.IO.DirectorySync.Flush(layout.Journal);
        }
    }

    /// <summary>Settles a transfer (its entry goes).</summary>
    /// <param name="transferId">The transfer.</param>
    public void Remove(Guid transferId) => File.Delete(layout.JournalPath(transferId));

    /// <summary>Whether a transfer is in the journal.</summary>
    /// <param name="transferId">The transfer.</param>
    public bool Contains(Guid transferId) => File.Exists(layout.JournalPath(transferId));

    /// <summary>Every entry; an unreadable one (a crash while writing it, before its sync) is removed and skipped.</summary>
    public IReadOnlyList<JournalEntry> Load()
    {
        var entries = new List<JournalEntry>();
        foreach (string path in Directory.EnumerateFiles(layout.Journal, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<JournalEntry>(File.ReadAllText(path), ChelJson.Options) is { } e && layout.JournalPath(e.TransferId) == path)
                {
                    entries.Add(e);
                    continue;
                }
            }
            catch (JsonException)
            {
            }

            File.Delete(path);
        }

        return entries;
    }
}

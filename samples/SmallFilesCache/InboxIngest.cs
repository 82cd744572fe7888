using Microsoft.Extensions.Logging;
using TapeKit;
using TapeKit.Aggregation;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.IO;

namespace SmallFilesCache;

/// <summary>
/// The inbox boundary: every entry under <c>Root/inbox</c> comes from users the daemon does not trust. The walk never
/// follows a link; only plain regular files with one link, a name under the member name rules (F12.1) in Unicode NFC,
/// left unmodified for <see cref="SiteOptions.InboxSettleTime"/>, are opened (without following links, never blocking
/// on a FIFO) and ingested; a file that changes while it is copied is not. Links, FIFOs, devices, sockets, hard-linked
/// files and bad names are moved, unread, under <c>Root/rejected/</c> with a logged reason.
/// </summary>
public static partial class InboxIngest
{
    /// <summary>Ingests what the inbox holds now.</summary>
    /// <param name="cache">The site.</param>
    /// <param name="inbox">The inbox directory.</param>
    /// <param name="now">The time now (for the settle time).</param>
    /// <param name="logger">Where refusals are logged.</param>
    /// <param name="ct">Cancels between files.</param>
    /// <returns>Every entry met and what became of it.</returns>
    public static async Task<IReadOnlyList<InboxEntry>> RunAsync(CacheSite cache, string inbox, DateTimeOffset now, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(logger);
        var entries = new List<InboxEntry>();
        byte[] buffer = new byte[1 << 20];
        foreach ((string path, string relative) in Walk(inbox, inbox))
        {
            ct.ThrowIfCancellationRequested();
            InboxEntry entry = await IngestOneAsync(cache, path, relative, now, buffer, ct);
            if (entry.Verdict == InboxVerdict.Rejected)
            {
                Log.Rejected(logger, MemberName.Printable(relative), entry.Kind?.ToString() ?? "Error", entry.Reason);
                try
                {
                    SetAside(cache, path, relative);
                }
                catch (IOException e)
                {
                    Log.NotSetAside(logger, MemberName.Printable(relative), e.Message);
                }
            }

            else if (entry.Verdict == InboxVerdict.NotYet && entry.Reason.EndsWith("until it comes back", StringComparison.Ordinal))
            {
                Log.Waiting(logger, MemberName.Printable(relative), entry.Reason);
            }

            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Every entry below <paramref name="directory"/> that is not a directory, in ordinal order, without following links.</summary>
    private static IEnumerable<(string Path, string Relative)> Walk(string inbox, string directory)
    {
        IEnumerable<string> names;
        try
        {
            names = [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        }
        catch (DirectoryNotFoundException)
        {
            yield break; // removed while walking
        }

        foreach (string name in names)
        {
            string path = Path.Combine(directory, name);
            if (name.StartsWith('.'))
            {
                continue; // being written, by convention (rename into place when done); never ingested
            }

            FileNodeStatus status;
            try
            {
                status = FileNodes.Inspect(path);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (status.Type == FileNodeType.Directory)
            {
                foreach (var inner in Walk(inbox, path))
                {
                    yield return inner;
                }

                continue;
            }

            yield return (path, Path.GetRelativePath(inbox, path));
        }
    }

    private static async Task<InboxEntry> IngestOneAsync(CacheSite cache, string path, string relative, DateTimeOffset now, byte[] buffer, CancellationToken ct)
    {
        if (NameProblem(relative) is { } problem)
        {
            return new InboxEntry(relative, InboxVerdict.Rejected, problem.Kind, $"the name {problem.Text}");
        }

        try
        {
            FileNodeStatus seen = FileNodes.Inspect(path);
            if (seen.Type == FileNodeType.Regular && seen.LinkCount == 1 && now - seen.ModifiedAt < cache.Options.InboxSettleTime)
            {
                return new InboxEntry(relative, InboxVerdict.NotYet, null, "modified less than the settle time ago");
            }

            string namespacePath = "/" + relative;
            await using FileStream source = FileNodes.OpenRegular(path, allowHardLinks: false, out FileNodeStatus opened);
            if (await IngestedBeforeAsync(cache, namespacePath, source, buffer, ct))
            {
                // A crash between the completed ingest and the inbox file's removal: the file is in, only the removal is left.
                await source.DisposeAsync();
                File.Delete(path);
                return new InboxEntry(relative, InboxVerdict.AlreadyIngested, null, "");
            }

            var attributes = new HsmFileAttributes { StorageGroup = relative.Split('/')[0], Size = opened.Size };
            _ = await DiskMover.WriteAsync(cache, attributes, namespacePath, (offset, chunk) =>
            {
                source.Position = offset;
                source.ReadExactly(chunk.Span);
                if (offset + chunk.Length == opened.Size && !opened.SameContentAs(FileNodes.StatusOf(source)))
                {
                    throw new UnsafeOperationException($"{relative} changed while it was being ingested (it is still being written).", relative, UnsafeOperationKind.FileChanging);
                }
            }, buffer, opened.Mode, ct);
            await source.DisposeAsync();
            File.Delete(path);
            return new InboxEntry(relative, InboxVerdict.Ingested, null, "");
        }
        catch (UnsafeOperationException e)
        {
            return new InboxEntry(relative, InboxVerdict.Rejected, e.Kind, e.Message);
        }
        catch (IOException e) when (DiskSpace.Exhausted(e) is { } exhausted)
        {
            // A full cache area or no file descriptor left is a wait, not a refusal: the file stays where the client put it.
            return new InboxEntry(relative, InboxVerdict.NotYet, null, $"{exhausted} ({e.Message}); the file stays in the inbox until it comes back");
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or TapeKit.Hsm.HsmException)
        {
            // Not ingested (a name already in the namespace, a disk error, …): set aside, never lost.
            return new InboxEntry(relative, InboxVerdict.Rejected, null, e.Message);
        }
    }

    /// <summary>Why an inbox path cannot be a namespace path: the member name rules (F12.1), and Unicode NFC so that two names never collide once normalised.</summary>
    private static (UnsafeOperationKind Kind, string Text)? NameProblem(string relative)
    {
        if (MemberName.Problem(relative) is { } problem)
        {
            UnsafeOperationKind kind = relative.AsSpan().IndexOfAnyInRange('\0', '\x1F') >= 0 || relative.Contains('\x7F', StringComparison.Ordinal)
                ? UnsafeOperationKind.ControlCharacters
                : UnsafeOperationKind.InvalidMemberName;
            return (kind, problem);
        }

        if (Decomposed(relative))
        {
            return (UnsafeOperationKind.InvalidMemberName, "is not in Unicode normalisation form C (it could collide with another spelling of the same name)");
        }

        return null;
    }

    /// <summary>
    /// Whether the name spells a Latin, Greek or Cyrillic letter with a separate combining mark (NFD), where NFC has one
    /// character. Checked by character category because TapeKit runs with invariant globalization, where .NET's
    /// normalisation calls do not look at non-ASCII text; scripts whose marks have no precomposed form are not affected.
    /// </summary>
    private static bool Decomposed(string name)
    {
        for (int i = 1; i < name.Length; i++)
        {
            if (name[i - 1] is >= 'A' and <= '\u04FF' && char.IsLetter(name[i - 1])
                && char.GetUnicodeCategory(name[i]) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether this inbox file was ingested already: the catalogue has it past CREATED with its size and checksums.</summary>
    private static async Task<bool> IngestedBeforeAsync(CacheSite cache, string namespacePath, FileStream source, byte[] buffer, CancellationToken ct)
    {
        FileRecord? known = await cache.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(namespacePath), ct);
        if (known is null || known.CacheStatus == CacheStatus.Created || known.Size != source.Length)
        {
            return false;
        }

        var hasher = new TapeKit.Checksums.MemberHasher();
        source.Position = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
        }

        return HsmChecksums.Agree(known.Checksums, hasher.GetDigest());
    }

    /// <summary>Moves the entry itself (a rename: a link or a FIFO is moved, never followed or opened) under <c>Root/rejected/</c>.</summary>
    private static void SetAside(CacheSite cache, string path, string relative)
    {
        string rejectedRoot = Path.Combine(cache.Root, "rejected");
        string target = Path.Combine(rejectedRoot, relative); // the walk's own names: no "..", no absolute part
        SafeDirectory.Create(rejectedRoot, Path.GetDirectoryName(target)!, cache.Options.DirectoryMode, relative);
        File.Move(path, target, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Error, "Inbox file {Path} was not ingested and is set aside under rejected/ ({Kind}): {Reason}")]
        public static partial void Rejected(ILogger logger, string path, string kind, string reason);

        [LoggerMessage(9, LogLevel.Warning, "Inbox file {Path} was not ingested: {Reason}.")]
        public static partial void Waiting(ILogger logger, string path, string reason);

        [LoggerMessage(7, LogLevel.Error, "Inbox file {Path} could not be set aside under rejected/ and stays in the inbox: {Reason}")]
        public static partial void NotSetAside(ILogger logger, string path, string reason);
    }
}

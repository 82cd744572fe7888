using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// The SmallFilesCache disk mover's group commit through the inbox: files share one durable commit per batch, and no
/// file leaves the inbox before its batch's commit is in.
/// </summary>
public sealed class SmallFilesCacheIngestTests
{
    [Fact]
    public async Task A_batch_interrupted_before_its_commit_leaves_every_file_in_the_inbox_and_the_next_run_ingests_each_once()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        string inbox = Path.Combine(root, "inbox");
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var random = new Random(14);
        for (int i = 0; i < 40; i++)
        {
            byte[] bytes = new byte[random.Next(0, 3 << 20)];
            random.NextBytes(bytes);
            contents[$"grp/f{i:D2}.dat"] = bytes;
        }

        await using (CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root))
        {
            Drop(inbox, contents);
            using var interrupt = new CancellationTokenSource();
            int flushed = 0;
            // Interrupted once ten files are written and flushed: the batch (all 40 files, under one batch's limits) has not committed.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance,
                _ =>
                {
                    if (Interlocked.Increment(ref flushed) == 10)
                    {
                        interrupt.Cancel();
                    }
                }, ct: interrupt.Token));

            Assert.True(flushed >= 10);
            foreach ((string relative, byte[] bytes) in contents)
            {
                // Not acknowledged: still in the inbox, as it was, and not ingested in the catalogue (no row, or CREATED).
                Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(inbox, relative)));
                FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/" + relative));
                Assert.True(row is null || row.CacheStatus == CacheStatus.Created, $"{relative} is {row?.CacheStatus} before its batch committed");
            }
        }

        // The next start recovers the interrupted rows; the next walk ingests every file once.
        await using (CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root))
        {
            IReadOnlyList<InboxEntry> entries = await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance);

            Assert.Equal(contents.Count, entries.Count);
            Assert.All(entries, e => Assert.Equal(InboxVerdict.Ingested, e.Verdict));
            Assert.Empty(Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories));
            foreach ((string relative, byte[] bytes) in contents)
            {
                FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/" + relative));
                Assert.Equal(CacheStatus.Cached, row?.CacheStatus);
                Assert.Equal(bytes.Length, row!.Size);
                Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(root, "cache", "dl1", relative)));
            }
        }
    }

    [Fact]
    public async Task A_file_whose_name_is_taken_fails_alone_and_the_rest_of_its_batch_is_ingested()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        string inbox = Path.Combine(root, "inbox");
        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        Drop(inbox, new Dictionary<string, byte[]> { ["grp/taken.dat"] = "first"u8.ToArray() });
        Assert.Equal(InboxVerdict.Ingested, Assert.Single(await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance)).Verdict);

        // The same name again with other bytes, in one batch with new names.
        Drop(inbox, new Dictionary<string, byte[]>
        {
            ["grp/a.dat"] = "a"u8.ToArray(),
            ["grp/taken.dat"] = "second, longer"u8.ToArray(),
            ["grp/z.dat"] = "z"u8.ToArray(),
        });
        Dictionary<string, InboxEntry> verdicts = (await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance))
            .ToDictionary(e => e.RelativePath, StringComparer.Ordinal);

        Assert.Equal(InboxVerdict.Ingested, verdicts["grp/a.dat"].Verdict);
        Assert.Equal(InboxVerdict.Ingested, verdicts["grp/z.dat"].Verdict);
        Assert.Equal(InboxVerdict.Rejected, verdicts["grp/taken.dat"].Verdict);
        Assert.Equal("first", await File.ReadAllTextAsync(Path.Combine(root, "cache", "dl1", "grp", "taken.dat")));
        Assert.Equal("second, longer", await File.ReadAllTextAsync(Path.Combine(root, "rejected", "grp", "taken.dat")));
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Combine(root, "cache", "dl1", "grp", "a.dat")));
        Assert.Equal(CacheStatus.Cached, (await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/z.dat")))?.CacheStatus);
    }

    [Fact]
    public async Task A_batch_whose_commit_fails_leaves_its_files_waiting_never_set_aside_and_recovery_lets_them_in()
    {
        // A batch whose rows are created and whose files are written and flushed, but whose commit the catalogue refuses,
        // leaves CREATED rows behind. The next walk must not take them for names already in use and set the files aside: the
        // files wait until the rows are recovered. The refusal is the store's own (a trigger another connection adds makes
        // SQLite abort the commit's update): immediate, where a lock held past the busy timeout takes the catalogue's ten
        // attempts of five seconds each.
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        string inbox = Path.Combine(root, "inbox");
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var random = new Random(1407);
        for (int i = 0; i < 6; i++)
        {
            byte[] bytes = new byte[random.Next(1, 300_000)];
            random.NextBytes(bytes);
            contents[$"grp/c{i}.dat"] = bytes;
        }

        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        Drop(inbox, contents);
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(root, "catalogue.db"), Pooling = false }.ToString());
        void Sql(string text)
        {
            using SqliteCommand command = other.CreateCommand();
            command.CommandText = text;
            command.ExecuteNonQuery();
        }

        int flushed = 0;
        await Assert.ThrowsAsync<CatalogConstraintException>(() => InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance, _ =>
        {
            if (Interlocked.Increment(ref flushed) == contents.Count)
            {
                // Every file is flushed; the batch's commit comes next.
                other.Open();
                Sql("CREATE TRIGGER refuse_commit BEFORE UPDATE ON files BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
            }
        }));
        Sql("DROP TRIGGER refuse_commit");
        other.Close();
        foreach (string relative in contents.Keys)
        {
            Assert.Equal(CacheStatus.Created, (await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/" + relative)))?.CacheStatus);
        }

        IReadOnlyList<InboxEntry> waiting = await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance);

        Assert.Equal(contents.Count, waiting.Count);
        Assert.All(waiting, e =>
        {
            Assert.Equal(InboxVerdict.NotYet, e.Verdict);
            Assert.Contains("earlier ingest of this name", e.Reason, StringComparison.Ordinal);
            Assert.True(InboxIngest.WaitsOnUnfinishedIngest(e), "the daemon would not recover the row the file waits on");
        });
        Assert.False(Directory.Exists(Path.Combine(root, "rejected")), "a file was set aside behind its own unfinished ingest");
        foreach ((string relative, byte[] bytes) in contents)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(inbox, relative)));
        }

        // What the daemon does after a failed round: its rows are recovered (the cache copies are whole, so completed), then
        // the next walk finds every file in and only removes it from the inbox.
        WriteCacheRecoveryReport recovered = await site.RecoverIngestsAsync(site.Catalog.Time.GetUtcNow());
        Assert.Equal(contents.Count, recovered.Completed.Count);
        IReadOnlyList<InboxEntry> after = await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance);

        Assert.All(after, e => Assert.Equal(InboxVerdict.AlreadyIngested, e.Verdict));
        Assert.DoesNotContain(after, InboxIngest.WaitsOnUnfinishedIngest);
        Assert.Empty(Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories));
        foreach ((string relative, byte[] bytes) in contents)
        {
            FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/" + relative));
            Assert.Equal(CacheStatus.Cached, row?.CacheStatus);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(root, "cache", "dl1", relative)));
        }
    }

    /// <summary>Writes the files into the inbox, settled (modified an hour ago).</summary>
    private static void Drop(string inbox, Dictionary<string, byte[]> files)
    {
        foreach ((string relative, byte[] bytes) in files)
        {
            string path = Path.Combine(inbox, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        }
    }
}

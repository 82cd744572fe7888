using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// A producer still writing a file the inbox ingests (docs/security.md, inbox entries): the copy is refused as
/// <see cref="UnsafeOperationKind.FileChanging"/>, set aside, nothing of it stays in the cache, its row is rolled back —
/// and the same name dropped again once it is complete is ingested.
/// </summary>
public sealed class SmallFilesCacheChangingFileTests
{
    [Fact]
    public async Task A_file_that_grows_while_it_is_copied_is_refused_rolled_back_and_ingested_when_sent_again_complete()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await CacheSite.OpenAsync(new SiteOptions
        {
            Root = root,
            TapesPerPool = 1,
            DiskLibraries = [new DiskLibraryOptions { Name = "dl1", Drives = [0] }],
            Policies = new PolicySet { Version = 1, Rules = [new PolicyRule { Name = "default", DiskLibrary = "dl1", TapePool = "pool-dl1" }] },
            InstanceName = "changing-test/sfa",
            InboxSettleTime = TimeSpan.Zero, // a producer writing in place, with no safety net
        }, TimeProvider.System, NullLoggerFactory.Instance);
        string inbox = Path.Combine(root, "inbox");
        string grp = Path.Combine(inbox, "grp");
        Directory.CreateDirectory(grp);
        string path = Path.Combine(grp, "growing.dat");
        // 8 MiB written; the producer writes 4 KiB more once the ingest has opened the file and before it copies it (the
        // ingest's "opened" observation point), as a producer still writing in place would.
        byte[] chunk = new byte[4096];
        new Random(5).NextBytes(chunk);
        using (var producer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            for (int i = 0; i < 2048; i++)
            {
                producer.Write(chunk);
            }

            producer.Flush();
            int appended = 0;

            // "Now" a minute on: the file is settled as far as the walk can tell.
            IReadOnlyList<InboxEntry> first = await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow.AddMinutes(1), NullLogger.Instance, opened: relative =>
            {
                Assert.Equal("grp/growing.dat", relative);
                producer.Write(chunk);
                producer.Flush();
                appended++;
            });

            Assert.Equal(1, appended);
            InboxEntry refused = Assert.Single(first);
            Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.FileChanging), (refused.Verdict, refused.Kind));
        }

        // Set aside, not lost; nothing of it in the cache; its row rolled back (it may be created again).
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(root, "rejected", "grp", "growing.dat")));
        Assert.Empty(Directory.Exists(Path.Combine(root, "cache")) ? Directory.EnumerateFiles(Path.Combine(root, "cache"), "*", SearchOption.AllDirectories) : []);
        FileRecord? row = (await site.Catalog.ReadAsync(txn => txn.GetFilesByExternalIdsAsync(["/grp/growing.dat"])))[0];
        Assert.NotNull(row);
        Assert.Equal((CacheStatus.Created, WriteCacheRecovery.WriteAborted), (row.CacheStatus, row.FailureReason));

        // The producer finished: the same name, complete, is ingested on the next round, into the same row.
        File.Move(Path.Combine(root, "rejected", "grp", "growing.dat"), path);
        IReadOnlyList<InboxEntry> second = await InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow.AddMinutes(1), NullLogger.Instance);
        Assert.Equal(InboxVerdict.Ingested, Assert.Single(second).Verdict);
        FileRecord? ingested = (await site.Catalog.ReadAsync(txn => txn.GetFilesByExternalIdsAsync(["/grp/growing.dat"])))[0];
        Assert.Equal((row.FileId, CacheStatus.Cached), (ingested!.FileId, ingested.CacheStatus));
        Assert.False(File.Exists(path));
    }
}

using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Testing;

/// <summary>Waiting recalls are read a page at a time with their copies, never a read per file.</summary>
public abstract partial class CatalogContractTests
{
    /// <summary>Pending recalls come in pages with their copies and skip listed files.</summary>
    [SkippableFact]
    public async Task Pending_recalls_come_in_pages_with_their_copies_and_skip_listed_files()
    {
        long[] ids = new long[5];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = (await NewFileAsync($"recall-{i}", size: 10 + i)).FileId;
        }

        FileListRecord stage = NewArchiveList() with { Kind = FileListKind.Stage, State = FileListState.Filled };
        await Catalog.RunAsync(async txn =>
        {
            var a = new AggregationRecord
            {
                AggregationId = await txn.AllocateAggregationIdAsync(), ListId = Guid.NewGuid(), Attempt = 1, Format = AggregationPayloadFormat.Tar,
                State = AggregationState.OnTape, MemberCount = 3, TapeFile = new TapeFileLocator("V00042", 2, 99), CreatedAt = txn.Now,
            };
            await txn.InsertAggregationAsync(a);
            await txn.AddAggregationMembersAsync([new AggregationMemberRecord(a.AggregationId, 0, ids[0], 0, 0, 0, 1), new AggregationMemberRecord(a.AggregationId, 1, ids[2], 512, 0, 512, 1)]);
            foreach (long id in ids.Take(4))
            {
                FileRecord f = (await txn.GetFileAsync(id))!;
                _ = await txn.UpdateFileAsync(f with { CacheStatus = CacheStatus.StagingRequested, ArchiveStatus = ArchiveStatus.Archived });
            }

            await txn.CreateListAsync(stage);
            await txn.AddListMemberAsync(stage.ListId, ids[1]);
        });

        await using ICatalogTransaction read = await Catalog.BeginAsync();
        IReadOnlyList<PendingRecall> first = await read.GetPendingRecallsAsync(null, skipListed: false, afterFileId: 0, limit: 3);
        Assert.Equal(ids[..3], first.Select(p => p.FileId));
        Assert.Equal(("V00042", 0), (first[0].Copies.Single().Aggregation.TapeFile!.Value.Vsn, first[0].Copies.Single().Member.Index));
        Assert.Empty(first[1].Copies);
        Assert.Equal(512, first[2].Copies.Single().Member.PayloadOffset);
        Assert.Equal(12, first[2].Size);

        IReadOnlyList<PendingRecall> rest = await read.GetPendingRecallsAsync(first[0].DiskLibrary, skipListed: false, afterFileId: first[^1].FileId, limit: 3);
        Assert.Equal([ids[3]], rest.Select(p => p.FileId));
        Assert.Equal([ids[0], ids[2], ids[3]], (await read.GetPendingRecallsAsync(null, skipListed: true, 0, 10)).Select(p => p.FileId));

        // A page thinned by a listed file is still full: the next waiting file fills it.
        Assert.Equal([ids[0], ids[2]], (await read.GetPendingRecallsAsync(null, skipListed: true, 0, 2)).Select(p => p.FileId));
        Assert.Equal([ids[3]], (await read.GetPendingRecallsAsync(null, skipListed: true, ids[2], 2)).Select(p => p.FileId));
        Assert.Empty(await read.GetPendingRecallsAsync("no-such-library", skipListed: false, 0, 10));
    }
}

using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Migration;

public sealed partial class Migrator
{
    // Step 8 of docs/hsm/overview.md#the-archive-commit (C15): write-cache copies go once archived, each in its own transaction, the file after the commit.
    private async ValueTask RemoveWriteCacheCopiesAsync(ListWork work, CancellationToken ct)
    {
        foreach (FileRecord member in work.Members)
        {
            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            if (await txn.TryMoveCacheAsync(member.FileId, CacheStatus.Cached, FileCacheEvent.WriteCopyRemoved, HsmActor.Migrator) is not null)
            {
                await txn.CommitAsync(ct);
                File.Delete(CachePathOf(member));
            }
        }
    }
}

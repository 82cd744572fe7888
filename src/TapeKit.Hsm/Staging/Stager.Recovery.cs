using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Staging;

public sealed partial class Stager
{
    /// <summary>
    /// For a host that runs this stager in process (<see cref="RunOnceAsync"/>): gives back the recalls an earlier run
    /// claimed and did not publish — its disk library's files left <c>STAGING</c> or <c>STAGED</c> by a process that
    /// stopped mid-session — as requests again (C8), and removes the stage copies that run left in the stage area and the
    /// temporary copies a publish across file systems left beside those files' cache paths.
    /// Files of a live stage list are the dispatcher's to re-queue and are left alone. Call it once at start, before
    /// the first round and while no other stager of the disk library runs, in this process or another: it cannot tell a
    /// stopped session's claims, or its temporary copies, from a running one's.
    /// </summary>
    /// <param name="ct">Cancels between pages of files.</param>
    /// <returns>The recalls given back.</returns>
    public async ValueTask<int> RequeueInterruptedAsync(CancellationToken ct = default)
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        int requeued = await ClaimedRecalls.RequeueUnlistedAsync(_catalog, _options.DiskLibrary, HsmActor.Migrator, "the stage session that claimed it stopped", ct,
            file => directories.Add(Path.GetDirectoryName(CacheArea.Resolve(_options.CacheRoot, file.CachePath))!));
        RemoveStageLeftovers();
        RemovePublishLeftovers(directories);
        return requeued;
    }

    // Only PublishCopy's own names, and only beside the files given back: a publish stopped half-way left them there.
    private static void RemovePublishLeftovers(IEnumerable<string> directories)
    {
        foreach (string directory in directories.Where(Directory.Exists))
        {
            foreach (string temporary in Directory.EnumerateFiles(directory, PublishingPattern))
            {
                File.Delete(temporary);
            }
        }
    }

    // Only this stager's own names (StageCopyPattern): a stage area shared with anything else keeps its files.
    private void RemoveStageLeftovers()
    {
        if (!Directory.Exists(_options.StageRoot))
        {
            return;
        }

        foreach (string part in Directory.EnumerateFiles(_options.StageRoot, StageCopyPattern))
        {
            File.Delete(part);
        }
    }
}

using TapeKit.Campaign.Crash;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Hsm.Tests.Samples.Resources;

/// <summary>What a resource test requires of the site once the resource is back and its daemon stopped.</summary>
internal static class SiteOutcome
{
    /// <summary>
    /// Every file of <paramref name="workload"/> archived once per required copy, no file with two rows, none set aside
    /// under <c>rejected/</c>, the catalogue whole (<c>PRAGMA integrity_check</c>) with its invariants holding
    /// (<see cref="HsmInvariants"/>), and — after a purge of every cached copy — every file recalled byte-identical.
    /// </summary>
    /// <param name="root">The site.</param>
    /// <param name="workload">The files sent.</param>
    /// <param name="probe">The site's catalogue.</param>
    /// <param name="start">Starts a daemon (logging to the path given) for the purge and the recall.</param>
    /// <param name="catalogueFile">The catalogue's file as the daemon's settings name it (empty: under the root).</param>
    /// <returns>One sentence per failed requirement; empty when all hold.</returns>
    public static async Task<List<string>> CheckAsync(string root, CrashWorkload workload, SiteProbe probe, Func<string, DaemonProcess> start, string catalogueFile = "")
    {
        var failures = new List<string>();
        Dictionary<string, (long Id, string Cache, string Archive)> files = probe.Files();
        Dictionary<long, (int Copies, int DistinctCopyNumbers)> copies = probe.TapeCopies();
        for (int i = 0; i < workload.Count; i++)
        {
            if (!files.TryGetValue("/" + CrashWorkload.PathOf(i), out var f) || f.Archive != "ARCHIVED")
            {
                failures.Add($"{CrashWorkload.PathOf(i)} is not archived.");
                continue;
            }

            (int n, int distinct) = copies.GetValueOrDefault(f.Id);
            if (n != CrashWorkload.CopiesOf(i) || distinct != n)
            {
                failures.Add($"{CrashWorkload.PathOf(i)} has {n} tape copies ({distinct} copy numbers), {CrashWorkload.CopiesOf(i)} required.");
            }
        }

        if (probe.DuplicateRows() is > 0 and int duplicates)
        {
            failures.Add($"{duplicates} external ids have more than one row.");
        }

        string rejected = Path.Combine(root, "rejected");
        if (Directory.Exists(rejected) && Directory.EnumerateFiles(rejected, "*", SearchOption.AllDirectories).Any())
        {
            failures.Add("Files were set aside under rejected/.");
        }

        if (probe.IntegrityCheck() is var integrity and not "ok")
        {
            failures.Add($"integrity_check: {integrity}");
        }

        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = probe.Path, ReadOnly = true }, TimeProvider.System))
        {
            failures.AddRange(await HsmInvariants.CheckAsync(store.Catalog, TimeSpan.FromMinutes(1)));
        }

        int recalled = await DaemonWait.PurgeAndRecallAllAsync(root, workload, probe, start, failures, catalogueFile);
        if (recalled != workload.Count)
        {
            failures.Add($"{workload.Count - recalled} of {workload.Count} files did not come back byte-identical.");
        }

        return failures;
    }

    /// <summary>
    /// While a resource is exhausted: every file from <paramref name="first"/> on is in the inbox, or was ingested durably
    /// (its row <c>CACHED</c>, its cache copy the file's bytes). Returns how many wait in the inbox.
    /// </summary>
    /// <param name="root">The site.</param>
    /// <param name="workload">The files sent.</param>
    /// <param name="probe">The site's catalogue.</param>
    /// <param name="first">The first file sent while the resource is exhausted.</param>
    public static int InboxOrDurable(string root, CrashWorkload workload, SiteProbe probe, int first)
    {
        // The inbox first, the rows after: a file leaves the inbox only after its row's commit.
        int[] gone = [.. Enumerable.Range(first, workload.Count - first).Where(i => !File.Exists(Path.Combine(root, "inbox", CrashWorkload.PathOf(i))))];
        Dictionary<string, (long Id, string Cache, string Archive)> rows = probe.Files();
        foreach (int i in gone)
        {
            string name = CrashWorkload.PathOf(i);
            Assert.True(rows.TryGetValue("/" + name, out var row) && row.Cache is "CACHED",
                $"{name} left the inbox without a durable CACHED row ({(rows.TryGetValue("/" + name, out var r) ? r.Cache : "no row")}).");
            string cached = Path.Combine(root, "cache", CrashWorkload.DiskLibraryOf(i), name);
            Assert.True(File.Exists(cached) && File.ReadAllBytes(cached).AsSpan().SequenceEqual(workload.ContentOf(i)), $"{cached} is not the file's bytes.");
        }

        return workload.Count - first - gone.Length;
    }
}

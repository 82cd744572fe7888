using System.Text.Json;
using Chelonia.Demo;

namespace TapeKit.Chelonia.Tests;

/// <summary>The Chelonia demo with its real processes (Librarian, Bartender, 4 Shepherds), small.</summary>
public sealed class CheloniaDemoTests
{
    [Fact]
    public async Task The_demo_loses_nothing_re_replicates_after_a_kill_retires_the_surplus_and_repairs_every_corruption()
    {
        using var log = new StringWriter();
        DemoReport r = await DemoRun.RunAsync(new DemoOptions { Files = 200, Seed = 5 }, log, CancellationToken.None);

        Assert.True(r.Succeeded, log.ToString());
        Assert.Equal((200, 200, 0), (r.FilesUploaded, r.FilesVerified, r.FilesLost));
        Assert.True(r.ReplicasOnKilledShepherd > 0);
        // Every copy it held was made again elsewhere, and a copy per file was retired after it came back (more only when
        // a slow target registered late and its replacement was retired too: §7.3 LATE).
        Assert.InRange(r.ReplicasRestored, r.ReplicasOnKilledShepherd, r.ReplicasOnKilledShepherd + 20);
        Assert.InRange(r.SurplusRetired, r.ReplicasOnKilledShepherd, r.ReplicasRestored);
        Assert.Equal(4, r.CorruptionsInjected);
        Assert.Equal(r.CorruptionsInjected, r.CorruptionsRepaired);
        Assert.InRange(r.SecondsToFullReplication, 0.1, 60);
        Assert.True(r.ReportBatches > 0 && r.ReportEntries >= r.ReportBatches, $"{r.ReportBatches} batches, {r.ReportEntries} entries");
        Assert.True(r.DigestsCompared >= 5, $"{r.DigestsCompared} digests: one per Shepherd start at least");

        using var json = JsonDocument.Parse(r.ToJson());
        foreach (string name in new[] { "filesUploaded", "filesVerified", "filesLost", "replicasRestored", "surplusRetired", "corruptionsRepaired", "secondsToFullReplication", "reportBatches", "wallSeconds" })
        {
            Assert.True(json.RootElement.TryGetProperty(name, out _), name);
        }
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Diagnostics;

public sealed class HsmMetricsTests
{
    [Fact]
    public async Task Archive_counters_equal_the_catalogue_counts_and_use_the_spec_names()
    {
        using ServiceProvider meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new HsmMetrics(meters.GetRequiredService<IMeterFactory>());
        var totals = new Dictionary<string, double>();
        var tags = new List<KeyValuePair<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == HsmMetrics.MeterName) { l.EnableMeasurementEvents(i); } };
        listener.SetMeasurementEventCallback<long>((i, v, t, _) =>
        {
            lock (totals)
            {
                totals[i.Name] = totals.GetValueOrDefault(i.Name) + v;
                if (i.Name == "tapekit.hsm.archive.files")
                {
                    tags.AddRange(t.ToArray());
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (totals) { totals[i.Name] = totals.GetValueOrDefault(i.Name) + 1; } });
        listener.Start();

        await using HsmWorld w = await HsmWorld.InMemoryAsync(1, metrics: metrics);
        long bytes = 0;
        for (int i = 0; i < 9; i++)
        {
            bytes += (await w.IngestAsync(i % 3 == 0 ? "sgB" : "sgA", 100 + i)).Size;
        }

        await w.DrainAsync();
        listener.RecordObservableInstruments();
        int archived = (await w.AllFilesAsync()).Count(f => f.ArchiveStatus == ArchiveStatus.Archived);
        Assert.Equal(9, archived);
        Assert.Equal(archived, totals["tapekit.hsm.archive.files"]);
        Assert.Equal(bytes, totals["tapekit.hsm.archive.bytes"]);
        Assert.Equal(archived, totals["tapekit.hsm.archive.latency"]);
        Assert.True(totals["tapekit.hsm.list.wait"] >= 3);
        Assert.Contains(tags, t => t.Key == "disk_library" && (string?)t.Value == "DL-B");
        Assert.DoesNotContain(tags, t => t.Key is "vsn" or "file_id" or "list_id");
        Assert.True(totals.ContainsKey("tapekit.hsm.lists"));
    }
}

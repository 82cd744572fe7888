using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>
/// Safe append on the archive path, with real bytes on virtual tapes: tape files after <c>lastFseq</c> are overwritten
/// only when the catalogue accounts for every one of them as failed; a catalogue that lags the tape never destroys a
/// committed tape file.
/// </summary>
public sealed class SafeAppendTests
{
    [Fact]
    public async Task A_catalogue_that_lags_the_tape_is_refused_the_tape_needs_attention_and_every_committed_tape_file_stays_intact()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(2, (await world.TapeAsync("T00001")).LastFseq);
        Dictionary<int, byte[]> committed = await ReadTapeFilesAsync(world, "T00001");
        Assert.Equal([1, 2], committed.Keys.Order());

        // The catalogue's API cannot move a tape's counters back...
        await world.Catalog.UpdateTapeAsync("T00001", t => t with { LastFseq = 1 });
        Assert.Equal(2, (await world.TapeAsync("T00001")).LastFseq);

        // ...but a lost update can (a row written outside it, a restored file): the row forgets its last commit, while the
        // tape still holds the committed file 2.
        LoseTapeUpdate(world, "T00001", lastFseq: 1);
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();

        TapeRecord flagged = await world.TapeAsync("T00001");
        Assert.Equal(TapeState.NeedsAttention, flagged.State);
        TransitionRecord why = Assert.Single(await TapeTransitionsAsync(world, "T00001"));
        Assert.Equal(("FILLING", "NEEDS_ATTENTION", "F16"), (why.From, why.To, why.Rule));
        Assert.StartsWith(nameof(FailureReason.AppendCheckFailed), why.Reason, StringComparison.Ordinal);
        Assert.Contains("behind the tape", why.Reason, StringComparison.Ordinal);
        // The third list went to another tape; nothing was written to the flagged one.
        Assert.Equal(30, await world.CountAsync(ArchiveStatus.Archived));
        var third = (await world.AggregationsAsync()).Where(a => a.Aggregation.State == AggregationState.OnTape).Select(a => a.Aggregation.TapeFile!.Value)
            .Where(tf => tf.Vsn != "T00001").ToList();
        Assert.Equal([("T00002", 1)], third.Select(tf => (tf.Vsn, tf.Fseq)));
        Dictionary<int, byte[]> after = await ReadTapeFilesAsync(world, "T00001");
        Assert.Equal(committed.Keys.Order(), after.Keys.Order());
        Assert.All(committed, c => Assert.True(c.Value.AsSpan().SequenceEqual(after[c.Key]), $"tape file {c.Key} changed"));
    }

    [Fact]
    public async Task A_tape_file_a_restored_catalogue_has_no_row_for_is_never_overwritten()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Dictionary<int, byte[]> committed = await ReadTapeFilesAsync(world, "T00001");
        // File 3 was committed by the catalogue before its backup was restored: the tape has it, the catalogue has no row.
        byte[] lost = world.Content(999, 300_000);
        await using (TapeMount mount = world.Drives.Acquire("T00001"))
        {
            await mount.RunAsync(drive =>
            {
                using AulAppendSession session = AulVolume.Mount(drive, "T00001").Append(2, world.Labels, TapeMarkPolicy.SynchronousMarks);
                _ = session.WriteFile(999, new MemoryStream(lost), 256 * 1024);
            });
        }

        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();

        Assert.Equal(TapeState.NeedsAttention, (await world.TapeAsync("T00001")).State);
        Assert.Equal("F16", Assert.Single(await TapeTransitionsAsync(world, "T00001")).Rule);
        var aggregations = (await world.AggregationsAsync()).Select(x => x.Aggregation).ToList();
        await using (TapeMount mount = world.Drives.Acquire("T00001"))
        {
            await mount.RunAsync(drive =>
            {
                AulVolume volume = AulVolume.Mount(drive, "T00001");
                Assert.Equal([1L, 2L, 3L], volume.Scan().Select(f => f.FileSequence));
                var data = new MemoryStream();
                _ = volume.ReadFile(3, 999, data);
                Assert.True(data.ToArray().AsSpan().SequenceEqual(lost), "tape file 3 changed");
                foreach ((int fseq, byte[] bytes) in committed)
                {
                    AggregationRecord a = aggregations.Single(x => x.State == AggregationState.OnTape && x.TapeFile!.Value.Vsn == "T00001" && x.TapeFile.Value.Fseq == fseq);
                    data = new MemoryStream();
                    _ = volume.ReadFile(fseq, (ulong)a.AggregationId, data);
                    Assert.True(data.ToArray().AsSpan().SequenceEqual(bytes), $"tape file {fseq} changed");
                }
            });
        }
    }

    [Fact]
    public async Task Synced_tape_files_the_catalogue_knows_as_failed_after_a_crash_are_overwritten_on_the_same_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        world.Migrator.StepObserver = (step, _) =>
        {
            if (step == ArchiveStep.Synced)
            {
                throw new MigratorCrash(); // Both tape files are on the tape and synced; nothing is committed.
            }
        };
        await Assert.ThrowsAsync<MigratorCrash>(async () => await world.Migrator.RunOnceAsync());
        Assert.Equal(2, (await world.ScanTapeAsync("T00001")).Count);

        world.NewMigrator();
        world.Time.Advance(TimeSpan.FromHours(2)); // The crashed holder's work and mount leases are long over.
        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        TapeRecord tape = await world.TapeAsync("T00001");
        Assert.Equal((TapeState.Filling, 2), (tape.State, tape.LastFseq));
        var aggregations = (await world.AggregationsAsync()).Select(a => a.Aggregation).ToList();
        // The sweeper failed the crashed attempt's rows (lease expired); the catalogue accounts for both tape files as failed.
        Assert.Equal(["T00001:1", "T00001:2"],
            aggregations.Where(a => a.State == AggregationState.Failed).Select(a => $"{a.TapeFile!.Value.Vsn}:{a.TapeFile.Value.Fseq}").Order());
        Assert.Equal(["T00001:1", "T00001:2"],
            aggregations.Where(a => a.State == AggregationState.OnTape).Select(a => $"{a.TapeFile!.Value.Vsn}:{a.TapeFile.Value.Fseq}").Order());
        Assert.Empty(await TapeTransitionsAsync(world, "T00001"));
        Assert.Equal(2, (await world.ScanTapeAsync("T00001")).Count); // Overwritten in place, nothing left over.
    }

    /// <summary>The data of every tape file the catalogue records <c>ON_TAPE</c> on <paramref name="vsn"/>, read with every label check.</summary>
    /// <summary>Sets a tape row's <c>last_fseq</c> behind the catalogue's back, as a lost update or a restored backup leaves it.</summary>
    private static void LoseTapeUpdate(TapeHsmWorld world, string vsn, int lastFseq)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={world.Store.Options.Path};Pooling=False");
        c.Open();
        using Microsoft.Data.Sqlite.SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE tapes SET last_fseq = $f WHERE vsn = $v";
        cmd.Parameters.AddWithValue("$f", lastFseq);
        cmd.Parameters.AddWithValue("$v", vsn);
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }

    private static async Task<Dictionary<int, byte[]>> ReadTapeFilesAsync(TapeHsmWorld world, string vsn)
    {
        var onTape = (await world.AggregationsAsync()).Select(a => a.Aggregation)
            .Where(a => a.State == AggregationState.OnTape && a.TapeFile!.Value.Vsn == vsn).ToList();
        var files = new Dictionary<int, byte[]>();
        await using TapeMount mount = world.Drives.Acquire(vsn);
        await mount.RunAsync(drive =>
        {
            AulVolume volume = AulVolume.Mount(drive, vsn);
            Assert.Equal(onTape.Count, volume.Scan().Count);
            foreach (AggregationRecord a in onTape)
            {
                var data = new MemoryStream();
                _ = volume.ReadFile(a.TapeFile!.Value.Fseq, (ulong)a.AggregationId, data);
                files[a.TapeFile.Value.Fseq] = data.ToArray();
            }
        });

        return files;
    }

    private static async Task<IReadOnlyList<TransitionRecord>> TapeTransitionsAsync(TapeHsmWorld world, string vsn)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        return await txn.GetTransitionsAsync(TapeStateChanges.TapeEntity, vsn);
    }

    private sealed class MigratorCrash : Exception
    {
        public MigratorCrash()
            : base("The migrator process died.")
        {
        }
    }
}

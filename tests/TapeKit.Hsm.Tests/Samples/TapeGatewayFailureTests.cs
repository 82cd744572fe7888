using TapeGateway;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The failure rules through the gateway: a media error in the middle of an aggregation, and read-ahead against positioning.</summary>
public sealed class TapeGatewayFailureTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-gateway-rules-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>One drive, one IL class whose files are all aggregated, 100 members per aggregation.</summary>
    private GatewayOptions Options(string name)
    {
        GatewayOptions options = Demo.Options(Path.Combine(_root, name));
        options.Drives = 1;
        options.Classes = [new FileClass { Name = "raw", Pool = "aul", Format = "il", AggregateBelow = 1L << 40, DemoShare = 1 }];
        options.MaxAggregationFiles = 100;
        return options;
    }

    [Fact]
    public async Task A_media_error_mid_aggregation_fails_the_unsynced_tape_files_and_they_are_written_to_another_tape()
    {
        GatewayOptions options = Options("s4");
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero);
        foreach (NsFile f in DemoWorkload.Files(600, 5, options.Classes))
        {
            world.Names.AddFile(f);
        }

        // The first stream's session writes six aggregations to A00001 (data from object 5), synchronising only at its
        // end: object 400 is inside a later aggregation, after several unsynced ones.
        world.Library.Drive(0).Arm("media-error write 400");
        MigrationReport report = await new GatewayMigrator(world, GatewayMode.TapeKit, options.PayloadSeed).MigrateAsync();

        Assert.Equal(600, report.Files);
        Assert.True(world.Names.Tapes["A00001"].WriteDisabled);
        Assert.Equal(0, world.Names.Tapes["A00001"].LastFseq); // Nothing there was durable: nothing refers to it.
        Assert.Empty(world.Names.TapeFilesOn("A00001"));
        Assert.Equal(TapeState.NeedsAttention, (await world.TapeRowsAsync())["A00001"].State);
        Assert.All(world.Names.Files.Keys, id => Assert.Single(world.Names.SegmentsOf(id)));

        // A later full read-back of every file succeeds, every byte checked.
        DateTimeOffset now = world.Clock.GetUtcNow();
        IReadOnlyList<ServedRecall> served = await new RecallService(world, options.PayloadSeed)
            .ServeAsync([.. world.Names.Files.Keys.Select(id => new GatewayRecall(Guid.NewGuid(), id, now))], RecallStrategy.Planner);
        Assert.Equal(600, served.Count(s => s.Outcome.Verified));
    }

    [Fact]
    public async Task A_tape_reaching_early_warning_is_full_and_the_rest_of_the_stream_goes_to_the_next_tape()
    {
        GatewayOptions options = Options("eom");
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero);
        foreach (NsFile f in DemoWorkload.Files(600, 5, options.Classes))
        {
            world.Names.AddFile(f);
        }

        // The drive empty (the labelling's cartridge back in its slot), then early warning 40 MB into the next cartridge loaded.
        await world.IdleUntilAsync(world.Clock.GetUtcNow() + options.DismountDelay + TimeSpan.FromMinutes(2));
        world.Library.Drive(0).Arm("early-warning at 40000000");
        MigrationReport report = await new GatewayMigrator(world, GatewayMode.TapeKit, options.PayloadSeed).MigrateAsync();

        Assert.Equal(600, report.Files);
        NsTape first = world.Names.Tapes["A00001"];
        Assert.True(first.Full && first.WriteDisabled);
        Assert.InRange(first.LastFseq, 1, 5); // It kept what it wrote up to early warning (six aggregations in all).
        Assert.Equal(TapeState.Full, (await world.TapeRowsAsync())["A00001"].State);
        string[] written = [.. world.Names.Tapes.Values.Where(t => t.LastFseq > 0).Select(t => t.Vsn)];
        Assert.True(written.Length > 1); // The rest went to another tape of the pool.
        Assert.All(world.Names.Files.Keys, id => Assert.Single(world.Names.SegmentsOf(id)));
        foreach (string vsn in written)
        {
            Assert.Empty((await TapeAudit.RunAsync(world, vsn)).Problems);
        }
    }

    [Fact]
    public async Task Ten_percent_of_an_aggregation_is_read_positioned_block_by_block_and_sixty_percent_in_one_whole_read()
    {
        GatewayOptions options = Options("s8");
        options.MaxAggregationFiles = 1000;
        options.Recall = new RecallOptions { WholeReadBelowBytes = 0 }; // Decide by the requested fraction alone.
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero);
        foreach (NsFile f in DemoWorkload.Files(1000, 8, options.Classes))
        {
            world.Names.AddFile(f);
        }

        _ = await new GatewayMigrator(world, GatewayMode.TapeKit, options.PayloadSeed).MigrateAsync();
        NsTapeFile aggregation = Assert.Single(world.Names.TapeFiles.Values);
        Assert.Equal(1000, aggregation.Members);
        IReadOnlyList<NsSegment> members = world.Names.SegmentsIn(aggregation.Id);

        var random = new Random(8);
        NsSegment[] tenPercent = [.. members.OrderBy(_ => random.Next()).Take(100)];
        (IReadOnlyList<ServedRecall> few, DriveTimeDelta fewTime) = await RecallAsync(world, options, tenPercent);
        NsSegment[] sixtyPercent = [.. members.OrderBy(_ => random.Next()).Take(600)];
        (IReadOnlyList<ServedRecall> many, DriveTimeDelta manyTime) = await RecallAsync(world, options, sixtyPercent);

        Assert.Equal(100, few.Count(s => s.Outcome.Verified));
        Assert.Equal(600, many.Count(s => s.Outcome.Verified));

        // 10 %: a locate per member, and exactly the requested members' blocks (plus the label check of the mount).
        long requestedBlocks = tenPercent.Sum(s => BlocksOf(s, members, aggregation));
        Assert.True(fewTime.Locates >= 100, $"{fewTime.Locates} locates");
        Assert.InRange(fewTime.BlocksRead, requestedBlocks, requestedBlocks + 4);

        // 60 %: one pass over the aggregation, up to its last requested member.
        long lastBlock = sixtyPercent.Max(s => s.BlockIndex + BlocksOf(s, members, aggregation));
        Assert.True(manyTime.Locates < 10, $"{manyTime.Locates} locates");
        Assert.InRange(manyTime.BlocksRead, lastBlock, lastBlock + 4);
    }

    [Theory]
    [InlineData(RecallStrategy.Planner)]
    [InlineData(RecallStrategy.Fifo)]
    public async Task A_bad_first_copy_is_marked_damaged_and_the_file_served_from_the_second(RecallStrategy strategy)
    {
        GatewayOptions options = Options("s6-" + strategy);
        options.Pools = [new TapePoolOptions { Name = "aul", Tapes = 2, VsnPrefix = "A" }];
        options.Classes =
        [
            new FileClass { Name = "single", Pool = "aul", Format = "il", AggregateBelow = 1L << 40 },
            new FileClass { Name = "dual", Pool = "aul", Format = "il", AggregateBelow = 1L << 40, Copies = 2 },
        ];
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero);
        int n = 0;
        foreach (NsFile f in DemoWorkload.Files(1300, 6, [new FileClass { Name = "any", DemoShare = 1 }]))
        {
            world.Names.AddFile(f with { Class = n++ < 1000 ? "single" : "dual" });
        }

        // Single files fill the start of A00001; then the dual files' first copy goes to A00002 and their second copy to A00001,
        // after the single files: a block id inside copy 1 on A00002 is inside single files on A00001, which no recall reads.
        _ = await new GatewayMigrator(world, GatewayMode.TapeKit, options.PayloadSeed).MigrateAsync();
        NsFile[] dual = [.. world.Names.Files.Values.Where(f => f.Class == "dual")];
        Assert.All(dual, f => Assert.Equal(["A00002", "A00001"], world.Names.SegmentsOf(f.FileId).OrderBy(s => s.CopyNb).Select(s => world.Names.TapeFiles[s.TapeFileId].Vsn)));
        IReadOnlyList<NsTapeFile> firstCopies = world.Names.TapeFilesOn("A00002");
        long singleEnd = world.Names.TapeFilesOn("A00001").Where(t => world.Names.SegmentsIn(t.Id).All(s => s.CopyNb == 1)).Max(t => t.FirstDataBlockId + t.DataBlocks);
        long[] bad = [.. firstCopies.Select(t => t.FirstDataBlockId + (t.DataBlocks / 2))];
        Assert.All(bad, b => Assert.True(b < singleEnd));
        foreach (long block in bad)
        {
            world.Library.Drive(0).Arm($"media-error read {block} sticky");
        }

        DateTimeOffset now = world.Clock.GetUtcNow();
        IReadOnlyList<ServedRecall> served = await new RecallService(world, options.PayloadSeed)
            .ServeAsync([.. dual.Select(f => new GatewayRecall(Guid.NewGuid(), f.FileId, now))], strategy);

        Assert.Equal(300, served.Count(s => s.Outcome.Verified));
        // One member holds each bad block (IL members start on block boundaries): exactly those first copies are damaged.
        NsSegment[] damaged = [.. dual.SelectMany(f => world.Names.SegmentsOf(f.FileId)).Where(s => s.Damaged)];
        Assert.Equal(bad.Length, damaged.Length);
        Assert.All(damaged, s => Assert.Equal(1, s.CopyNb));
        Assert.All(damaged, s =>
        {
            NsTapeFile tf = world.Names.TapeFiles[s.TapeFileId];
            Assert.Contains(bad, b => b >= tf.FirstDataBlockId + s.BlockIndex && b < tf.FirstDataBlockId + s.BlockIndex + BlocksOf(s, world.Names.SegmentsIn(tf.Id), tf));
        });
    }

    [Theory]
    [InlineData(RecallStrategy.Planner)]
    [InlineData(RecallStrategy.Fifo)]
    public async Task Silently_corrupted_first_copies_are_served_from_the_second_counted_as_checksum_failures_and_repaired_on_another_tape(RecallStrategy strategy)
    {
        GatewayOptions options = Options("s6-corrupt-" + strategy);
        options.Pools = [new TapePoolOptions { Name = "aul", Tapes = 3, VsnPrefix = "A" }];
        options.Classes = [new FileClass { Name = "dual", Pool = "aul", Format = "il", AggregateBelow = 1L << 40, Copies = 2, DemoShare = 1 }];
        options.MaxAggregationFiles = 50;
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero);
        foreach (NsFile f in DemoWorkload.Files(300, 9, options.Classes))
        {
            world.Names.AddFile(f);
        }

        var migrator = new GatewayMigrator(world, GatewayMode.TapeKit, options.PayloadSeed);
        _ = await migrator.MigrateAsync();
        string TapeOf(NsSegment s) => world.Names.TapeFiles[s.TapeFileId].Vsn;
        NsSegment CopyOf(long fileId, int copyNb) => world.Names.SegmentsOf(fileId).Single(s => s.CopyNb == copyNb);
        string firstTape = Assert.Single(world.Names.Files.Keys.Select(id => TapeOf(CopyOf(id, 1))).Distinct());
        string secondTape = Assert.Single(world.Names.Files.Keys.Select(id => TapeOf(CopyOf(id, 2))).Distinct());
        Assert.NotEqual(firstTape, secondTape);

        // One block in the middle of five of the first copy's aggregations, changed at rest: the drive reads it back as good.
        await world.IdleUntilAsync(world.Clock.GetUtcNow() + options.DismountDelay + TimeSpan.FromMinutes(2));
        NsTapeFile[] corrupted = [.. world.Names.TapeFilesOn(firstTape).Take(5)];
        Assert.Equal(5, corrupted.Length);
        var hit = new List<NsSegment>();
        foreach (NsTapeFile tf in corrupted)
        {
            long block = tf.DataBlocks / 2;
            Assert.True(VirtualCartridge.CorruptBlock(CartridgeOf(world, firstTape), tf.FirstDataBlockId + block, seed: (int)tf.Id));
            IReadOnlyList<NsSegment> members = world.Names.SegmentsIn(tf.Id);
            hit.Add(members.Single(s => block >= s.BlockIndex && block < s.BlockIndex + BlocksOf(s, members, tf)));
        }

        // 200 recalls, the five members holding a bad block among them.
        var random = new Random(9);
        long[] wanted = [.. hit.Select(s => s.FileId).Concat(world.Names.Files.Keys.Except(hit.Select(s => s.FileId)).OrderBy(_ => random.Next()).Take(195))];
        var recalls = new RecallService(world, options.PayloadSeed);
        DateTimeOffset now = world.Clock.GetUtcNow();
        IReadOnlyList<ServedRecall> served = await recalls.ServeAsync([.. wanted.Select(id => new GatewayRecall(Guid.NewGuid(), id, now))], strategy);

        // Every reader got the right bytes: all 200 served from a good copy, the five from the second.
        Assert.Equal(200, served.Count);
        Assert.All(served, s => Assert.True(s.Outcome.Verified, s.Outcome.Error));
        Assert.Equal(5, recalls.ChecksumFailures);
        Assert.Equal(5, recalls.CopiesDamaged);
        Assert.Equal(hit.Select(s => (s.FileId, s.CopyNb)).Order(), world.Names.DamagedCopies.Select(s => (s.FileId, s.CopyNb)).Order());

        // The repair: the next migration run re-creates each damaged copy on a tape holding no other copy of its file.
        MigrationReport repair = await migrator.MigrateAsync();
        Assert.Equal(5, repair.Repaired);
        Assert.Equal(5, repair.Files);
        Assert.Empty(world.Names.DamagedCopies);
        foreach (NsSegment old in hit)
        {
            NsSegment repaired = CopyOf(old.FileId, 1);
            Assert.False(repaired.Damaged);
            Assert.NotEqual(firstTape, TapeOf(repaired));
            Assert.NotEqual(secondTape, TapeOf(repaired));
            Assert.True(world.Names.SegmentsIn(old.TapeFileId).Single(s => s.FileId == old.FileId).Replaced); // still on its tape, no longer a copy
        }

        // The name server keeps it across a restart.
        world.Save();
        NameServer reloaded = NameServer.Load(Path.Combine(world.Root, "nameserver.json"));
        Assert.Empty(reloaded.DamagedCopies);
        Assert.All(hit, old => Assert.Equal(2, reloaded.SegmentsOf(old.FileId).Count));
        Assert.All(hit, old => Assert.True(reloaded.SegmentsIn(old.TapeFileId).Single(s => s.FileId == old.FileId).Replaced));

        // With their second copies now corrupted too, the five are still served, and without a checksum failure: from the repaired copies.
        await world.IdleUntilAsync(world.Clock.GetUtcNow() + options.DismountDelay + TimeSpan.FromMinutes(2));
        foreach (NsSegment second in hit.Select(s => CopyOf(s.FileId, 2)))
        {
            NsTapeFile tf = world.Names.TapeFiles[second.TapeFileId];
            Assert.True(VirtualCartridge.CorruptBlock(CartridgeOf(world, secondTape), tf.FirstDataBlockId + second.BlockIndex, seed: (int)second.FileId));
        }

        var again = new RecallService(world, options.PayloadSeed);
        now = world.Clock.GetUtcNow();
        IReadOnlyList<ServedRecall> reread = await again.ServeAsync([.. hit.Select(s => new GatewayRecall(Guid.NewGuid(), s.FileId, now))], strategy);
        Assert.All(reread, s => Assert.True(s.Outcome.Verified, s.Outcome.Error));
        Assert.Equal(0, again.CopiesDamaged);
        Assert.Empty((await TapeAudit.RunAsync(world, TapeOf(CopyOf(hit[0].FileId, 1)))).Problems);
    }

    [Fact]
    public void The_name_server_refuses_a_second_good_copy_of_the_same_number_and_replaces_a_damaged_one()
    {
        var names = new NameServer();
        names.AddTape(new NsTape("A00001", "p", false, 0));
        names.AddTape(new NsTape("A00002", "p", false, 0));
        names.AddFile(new NsFile(1, "/f1", "c", 10));
        names.RecordTapeFile(new NsTapeFile(1, "A00001", 1, 0, 3, "aul", 262144, 1, 10, 1), [new NsSegment(1, 1, 1, 0, 0, 0, 0, 0, 0)]);

        var twice = Assert.Throws<InvalidOperationException>(() =>
            names.RecordTapeFile(new NsTapeFile(2, "A00002", 1, 0, 3, "aul", 262144, 1, 10, 1), [new NsSegment(1, 1, 2, 0, 0, 0, 0, 0, 0)]));
        Assert.Contains("already has copy 1", twice.Message, StringComparison.Ordinal);
        Assert.False(names.TapeFiles.ContainsKey(2)); // refused whole: nothing recorded

        names.MarkDamaged(1, 1);
        Assert.False(names.HasCopy(1, 1));
        names.RecordTapeFile(new NsTapeFile(2, "A00002", 1, 0, 3, "aul", 262144, 1, 10, 1), [new NsSegment(1, 1, 2, 0, 0, 0, 0, 0, 0)]);
        Assert.True(names.HasCopy(1, 1));
        Assert.Equal(2, Assert.Single(names.SegmentsOf(1)).TapeFileId);
        Assert.True(Assert.Single(names.SegmentsIn(1)).Replaced);
    }

    private static string CartridgeOf(TapeWorld world, string vsn) => Path.Combine(world.Library.Root, "cartridges", vsn + ".tkvt");

    private static long BlocksOf(NsSegment s, IReadOnlyList<NsSegment> members, NsTapeFile aggregation) =>
        (s.MemberIndex + 1 < members.Count ? members[s.MemberIndex + 1].BlockIndex : aggregation.DataBlocks) - s.BlockIndex;

    private static async Task<(IReadOnlyList<ServedRecall>, DriveTimeDelta)> RecallAsync(TapeWorld world, GatewayOptions options, IEnumerable<NsSegment> wanted)
    {
        var before = world.Library.Drive(0).Statistics;
        DateTimeOffset now = world.Clock.GetUtcNow();
        IReadOnlyList<ServedRecall> served = await new RecallService(world, options.PayloadSeed)
            .ServeAsync([.. wanted.Select(s => new GatewayRecall(Guid.NewGuid(), s.FileId, now))], RecallStrategy.Planner);
        var after = world.Library.Drive(0).Statistics;
        return (served, new DriveTimeDelta(after.Locates - before.Locates, after.BlocksRead - before.BlocksRead));
    }

    private sealed record DriveTimeDelta(long Locates, long BlocksRead);
}

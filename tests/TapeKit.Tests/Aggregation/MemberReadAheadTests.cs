using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.Aggregation;

/// <summary>
/// The feeder: members read ahead on several threads and blocks written on the drive thread give the same bytes as the
/// serial writer, fail at the member that failed, and hold no more than their bounds.
/// </summary>
public sealed class MemberReadAheadTests
{
    private static readonly ReadAheadOptions Tight = new() { MaxMembers = 7, MaxBytes = 40_000, MaxMemberSize = 12_000, Readers = 3 };

    [Theory]
    [InlineData(AggregationFormat.Tar, 20260)]
    [InlineData(AggregationFormat.Il, 20261)]
    public void Read_ahead_and_pipelined_the_aggregation_is_byte_identical_to_the_serial_one(AggregationFormat format, int seed)
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, seed, count: 240);

        byte[] serial = Write(format, members, sink => sink);
        byte[] fed;
        using (var feeder = MemberReadAhead.Start(members, Tight))
        {
            fed = Write(format, feeder, sink => new PipelinedBlockSink(sink, blocksAhead: 2));
        }

        Assert.Equal(serial.Length, fed.Length);
        Assert.True(serial.AsSpan().SequenceEqual(fed), $"seed {seed}: the fed aggregation differs from the serial one");
    }

    [Theory]
    [InlineData(1, "more than 100 bytes")]
    [InlineData(-1, "ended after 99 of 100 bytes")]
    [InlineData(1 << 20, "more than 100 bytes")]
    [InlineData(-100, "ended after 0 of 100 bytes")]
    public void A_file_whose_size_changed_fails_at_its_turn_naming_it(int change, string what)
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 5, count: 20);
        string path = dir.File("changed");
        File.WriteAllBytes(path, new byte[100 + change]);
        members.Insert(12, MemberSource.FromFile(path, "changed", size: 100));

        using var feeder = MemberReadAhead.Start(members, Tight);
        var seen = new List<string>();
        var error = Assert.Throws<IOException>(() =>
        {
            foreach (MemberSource member in feeder)
            {
                seen.Add(member.Name);
            }
        });

        Assert.Equal(members.Take(12).Select(m => m.Name), seen);
        Assert.Contains("\"changed\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50_000)] // above MaxMemberSize: not read ahead, only announced to the kernel; the writer meets the error
    public void A_missing_file_fails_with_its_open_error_after_the_members_before_it(int size)
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 6, count: 30);
        members.Insert(17, MemberSource.FromFile(dir.File("gone"), "gone", size: size));

        using var feeder = MemberReadAhead.Start(members, Tight);
        int taken = 0;
        Assert.Throws<FileNotFoundException>(() => Write(AggregationFormat.Tar, feeder.Select(m =>
        {
            taken++;
            return m;
        }), sink => sink));
        Assert.Equal(size <= Tight.MaxMemberSize ? 17 : 18, taken); // the 17 before it; a larger one is handed over and fails in the writer
    }

    [Fact]
    public void Readers_stop_at_the_member_bound_while_the_writer_holds_the_first_member()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 7, count: 100);
        using var feeder = MemberReadAhead.Start(members, new ReadAheadOptions { MaxMembers = 5, MaxBytes = 1 << 20, MaxMemberSize = 64 << 10, Readers = 4 });
        using IEnumerator<MemberSource> writer = feeder.GetEnumerator();
        Assert.True(writer.MoveNext());

        Assert.True(SpinWait.SpinUntil(() => feeder.MembersStarted == 5, TimeSpan.FromSeconds(30)), $"started {feeder.MembersStarted}");
        Thread.Sleep(100); // more time for a reader that would go past the bound
        Assert.Equal(5, feeder.MembersStarted);

        Assert.True(writer.MoveNext()); // the first member is released: one more may start
        Assert.True(SpinWait.SpinUntil(() => feeder.MembersStarted == 6, TimeSpan.FromSeconds(30)), $"started {feeder.MembersStarted}");
    }

    [Fact]
    public void The_bytes_held_never_exceed_the_byte_bound()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 8, count: 300);
        var options = new ReadAheadOptions { MaxMembers = 300, MaxBytes = 30_000, MaxMemberSize = 12_000, Readers = 4 };
        using var feeder = MemberReadAhead.Start(members, options);
        long total = 0;
        foreach (MemberSource member in feeder)
        {
            total += member.Size ?? 0;
            Thread.SpinWait(2000); // a slow writer, so the readers run into the bound
        }

        Assert.Equal(members.Sum(m => m.Size ?? 0), total);
        Assert.InRange(feeder.PeakBytesAhead, 1, options.MaxBytes);
    }

    [Fact]
    public void Disposed_half_way_the_readers_stop_and_it_cannot_be_enumerated_again()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 9, count: 100);
        var feeder = MemberReadAhead.Start(members, Tight);
        using (IEnumerator<MemberSource> writer = feeder.GetEnumerator())
        {
            Assert.True(writer.MoveNext());
            Assert.True(writer.MoveNext());
            feeder.Dispose();
            Assert.Throws<ObjectDisposedException>(() => writer.MoveNext());
        }

        Assert.Throws<ObjectDisposedException>(() => feeder.GetEnumerator());
        feeder.Dispose();
    }

    [Fact]
    public void Bounds_that_cannot_hold_a_member_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemberReadAhead.Start([], new ReadAheadOptions { MaxBytes = 100, MaxMemberSize = 200 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemberReadAhead.Start([], new ReadAheadOptions { Readers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemberReadAhead.Start([], new ReadAheadOptions { MaxMembers = 0 }));
    }

    /// <summary>Files of 0 to 20 000 bytes (some above <see cref="Tight"/>'s member size, so not read ahead), and members in memory.</summary>
    private static List<MemberSource> Tree(TempDirectory dir, int seed, int count)
    {
        var random = new Random(seed);
        var members = new List<MemberSource>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] data = new byte[random.Next(4) == 0 ? random.Next(0, 20_000) : random.Next(0, 5_000)];
            random.NextBytes(data);
            string name = $"d{i % 5}/file-{i:D4}";
            if (i % 29 == 3)
            {
                members.Add(MemberSource.FromMemory(data, name) with { FileId = (ulong)i + 1 });
                continue;
            }

            string path = dir.File($"f{i:D4}");
            File.WriteAllBytes(path, data);
            members.Add(MemberSource.FromFile(path, name, size: i % 31 == 7 ? null : data.Length) with
            {
                FileId = (ulong)i + 1,
                Mode = Convert.ToInt32("640", 8),
                ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i),
            });
        }

        return members;
    }

    private static byte[] Write(AggregationFormat format, IEnumerable<MemberSource> members, Func<IBlockSink, IBlockSink> wrap)
    {
        const int blockSize = 8192;
        var memory = new MemorySink(blockSize);
        IBlockSink sink = wrap(memory);
        var clock = new FixedClock(1_750_000_000);
        IAggregationWriter writer = format == AggregationFormat.Il
            ? new IlAggregationWriter(sink, new IlWriterOptions { Clock = clock })
            : new TarAggregationWriter(sink, new TarWriterOptions { Clock = clock, AggregationId = 77 });
        foreach (MemberSource member in members)
        {
            writer.Add(member);
        }

        writer.Complete();
        if (sink is PipelinedBlockSink pipelined)
        {
            pipelined.Complete();
            pipelined.Dispose();
        }

        return memory.ToArray();
    }
}

using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;
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

    [Fact]
    public void Readers_checksum_what_they_read_and_members_in_memory_so_the_writer_does_not()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 20262, count: 120);
        using var feeder = MemberReadAhead.Start(members, Tight);
        int computed = 0;
        foreach (MemberSource member in feeder)
        {
            if (member.IsMemory)
            {
                Assert.Equal(MemberDigest.Compute(member.Memory.Span), member.ComputedDigest);
                computed++;
            }
            else
            {
                Assert.Null(member.ComputedDigest); // larger than MaxMemberSize: the writer reads and hashes it
            }
        }

        Assert.True(computed > members.Count / 2, $"{computed} of {members.Count} members came checksummed");
    }

    [Theory]
    [InlineData(AggregationFormat.Tar)]
    [InlineData(AggregationFormat.Il)]
    public void With_XXH64_selected_the_writer_still_computes_it_for_members_checksummed_ahead(AggregationFormat format)
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 20263, count: 60);
        IReadOnlyList<AggregationMember> serial = Index(format, members);
        IReadOnlyList<AggregationMember> fed;
        using (var feeder = MemberReadAhead.Start(members, Tight))
        {
            fed = Index(format, feeder);
        }

        Assert.All(fed, m => Assert.NotNull(m.Digest.XxHash64));
        Assert.Equal(serial.Select(m => m.Digest), fed.Select(m => m.Digest));

        static IReadOnlyList<AggregationMember> Index(AggregationFormat format, IEnumerable<MemberSource> members)
        {
            IAggregationWriter writer = NewWriter(format, new MemorySink(8192), withXxHash64: true);
            foreach (MemberSource member in members)
            {
                writer.Add(member);
            }

            return writer.Complete();
        }
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
        (List<string> seen, IOException error) = TakeUntilFailure<IOException>(feeder);

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
            total += member.Size ?? new FileInfo(member.FilePath!).Length;
            Thread.SpinWait(2000); // a slow writer, so the readers run into the bound
        }

        Assert.Equal(members.Sum(m => m.Size ?? new FileInfo(m.FilePath!).Length), total);
        Assert.InRange(feeder.PeakBytesAhead, 1, options.MaxBytes);
    }

    [Fact]
    public void Files_of_unknown_size_are_measured_by_their_readers_and_carry_their_own_mode_and_time()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var members = new List<MemberSource>();
        var expected = new List<(long Size, int Mode, DateTimeOffset Time)>();
        var random = new Random(14);
        for (int i = 0; i < 60; i++)
        {
            // Every tenth is larger than the most a member read ahead may hold: handed to the writer, which opens it itself.
            byte[] data = new byte[i % 10 == 9 ? 30_000 : random.Next(0, 5_000)];
            random.NextBytes(data);
            string path = dir.File($"f{i:D2}");
            File.WriteAllBytes(path, data);
            int mode = Convert.ToInt32(i % 2 == 0 ? "600" : "644", 8);
            File.SetUnixFileMode(path, (UnixFileMode)mode);
            var time = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000 + (i * 60));
            File.SetLastWriteTimeUtc(path, time.UtcDateTime);
            members.Add(MemberSource.FromFile(path, $"m{i:D2}") with { TakesFileMetadata = true, Mode = Convert.ToInt32("777", 8) });
            expected.Add((data.Length, mode, time));
        }

        byte[] serial = Write(AggregationFormat.Tar, members, sink => sink);
        byte[] fed;
        using (var feeder = MemberReadAhead.Start(members, Tight))
        {
            fed = Write(AggregationFormat.Tar, feeder, sink => sink);
            Assert.InRange(feeder.PeakBytesAhead, 1, Tight.MaxBytes);
        }

        Assert.True(serial.AsSpan().SequenceEqual(fed), "the fed aggregation differs from the serial one");
        using var reader = AggregationReader.Open(new MemoryStream(fed), ownsStream: true);
        var seen = new List<(long, int, DateTimeOffset)>();
        while (reader.ReadNext() is { } entry && entry.Name != MemberName.Manifest)
        {
            seen.Add((entry.Size, entry.Mode, entry.ModificationTime!.Value));
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_file_of_unknown_size_that_became_a_link_or_a_FIFO_fails_at_its_turn_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var members = new List<MemberSource>();
        for (int i = 0; i < 12; i++)
        {
            File.WriteAllBytes(dir.File($"f{i:D2}"), new byte[100 + i]);
            members.Add(MemberSource.FromFile(dir.File($"f{i:D2}"), $"m{i:D2}") with { TakesFileMetadata = true });
        }

        File.Delete(dir.File("f04"));
        File.CreateSymbolicLink(dir.File("f04"), dir.File("f00"));
        File.Delete(dir.File("f08"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", dir.File("f08")))
        {
            await mkfifo.WaitForExitAsync();
        }

        using (var feeder = MemberReadAhead.Start(members, Tight))
        {
            var linked = Assert.Throws<UnsafeOperationException>(() => feeder.Take(5).ToList());
            Assert.Contains(dir.File("f04"), linked.Message, StringComparison.Ordinal);
        }

        using (var feeder = MemberReadAhead.Start(members.Where((_, i) => i != 4).ToList(), Tight))
        {
            var fifo = Assert.Throws<IOException>(() => feeder.ToList());
            Assert.Contains("\"m08\" is no longer a regular file", fifo.Message, StringComparison.Ordinal);
            Assert.Contains("a FIFO", fifo.Message, StringComparison.Ordinal);
        }

        // The serial writer opens the files itself, the same way.
        Assert.Throws<UnsafeOperationException>(() => Write(AggregationFormat.Tar, members, sink => sink));
        var serialFifo = Assert.Throws<IOException>(() => Write(AggregationFormat.Tar, members.Where((_, i) => i != 4), sink => sink));
        Assert.Contains("\"m08\" is no longer a regular file", serialFifo.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AggregationFormat.Tar, 31)]
    [InlineData(AggregationFormat.Il, 32)]
    public void Members_still_being_enumerated_give_the_same_aggregation_as_a_list(AggregationFormat format, int seed)
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, seed, count: 200);
        byte[] serial = Write(format, members, sink => sink);

        // A slow enumerable (a directory walk over a network file system): readers and writer catch up with it.
        IEnumerable<MemberSource> Slowly()
        {
            for (int i = 0; i < members.Count; i++)
            {
                if (i % 37 == 0)
                {
                    Thread.Sleep(5);
                }

                yield return members[i];
            }
        }

        byte[] fed;
        using (var feeder = MemberReadAhead.StartStreaming(Slowly(), Tight))
        {
            fed = Write(format, feeder, sink => sink);
            Assert.InRange(feeder.PeakBytesAhead, 1, Tight.MaxBytes);
        }

        Assert.True(serial.AsSpan().SequenceEqual(fed), $"seed {seed}: the streamed aggregation differs from the serial one");
    }

    [Fact]
    public void An_enumerable_that_fails_fails_the_writer_after_the_members_before_it()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 33, count: 50);

        IEnumerable<MemberSource> FailingAt(int at)
        {
            for (int i = 0; i < at; i++)
            {
                yield return members[i];
            }

            throw new UnauthorizedAccessException("Cannot list /somewhere: permission denied.");
        }

        using (var feeder = MemberReadAhead.StartStreaming(FailingAt(23), Tight))
        {
            (List<string> seen, UnauthorizedAccessException e) = TakeUntilFailure<UnauthorizedAccessException>(feeder);
            Assert.Equal(members.Take(23).Select(m => m.Name), seen);
            Assert.Contains("/somewhere", e.Message, StringComparison.Ordinal);
        }

        using (var empty = MemberReadAhead.StartStreaming([], Tight))
        {
            Assert.Empty(empty);
        }
    }

    [Fact]
    public void Disposed_while_still_enumerating_the_lister_and_readers_stop()
    {
        using var dir = new TempDirectory();
        List<MemberSource> members = Tree(dir, 34, count: 40);
        int taken = 0;

        IEnumerable<MemberSource> Endless()
        {
            for (int i = 0; ; i++)
            {
                Interlocked.Increment(ref taken);
                yield return members[i % members.Count] with { };
                Thread.Sleep(1);
            }
        }

        var feeder = MemberReadAhead.StartStreaming(Endless(), Tight);
        using (IEnumerator<MemberSource> writer = feeder.GetEnumerator())
        {
            Assert.True(writer.MoveNext());
            Assert.True(writer.MoveNext());
        }

        feeder.Dispose(); // returns once the lister has stopped at its next member
        int stoppedAt = Volatile.Read(ref taken);
        Thread.Sleep(50);
        Assert.Equal(stoppedAt, Volatile.Read(ref taken));
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

    /// <summary>Takes members, as a writer would, until the feeder throws: the names taken before, and the exception.</summary>
    private static (List<string> Seen, TException Error) TakeUntilFailure<TException>(IEnumerable<MemberSource> feeder)
        where TException : Exception
    {
        var seen = new List<string>();
        TException error = Assert.Throws<TException>(() =>
        {
            foreach (MemberSource member in feeder)
            {
                seen.Add(member.Name);
            }
        });
        return (seen, error);
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
        IAggregationWriter writer = NewWriter(format, sink);
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

    private static IAggregationWriter NewWriter(AggregationFormat format, IBlockSink sink, bool withXxHash64 = false)
    {
        var clock = new FixedClock(1_750_000_000);
        return format == AggregationFormat.Il
            ? new IlAggregationWriter(sink, new IlWriterOptions { Clock = clock, WithXxHash64 = withXxHash64 })
            : new TarAggregationWriter(sink, new TarWriterOptions { Clock = clock, AggregationId = 77, WithXxHash64 = withXxHash64 });
    }
}

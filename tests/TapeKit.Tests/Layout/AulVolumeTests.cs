using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Tests.Layout;

public sealed class AulVolumeTests
{
    private const int S = 4096;

    [Fact]
    public void Prelabel_writes_vol1_prelabel_and_a_mark_then_mounts()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        Assert.Equal("V12345", volume.Vsn);
        Assert.Equal("TAPEKIT", volume.Volume.OwnerId);
        Assert.Empty(volume.Scan());
        Assert.Contains("filemark", rig.Dump(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(AulVolume.Mount(rig.Handle, "V12345").Scan());
    }

    [Fact]
    public void Prelabel_refuses_a_cartridge_that_holds_data()
    {
        using var rig = new TapeRig();
        rig.Prelabel();
        var e = Assert.Throws<UnsafeOperationException>(() => AulVolume.Prelabel(rig.Handle, TapeRig.Writer, "V12345"));
        Assert.Contains("labelled V12345", e.Message, StringComparison.Ordinal);
        AulVolume.Prelabel(rig.Handle, TapeRig.Writer, "V12345", overwrite: true);
    }

    [Fact]
    public void Mount_refuses_the_wrong_cartridge()
    {
        using var rig = new TapeRig();
        rig.Prelabel();
        var e = Assert.Throws<UnsafeOperationException>(() => AulVolume.Mount(rig.Handle, "V99999"));
        Assert.Contains("wrong cartridge", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aul_files_round_trip_by_fseq_and_by_block_id_at_the_positions_of_the_spec()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        byte[] first = TapeRig.Data((42 * S) - 100, 1); // 42 blocks, the last one short
        byte[] second = TapeRig.Data(100 * S, 2);       // exactly 100 full blocks
        TapeFileInfo f1, f2;
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            f1 = session.WriteFile(0x1A2B, new MemoryStream(first), S);
            f2 = session.WriteFile(0x1A2C, new MemoryStream(second), S);
            Assert.Equal(2, session.DurableFiles.Count);
        }

        // spec/formats.md §2.1: HDR1 at 1, data 5-46, ...; file 2 HDR1 at 52, data 56-155; CTA block ids 0 and 52.
        Assert.Equal((1L, 5L, 42L), (f1.HeaderObjectId, f1.FirstDataObjectId, f1.DataBlocks));
        Assert.Equal((52L, 56L, 100L), (f2.HeaderObjectId, f2.FirstDataObjectId, f2.DataBlocks));
        Assert.Equal((0L, 52L), (f1.CtaBlockId, f2.CtaBlockId));

        AulVolume mounted = AulVolume.Mount(rig.Handle, "V12345");
        var copy = new MemoryStream();
        (TapeFileInfo read, uint adler) = mounted.ReadFile(2, 0x1A2C, copy);
        Assert.Equal(second, copy.ToArray());
        Assert.Equal(Adler32.Compute(second), adler);
        Assert.Equal(100, read.Trailers!.Value.Label1.BlockCount);

        copy.SetLength(0);
        mounted.ReadFile(1, 0x1A2B, copy, ctaBlockId: 0);
        Assert.Equal(first, copy.ToArray());
        copy.SetLength(0);
        mounted.ReadFile(2, 0x1A2C, copy, ctaBlockId: 52);
        Assert.Equal(second, copy.ToArray());
    }

    [Fact]
    public void Reading_checks_file_id_and_position()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            session.WriteFile(0x10, new MemoryStream(TapeRig.Data(S, 3)), S);
            session.WriteFile(0x11, new MemoryStream(TapeRig.Data(S, 4)), S);
        }

        Assert.Throws<UnsafeOperationException>(() => volume.ReadFile(1, 0x11, null));
        Assert.Throws<UnsafeOperationException>(() => volume.ReadFile(2, 0x11, null, ctaBlockId: 0));
        Assert.Throws<TapeFormatException>(() => volume.ReadFile(3, 0x12, null));
    }

    [Fact]
    public void Labels_written_pass_ctas_strict_checks_and_carry_the_writer_identity()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.CtaDefault))
        {
            session.WriteFile(0xABC, new MemoryStream(TapeRig.Data(3 * S, 5)), S);
        }

        TapeFileInfo file = Assert.Single(volume.Scan());
        Assert.Empty(file.Headers!.Value.Label1.Validate());
        Assert.Empty(file.Trailers!.Value.UserLabel.Validate());
        Assert.Equal("ULT3580-", file.Headers.Value.UserLabel.DriveModel);
        Assert.Equal(S, AulChecks.CheckHeaders(file.Headers.Value, 0xABC, "V12345", 1));
    }

    [Fact]
    public void Append_after_the_last_file_continues_the_fseq()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            session.WriteFile(1, new MemoryStream(TapeRig.Data(10, 6)), S);
        }

        rig.Reopen();
        volume = AulVolume.Mount(rig.Handle, "V12345");
        using (AulAppendSession session = volume.Append(1, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            Assert.Equal(2, session.WriteFile(2, new MemoryStream(TapeRig.Data(10, 7)), S).FileSequence);
        }

        Assert.Equal([1L, 2L], volume.Scan().Select(f => f.FileSequence));
        Assert.Equal(2, volume.CountFiles());
        using var blank = new TapeRig("V00002");
        Assert.Equal(0, blank.Prelabel().CountFiles());
    }

    [Theory]
    [InlineData(0L, UnsafeOperationKind.CatalogueBehindTape)] // the catalogue says empty, the tape has two files
    [InlineData(1L, UnsafeOperationKind.CatalogueBehindTape)] // the catalogue is behind the tape
    [InlineData(3L, UnsafeOperationKind.CatalogueAheadOfTape)] // the catalogue is ahead of the tape
    public void Append_with_a_stale_catalogue_is_refused_and_leaves_the_tape_untouched(long lastKnown, UnsafeOperationKind kind)
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            session.WriteFile(1, new MemoryStream(TapeRig.Data(S, 8)), S);
            session.WriteFile(2, new MemoryStream(TapeRig.Data(S, 9)), S);
        }

        string before = rig.Dump();
        volume = AulVolume.Mount(rig.Handle, "V12345");
        Assert.Equal(kind, Assert.Throws<UnsafeOperationException>(() => volume.Append(lastKnown, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks)).Kind);
        Assert.Equal(before, rig.Dump());
        Assert.Equal(2, AulVolume.Mount(rig.Handle, "V12345").Scan().Count);
    }

    [Fact]
    public void A_uhl1_block_size_beyond_what_the_drive_reads_is_refused_before_any_buffer_is_taken()
    {
        // Found by fuzzing (tests/TapeKit.Fuzz/regressions/tape-scan): a UHL1 saying 2 000 000 000 made the scan, and
        // every read of the file, allocate and clear a buffer of that size for each block read.
        using var rig = new TapeRig();
        rig.Prelabel();
        FileLabelGroup headers = TapeRig.Writer.Headers(0xABC, "V12345", 1, 2_000_000_000);
        FileLabelGroup trailers = headers.ToTrailers(1);
        rig.Handle.Locate(1);
        byte[] label = new byte[80];
        void Write(Action<Span<byte>> write)
        {
            write(label);
            rig.Handle.WriteBlock(label);
        }

        Write(headers.Label1.WriteTo);
        Write(headers.Label2.WriteTo);
        Write(headers.UserLabel.WriteTo);
        rig.Handle.WriteFilemarks(1);
        rig.Handle.WriteBlock(TapeRig.Data(100, 1));
        rig.Handle.WriteFilemarks(1);
        Write(trailers.Label1.WriteTo);
        Write(trailers.Label2.WriteTo);
        Write(trailers.UserLabel.WriteTo);
        rig.Handle.WriteFilemarks(1);
        rig.Reopen();

        AulVolume volume = AulVolume.Mount(rig.Handle, "V12345");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var scan = Assert.Throws<TapeFormatException>(() => volume.Scan());
        var read = Assert.Throws<TapeFormatException>(() => volume.ReadFile(1, 0xABC, null));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16L << 20);
        foreach (TapeFormatException e in new[] { scan, read })
        {
            Assert.Equal(("UHL1", "blockSize", 14L, 10, "2000000000"), (e.Kind, e.Field, e.Offset, e.Length, e.OffendingBytes));
            Assert.Contains("at most 8388608 bytes", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_tampered_trailer_refuses_the_append()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            session.WriteFile(1, new MemoryStream(TapeRig.Data(S, 10)), S);
        }

        // Rewrite the trailer group of file 1 with UTL1 saying fseq 7 (objects 7, 8, 9; then a mark).
        FileLabelGroup forged = TapeRig.Writer.Headers(1, "V12345", 7, S).ToTrailers(1);
        rig.Handle.Locate(7);
        byte[] label = new byte[80];
        foreach (Action<Span<byte>> write in new Action<Span<byte>>[] { forged.Label1.WriteTo, forged.Label2.WriteTo, forged.UserLabel.WriteTo })
        {
            write(label);
            rig.Handle.WriteBlock(label);
        }

        rig.Handle.WriteFilemarks(1);
        rig.Reopen();
        volume = AulVolume.Mount(rig.Handle, "V12345");
        var e = Assert.Throws<UnsafeOperationException>(() => volume.Append(1, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks));
        Assert.Contains("UTL1 field fileSequence", e.Message, StringComparison.Ordinal);
        Assert.Equal(UnsafeOperationKind.AppendCheckFailed, e.Kind);
    }

    [Fact]
    public void Zero_length_files_are_not_written_as_tape_files()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks);
        Assert.Throws<ArgumentException>(() => session.WriteFile(1, new MemoryStream(), S));
        Assert.Equal(1, session.NextFileSequence);
    }

    [Fact]
    public void A_write_protected_cartridge_is_refused_by_the_drive()
    {
        var e = Assert.Throws<TapeDriveException>(() => new TapeRig(writeProtected: true));
        Assert.Equal(TapeErrorKind.WriteProtected, e.Kind);
    }

    [Fact]
    public void A_full_cartridge_fails_the_file_and_nothing_pending_is_reported_durable()
    {
        using var rig = new TapeRig(capacity: 2L * 1024 * 1024);
        AulVolume volume = rig.Prelabel();
        var session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.Buffered(100, 0));
        session.WriteFile(1, new MemoryStream(TapeRig.Data(64 * 1024, 11)), S);
        Assert.Throws<TapeDriveException>(() => session.WriteFile(2, new MemoryStream(TapeRig.Data(4 * 1024 * 1024, 12)), S));
        Assert.Empty(session.DurableFiles);
        Assert.Throws<InvalidOperationException>(() => session.Flush());
    }

    [Fact]
    public void Buffered_marks_make_files_durable_only_at_a_flush()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        var made = new List<long>();
        using AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.Buffered(3, 0));
        session.Durable = files => made.AddRange(files.Select(f => f.FileSequence));
        session.WriteFile(1, new MemoryStream(TapeRig.Data(100, 13)), S);
        session.WriteFile(2, new MemoryStream(TapeRig.Data(100, 14)), S);
        Assert.Empty(session.DurableFiles);
        Assert.Equal(2, session.PendingFiles.Count);
        session.WriteFile(3, new MemoryStream(TapeRig.Data(100, 15)), S);
        Assert.Equal([1L, 2L, 3L], made);
        session.WriteFile(4, new MemoryStream(TapeRig.Data(100, 16)), S);
        Assert.Single(session.PendingFiles);
        Assert.Equal([4L], session.Flush().Select(f => f.FileSequence));
    }

    [Fact]
    public void Power_loss_before_a_sync_loses_only_pending_files()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        var session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.Buffered(2, 0));
        session.WriteFile(1, new MemoryStream(TapeRig.Data(1000, 17)), S);
        session.WriteFile(2, new MemoryStream(TapeRig.Data(1000, 18)), S);
        session.WriteFile(3, new MemoryStream(TapeRig.Data(1000, 19)), S);
        Assert.Equal(2, session.DurableFiles.Count);
        rig.Drive.PowerLoss();
        rig.Handle.Rewind(); // clears the lost position (T24) before the next mount
        rig.Reopen();

        AulVolume after = AulVolume.Mount(rig.Handle, "V12345");
        Assert.Equal([1L, 2L], after.Scan().Select(f => f.FileSequence));
        using AulAppendSession again = after.Append(2, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks);
        Assert.Equal(3, again.WriteFile(3, new MemoryStream(TapeRig.Data(1000, 19)), S).FileSequence);
    }

    [Fact]
    public void Power_loss_during_the_first_files_leaves_vol1_only_and_only_an_explicit_overwrite_appends()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        var session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.Buffered(10, 0));
        session.WriteFile(1, new MemoryStream(TapeRig.Data(1000, 20)), S);
        rig.Drive.PowerLoss(); // The prelabel's HDR1 was overwritten; the unsynced file 1 is gone too.
        rig.Reopen(); // No rewind first: the new handle still uses logical block addresses (options say so).

        AulVolume after = AulVolume.Mount(rig.Handle, "V12345");
        var refused = Assert.Throws<UnsafeOperationException>(() => after.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks));
        Assert.Contains("nothing readable follows VOL1", refused.Message, StringComparison.Ordinal);
        using (AulAppendSession again = after.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks, overwriteLaterFiles: true))
        {
            Assert.Equal(1, again.WriteFile(1, new MemoryStream(TapeRig.Data(1000, 21)), S).FileSequence);
        }

        Assert.Equal([1L], AulVolume.Mount(rig.Handle, "V12345").Scan().Select(f => f.FileSequence));
    }

    [Fact]
    public void A_failed_file_1_is_overwritten_only_when_the_caller_says_it_failed()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        using (AulAppendSession first = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            first.WriteFile(7, new MemoryStream(TapeRig.Data(1000, 22)), S); // Written and synced, never committed.
        }

        AulVolume mounted = AulVolume.Mount(rig.Handle, "V12345");
        var refused = Assert.Throws<UnsafeOperationException>(() => mounted.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks));
        Assert.Contains("the catalogue says the tape is empty", refused.Message, StringComparison.Ordinal);
        using (AulAppendSession again = mounted.Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks, overwriteLaterFiles: true))
        {
            again.WriteFile(8, new MemoryStream(TapeRig.Data(500, 23)), S);
        }

        TapeFileInfo only = Assert.Single(AulVolume.Mount(rig.Handle, "V12345").Scan());
        Assert.Equal((1L, 8UL), (only.FileSequence, only.FileId));
    }

    [Theory]
    [InlineData(AggregationFormat.Tar)]
    [InlineData(AggregationFormat.Il)]
    public void Reading_one_member_of_an_alb_file_of_1000_reads_only_its_blocks(AggregationFormat format)
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        var members = Enumerable.Range(0, 1000)
            .Select(i => MemberSource.FromMemory(TapeRig.Data(i % 7 == 0 ? 20_000 : 1 + (i * 37 % 3000), i), $"dir{i % 10}/file{i:D4}"))
            .ToList();
        TapeFileInfo alb;
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.CtaDefault))
        {
            alb = session.WriteAggregation(0xA1B2C3D4E5F60718, members, format, 8192);
        }

        Assert.Equal(1000, alb.Members.Count);
        AggregationMember member = alb.Members[777];
        var copy = new MemoryStream();
        rig.Handle.Rewind();
        DriveStatistics before = rig.Drive.Statistics;
        long clockBefore = rig.Drive.Clock.Nanoseconds;
        long locatesBefore = before.Locates;
        volume.ReadMember(alb, format, member, copy);
        DriveStatistics after = rig.Drive.Statistics;
        long elapsed = rig.Drive.Clock.Nanoseconds - clockBefore;
        Assert.Equal(members[777].Memory.ToArray(), copy.ToArray());

        DriveBlockSource source = volume.LastMemberSource!;
        long lastByte = member.PayloadOffset + Math.Max(member.Size, 1) - 1;
        long expectedBlocks = (lastByte / alb.BlockSize) - member.BlockIndex + 1;
        Assert.Equal(expectedBlocks, source.BlocksRead);
        Assert.Equal(1, source.Locates);
        Assert.Equal(1, after.Locates - locatesBefore);

        // Simulated cost: one locate plus the blocks read at the native rate, and nothing else.
        long streamed = after.StreamingNanoseconds - before.StreamingNanoseconds;
        long positioning = after.PositioningNanoseconds - before.PositioningNanoseconds;
        double nativeNanoseconds = expectedBlocks * (double)alb.BlockSize * 1e9 / MediaProfile.Lto9.NativeRate;
        Assert.InRange(streamed, nativeNanoseconds * 0.99, (nativeNanoseconds * 1.01) + 1000);
        Assert.InRange(positioning, 1, MediaProfile.Lto9.MaxLocateTime);
        Assert.Equal(0, after.BackHitches - before.BackHitches);
        Assert.Equal(streamed + positioning, elapsed);
    }

    [Fact]
    public void Scan_rebuilds_files_and_members_from_the_tape_alone()
    {
        using var rig = new TapeRig();
        AulVolume volume = rig.Prelabel();
        var members = Enumerable.Range(0, 50).Select(i => MemberSource.FromMemory(TapeRig.Data(i * 100, i), $"m{i}")).ToList();
        using (AulAppendSession session = volume.Append(0, TapeRig.Writer, TapeMarkPolicy.CtaDefault))
        {
            session.WriteFile(0x77, new MemoryStream(TapeRig.Data(5 * S, 20)), S);
            session.WriteAggregation(0x78, members, AggregationFormat.Tar, 8192);
            session.WriteAggregation(0x79, members, AggregationFormat.Il, 8192);
        }

        IReadOnlyList<TapeFileInfo> files = AulVolume.Mount(rig.Handle, "V12345").Scan();
        Assert.Equal([PayloadKind.Opaque, PayloadKind.Tar, PayloadKind.Il], files.Select(f => f.Payload));
        Assert.Equal([0x77UL, 0x78UL, 0x79UL], files.Select(f => f.FileId));
        Assert.Equal(members.Select(m => m.Name), files[1].Members.Select(m => m.Name));
        Assert.Equal(members.Select(m => m.Name), files[2].Members.Select(m => m.Name));
        Assert.Equal(Adler32.Compute(members[42].Memory.Span), files[2].Members[42].Digest.Adler32);
    }
}

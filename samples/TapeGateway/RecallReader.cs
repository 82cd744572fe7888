using TapeKit;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;

namespace TapeGateway;

/// <summary>One file a recall session read: whether every byte matched, and when (simulated) it was done.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Verified">Every byte read equals the original, and the size too.</param>
/// <param name="DoneAt">When its last byte was read.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Damaged">The copy read is bad (a media error, a checksum or a byte that differs): another copy may serve the file.</param>
/// <param name="ChecksumMismatch">The copy was readable but wrong: a checksum of the format or of the member, or a byte, differs.</param>
public sealed record RecallOutcome(long FileId, bool Verified, DateTimeOffset DoneAt, string? Error = null, bool Damaged = false, bool ChecksumMismatch = false);

/// <summary>
/// A recall session: one mount of one tape through the drive scheduler, then the plan's reads in its order — a file of
/// its own by its block id (labels checked), an aggregation whole (read ahead: one pass, the wanted members unpacked)
/// or one member by locating to its first block. Every byte read goes to a <see cref="VerifyingStream"/>.
/// </summary>
/// <param name="world">The tape world.</param>
/// <param name="seed">The seed of the virtual payloads.</param>
public sealed class RecallReader(TapeWorld world, int seed)
{
    /// <summary>Reads a stage plan on its tape.</summary>
    /// <param name="plan">The plan (items in tape order).</param>
    /// <param name="priority">The session's priority at the drive scheduler.</param>
    /// <param name="ct">Cancels waiting for a drive.</param>
    public async Task<IReadOnlyList<RecallOutcome>> ReadAsync(StagePlan plan, RequestPriority priority = RequestPriority.Normal, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var outcomes = new List<RecallOutcome>();
        NsTape tape = world.Names.Tapes[plan.Vsn];
        await using TapeMount mount = await world.MountAsync(plan.Vsn, MountMode.Read, priority, ct);
        await mount.RunAsync(drive =>
        {
            AulVolume? volume = null;
            try
            {
                volume = tape.Unlabelled ? null : AulVolume.Mount(drive, plan.Vsn); // The label check of every session.
            }
            catch (Exception e) when (e is TapeFormatException or TapeDriveException or UnsafeOperationException)
            {
                outcomes.AddRange(plan.Items.SelectMany(i => i.Members).Select(m => new RecallOutcome(m.FileId, false, world.Clock.GetUtcNow(), e.Message)));
                return;
            }

            foreach (StageItem item in plan.Items)
            {
                NsTapeFile tf = world.Names.TapeFiles[item.AggregationId];
                try
                {
                    if (tf.Kind == "aul")
                    {
                        outcomes.Add(ReadOwnFile(volume!, tf, item.Members[0].FileId));
                    }
                    else if (tf.Kind == "nl")
                    {
                        outcomes.Add(ReadNlFile(drive, tf, item.Members[0].FileId));
                    }
                    else if (item.Mode == ReadMode.Whole)
                    {
                        ReadWhole(drive, tf, item.Members, outcomes);
                    }
                    else
                    {
                        outcomes.Add(ReadPositioned(drive, tf, item.Members[0]));
                    }
                }
                catch (Exception e) when (e is TapeFormatException or TapeDriveException or UnsafeOperationException or InvalidDataException)
                {
                    // A bad block fails the files of this read on this copy; the session goes on with the next item.
                    var done = outcomes.Select(o => o.FileId).ToHashSet();
                    outcomes.AddRange(item.Members.Where(m => !done.Contains(m.FileId))
                        .Select(m => new RecallOutcome(m.FileId, false, world.Clock.GetUtcNow(), e.Message, Damaged: true, ChecksumMismatch: IsChecksumMismatch(e))));
                }
            }
        }, ct);
        return outcomes;
    }

    private RecallOutcome ReadOwnFile(AulVolume volume, NsTapeFile tf, long fileId)
    {
        NsFile file = world.Names.Files[fileId];
        var sink = new VerifyingStream(seed, fileId);
        (TapeFileInfo info, _) = volume.ReadFile(tf.Fseq, tf.HeaderFileId, sink, tf.HeaderBlockId);
        return Outcome(file, sink, info.DataBytes == file.Size);
    }

    /// <summary>An NL file has no labels: locate to its recorded block id and read up to its tape mark.</summary>
    private RecallOutcome ReadNlFile(ITapeDrive drive, NsTapeFile tf, long fileId)
    {
        NsFile file = world.Names.Files[fileId];
        var sink = new VerifyingStream(seed, fileId);
        drive.Locate(tf.FirstDataBlockId);
        byte[] buffer = new byte[NlTape.DefaultMaxBlockSize];
        TapeReadResult r;
        while ((r = drive.ReadBlock(buffer)).Kind == TapeReadKind.Data)
        {
            sink.Write(buffer, 0, r.Length);
        }

        if (r.Kind != TapeReadKind.Filemark)
        {
            throw new TapeFormatException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"NL file {tf.Fseq} on {tf.Vsn} ends in {r.Kind}, not a tape mark."), "NL tape", "data", tf.FirstDataBlockId, 0, string.Empty);
        }

        return Outcome(file, sink, sink.BytesSeen == file.Size);
    }

    private void ReadWhole(ITapeDrive drive, NsTapeFile tf, IReadOnlyList<StageMember> members, List<RecallOutcome> outcomes)
    {
        var wanted = members.ToDictionary(m => m.FileId);
        var source = new DriveBlockSource(drive, tf.FirstDataBlockId, tf.BlockSize, tf.DataBlocks);
        try
        {
            using AggregationReader reader = tf.Kind == "il" ? new IlAggregationReader(source) : new TarAggregationReader(source);
            while (wanted.Count > 0 && reader.ReadNext() is { } entry)
            {
                long fileId = tf.Kind == "il" ? (long)entry.FileId : ParseMemberName(entry.Name);
                if (entry.Type != AggregationEntryType.File || !wanted.ContainsKey(fileId))
                {
                    reader.SkipData(); // not recalled: passed over unverified, its damage is not this recall's
                    continue;
                }

                NsFile file = world.Names.Files[fileId];
                NsSegment segment = SegmentIn(tf, fileId);
                var sink = new VerifyingStream(seed, fileId);
                MemberDigest digest = reader.CopyDataTo(sink);
                _ = wanted.Remove(fileId);
                outcomes.Add(Outcome(file, sink, entry.Size == file.Size && digest.Adler32 == segment.Adler32 && digest.XxHash3 == segment.XxHash3));
            }
        }
        catch (Exception e) when (e is TapeFormatException or TapeDriveException or InvalidDataException)
        {
            // The pass stopped at a bad block: the members still wanted are read positioned, past it; the one it held fails.
            foreach (StageMember m in wanted.Values.OrderBy(m => m.Member.BlockId))
            {
                try
                {
                    outcomes.Add(ReadPositioned(drive, tf, m));
                }
                catch (Exception again) when (again is TapeFormatException or TapeDriveException or InvalidDataException)
                {
                    outcomes.Add(new RecallOutcome(m.FileId, false, world.Clock.GetUtcNow(), $"{e.Message}; positioned: {again.Message}", Damaged: true, ChecksumMismatch: IsChecksumMismatch(again)));
                }
            }

            return;
        }

        outcomes.AddRange(wanted.Keys.Select(id => new RecallOutcome(id, false, world.Clock.GetUtcNow(), $"not found in tape file {tf.Id}", Damaged: true)));
    }

    private RecallOutcome ReadPositioned(ITapeDrive drive, NsTapeFile tf, StageMember member)
    {
        NsFile file = world.Names.Files[member.FileId];
        NsSegment segment = SegmentIn(tf, member.FileId);
        var index = new AggregationMember(GatewayMigrator.MemberNameOf(file.FileId), (ulong)file.FileId, file.Size,
            (segment.BlockIndex * tf.BlockSize) + segment.OffsetInBlock, segment.PayloadOffset, segment.BlockIndex, segment.OffsetInBlock,
            new MemberDigest(segment.Adler32, segment.XxHash3, null));
        var source = new DriveBlockSource(drive, tf.FirstDataBlockId, tf.BlockSize, tf.DataBlocks);
        var sink = new VerifyingStream(seed, file.FileId);
        // Checks the member's digest against the index; throws on a mismatch.
        _ = AggregationReader.ReadMember(source, tf.Kind == "il" ? AggregationFormat.Il : AggregationFormat.Tar, index, sink, (ulong)tf.Fseq, (ulong)tf.FirstDataBlockId);
        return Outcome(file, sink, true);
    }

    private RecallOutcome Outcome(NsFile file, VerifyingStream sink, bool formatChecks)
    {
        bool ok = formatChecks && sink.Intact && sink.BytesSeen == file.Size;
        return new RecallOutcome(file.FileId, ok, world.Clock.GetUtcNow(), ok ? null : $"{sink.BytesSeen} of {file.Size} bytes read, {(sink.Intact ? "equal" : "different")} to the original", Damaged: !ok, ChecksumMismatch: !ok);
    }

    /// <summary>A read that failed on what the tape gave back (a format check or a checksum), not on the drive (a media error).</summary>
    private static bool IsChecksumMismatch(Exception e) => e is TapeFormatException or InvalidDataException;

    private NsSegment SegmentIn(NsTapeFile tf, long fileId) =>
        world.Names.SegmentsOf(fileId).First(s => s.TapeFileId == tf.Id);

    private static long ParseMemberName(string name) =>
        name.Length > 1 && name[0] == 'f' && long.TryParse(name.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id) ? id : -1;
}

using System.Globalization;
using TapeKit;
using TapeKit.Devices;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;

namespace TapeGateway;

/// <summary>What a tape holds, read from the tape alone, and how it compares with the name server.</summary>
/// <param name="Vsn">The tape.</param>
/// <param name="Files">Its tape files as scanned (labels, block counts, members of ALB files).</param>
/// <param name="Problems">Differences from the name server; empty when the tape and the name server agree.</param>
public sealed record TapeAudit(string Vsn, IReadOnlyList<TapeFileInfo> Files, IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Mounts the tape for reading and scans it: an AUL tape from its labels (every ALB payload read to list and check
    /// its members), an NL tape by its tape marks. Then each tape file is compared with what the name server records:
    /// fseq, block id, file id, block and byte counts, payload kind, and each member's file, block and digest.
    /// </summary>
    /// <param name="world">The tape world.</param>
    /// <param name="vsn">The tape.</param>
    /// <param name="ct">Cancels waiting for a drive.</param>
    public static async Task<TapeAudit> RunAsync(TapeWorld world, string vsn, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (!world.Names.Tapes.TryGetValue(vsn, out NsTape? tape))
        {
            return new TapeAudit(vsn, [], [$"the name server knows no tape {vsn}"]);
        }

        IReadOnlyList<TapeFileInfo> files;
        var problems = new List<string>();
        await using (TapeMount mount = await world.MountAsync(vsn, MountMode.Read, RequestPriority.High, ct))
        {
            try
            {
                files = await mount.RunAsync(drive => tape.Unlabelled ? NlTape.Scan(drive) : AulVolume.Mount(drive, vsn).Scan(withMembers: true), ct);
            }
            catch (Exception e) when (e is TapeFormatException or TapeDriveException or UnsafeOperationException)
            {
                return new TapeAudit(vsn, [], [$"the tape cannot be read: {e.Message}"]);
            }
        }

        IReadOnlyList<NsTapeFile> expected = world.Names.TapeFilesOn(vsn);
        var byFseq = expected.ToDictionary(t => t.Fseq);
        foreach (TapeFileInfo file in files)
        {
            if (!byFseq.Remove(file.FileSequence, out NsTapeFile? tf))
            {
                problems.Add(Invariant($"fseq {file.FileSequence}: on tape, unknown to the name server"));
                continue;
            }

            Compare(world.Names, tape, file, tf, problems);
        }

        problems.AddRange(byFseq.Values.Select(tf => Invariant($"fseq {tf.Fseq}: recorded by the name server (tape file {tf.Id}), not on tape")));
        return new TapeAudit(vsn, files, problems);
    }

    private static void Compare(NameServer names, NsTape tape, TapeFileInfo file, NsTapeFile tf, List<string> problems)
    {
        void Check<T>(string what, T onTape, T recorded)
        {
            if (!EqualityComparer<T>.Default.Equals(onTape, recorded))
            {
                problems.Add(Invariant($"fseq {file.FileSequence}: {what} is {onTape} on tape, {recorded} in the name server"));
            }
        }

        Check("block id", file.HeaderObjectId, tf.HeaderBlockId);
        Check("data blocks", file.DataBlocks, tf.DataBlocks);
        Check("data bytes", file.DataBytes, tf.DataBytes);
        if (tape.Unlabelled)
        {
            return;
        }

        Check("file id", file.FileId, tf.HeaderFileId);
        Check("payload", file.Payload.ToString().ToUpperInvariant(), tf.Kind switch { "il" => "IL", "tar" => "TAR", _ => "OPAQUE" });
        if (!tf.IsAggregation)
        {
            return;
        }

        // A tar payload lists its manifest as a member too; only the files count.
        var members = file.Members.Where(m => m.FileId != 0).ToList();
        IReadOnlyList<NsSegment> segments = names.SegmentsIn(tf.Id);
        Check("member count", members.Count, segments.Count);
        foreach ((var member, NsSegment segment) in members.Zip(segments))
        {
            string at = Invariant($"member {segment.MemberIndex}");
            Check(at + " file id", (long)member.FileId, segment.FileId);
            Check(at + " block index", member.BlockIndex, segment.BlockIndex);
            Check(at + " size", member.Size, names.Files.TryGetValue(segment.FileId, out NsFile? f) ? f.Size : -1);
            Check(at + " adler32", member.Digest.Adler32, segment.Adler32);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The dump: one line per tape file, then its members.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (TapeFileInfo f in Files)
        {
            yield return Invariant($"fseq {f.FileSequence,5}  blockid {f.HeaderObjectId,9}  fileid {f.FileId,7}  {f.Payload,-6}  {f.DataBlocks,7} blocks of {f.BlockSize}  {f.DataBytes,12} bytes");
            foreach (var m in f.Members)
            {
                yield return Invariant($"        member {m.Name,-24} fileid {m.FileId,7}  block {m.BlockIndex,6}+{m.OffsetInBlock,-6} {m.Size,10} bytes  adler32 {m.Digest.Adler32:x8}");
            }
        }
    }
}

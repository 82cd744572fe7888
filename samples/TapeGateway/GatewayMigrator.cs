using TapeKit;
using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;

namespace TapeGateway;

/// <summary>What a migration run did.</summary>
/// <param name="Files">Files written and recorded.</param>
/// <param name="TapeFiles">Tape files written.</param>
/// <param name="Sessions">Tape sessions (one mount each, or a reuse of a loaded cartridge).</param>
/// <param name="PayloadBytes">User bytes written.</param>
/// <param name="Repaired">Copies re-created in place of damaged ones (counted in <paramref name="Files"/> too).</param>
/// <param name="Waiting">Copies left for a later run: their pool has no writable tape that holds no other copy of the file.</param>
public sealed record MigrationReport(int Files, int TapeFiles, int Sessions, long PayloadBytes, int Repaired = 0, int Waiting = 0)
{
    /// <summary>This report and <paramref name="other"/> added up.</summary>
    /// <param name="other">Another run's, or one session's.</param>
    public MigrationReport Plus(MigrationReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new MigrationReport(Files + other.Files, TapeFiles + other.TapeFiles, Sessions + other.Sessions, PayloadBytes + other.PayloadBytes,
            Repaired + other.Repaired, Waiting + other.Waiting);
    }
}

/// <summary>
/// The tape gateway's migration side: takes the disk pool's candidates per file class in streams, each stream to the
/// next tape of the class's pool, and writes it in one tape session (a drive from the scheduler) with the mode's tape
/// mark policy. Files are recorded in the name server only once a synchronising mark has made them durable.
/// A copy a recall found damaged counts as missing, so the next run re-creates it from the disk pool on a tape that
/// holds no other copy of the file: CASTOR's repair by re-migration (docs/hsm/rules.md#hsm-f6).
/// </summary>
/// <param name="world">The tape world.</param>
/// <param name="mode">How to write.</param>
/// <param name="seed">The seed of the virtual payloads.</param>
public sealed class GatewayMigrator(TapeWorld world, GatewayMode mode, int seed)
{
    private readonly Dictionary<string, int> _nextTape = new(StringComparer.Ordinal);

    /// <summary>Migrates every file of the name server that has no tape copy yet.</summary>
    /// <param name="ct">Cancels between sessions.</param>
    public async Task<MigrationReport> MigrateAsync(CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        var report = new MigrationReport(0, 0, 0, 0);
        GatewayOptions options = world.Options;
        var damaged = world.Names.DamagedCopies.Select(s => (s.FileId, s.CopyNb)).ToHashSet();
        // A candidate lacks one of the copies its class asks for.
        var candidates = world.Names.Files.Values
            .Where(f => Enumerable.Range(1, options.ClassOf(f.Class).Copies).Any(c => !world.Names.HasCopy(f.FileId, c)))
            .OrderBy(f => f.FileId).ToList();
        foreach (IGrouping<string, NsFile> byClass in candidates.GroupBy(f => options.ClassOf(f.Class).Name))
        {
            FileClass fileClass = options.ClassOf(byClass.Key);
            foreach (NsFile[] stream in byClass.Chunk(options.StreamFiles))
            {
                for (int copy = 1; copy <= fileClass.Copies; copy++)
                {
                    NsFile[] left = [.. stream.Where(f => !world.Names.HasCopy(f.FileId, copy))];
                    while (left.Length > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        // Each copy on a tape that holds no other copy of these files.
                        var avoid = left.SelectMany(f => world.Names.SegmentsOf(f.FileId)).Select(s => world.Names.TapeFiles[s.TapeFileId].Vsn).ToHashSet(StringComparer.Ordinal);
                        if (NextTape(fileClass.Pool, avoid) is not { } vsn)
                        {
                            report = report.Plus(new MigrationReport(0, 0, 0, 0, Waiting: left.Length));
                            break;
                        }

                        IReadOnlyList<MigrationJob> jobs = MigrationPolicy.Plan(left, fileClass, mode.Aggregate, options);
                        MigrationReport session;
                        try
                        {
                            session = await WriteSessionAsync(vsn, jobs, copy, ct);
                        }
                        catch (Exception e) when (e is TapeDriveException or TapeFormatException or UnsafeOperationException)
                        {
                            // A write error: what a synchronising mark covered is recorded and stays; the tape takes no more
                            // writes, and the rest of the stream (every tape file since the last sync) goes to another tape.
                            await world.DisableWritesAsync(vsn, ct);
                            session = new MigrationReport(0, 0, 1, 0);
                        }

                        int copyNb = copy;
                        int repaired = left.Count(f => damaged.Contains((f.FileId, copyNb)) && world.Names.HasCopy(f.FileId, copyNb));
                        report = report.Plus(session with { Sessions = 1, Repaired = repaired });
                        left = [.. left.Where(f => !world.Names.HasCopy(f.FileId, copyNb))];
                    }
                }
            }
        }

        world.Save();
        return report;
    }

    /// <summary>Writes the jobs to one tape in one session and records what became durable.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="jobs">The tape files to write, in order.</param>
    /// <param name="copyNb">The copy these tape files are.</param>
    /// <param name="ct">Cancels waiting for a drive.</param>
    public async Task<MigrationReport> WriteSessionAsync(string vsn, IReadOnlyList<MigrationJob> jobs, int copyNb = 1, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        NsTape tape = world.Names.Tapes[vsn];
        var ids = jobs.Select(_ => world.Names.AllocateTapeFileId()).ToArray();
        var written = new List<(MigrationJob Job, long Id, TapeFileInfo Info)>();
        var durable = new HashSet<long>(); // fseqs a synchronising mark covers
        bool full = false;
        await using (TapeMount mount = await world.MountAsync(vsn, MountMode.Write, RequestPriority.Normal, ct))
        {
            try
            {
                await mount.RunAsync(drive =>
                {
                    if (tape.Unlabelled)
                    {
                        // NL: each file ends with two synchronising marks (the format's end of data), whatever the mode.
                        long existing = tape.LastFseq;
                        for (int i = 0; i < jobs.Count; i++)
                        {
                            NsFile f = jobs[i].Files[0];
                            using Stream data = VirtualPayload.Open(seed, f.FileId, f.Size);
                            TapeFileInfo info = NlTape.AppendFile(drive, existing++, data);
                            written.Add((jobs[i], ids[i], info));
                            durable.Add(info.FileSequence);
                        }

                        return;
                    }

                    AulVolume volume = AulVolume.Mount(drive, vsn);
                    using AulAppendSession session = volume.Append(tape.LastFseq, world.Labels, mode.Marks);
                    session.Durable = files => durable.UnionWith(files.Select(f => f.FileSequence));
                    for (int i = 0; i < jobs.Count; i++)
                    {
                        if (session.PastEarlyWarning)
                        {
                            full = true; // The tape is full: the rest of the stream goes to the next tape.
                            break;
                        }

                        MigrationJob job = jobs[i];
                        TapeFileInfo info;
                        if (job.Kind == "aul")
                        {
                            NsFile f = job.Files[0];
                            using Stream data = VirtualPayload.Open(seed, f.FileId, f.Size);
                            info = session.WriteFile((ulong)ids[i], data);
                        }
                        else
                        {
                            info = session.WriteAggregation((ulong)ids[i], job.Files.Select(Member), job.Kind == "tar" ? AggregationFormat.Tar : AggregationFormat.Il, clock: world.Clock);
                        }

                        written.Add((job, ids[i], info));
                    }

                    _ = session.Flush(); // Only durable files reach the name server.
                }, ct);
            }
            finally
            {
                // What was written before a failure and made durable is still recorded (a media error mid-session
                // loses only the file being written and what no synchronising mark covered).
                Record(vsn, written.Where(w => durable.Contains(w.Info.FileSequence)), copyNb);
            }
        }

        if (world.Names.Tapes[vsn].LastFseq > 0)
        {
            await world.MarkWrittenAsync(vsn, ct);
        }

        if (full)
        {
            await world.MarkFullAsync(vsn, ct);
        }

        var done = written.Where(w => durable.Contains(w.Info.FileSequence)).ToList();
        return new MigrationReport(done.Sum(w => w.Job.Files.Count), done.Count, 1, done.Sum(w => w.Job.Files.Sum(f => f.Size)));
    }

    private void Record(string vsn, IEnumerable<(MigrationJob Job, long Id, TapeFileInfo Info)> written, int copyNb)
    {
        foreach ((MigrationJob job, long id, TapeFileInfo info) in written)
        {
            var tapeFile = new NsTapeFile(id, vsn, info.FileSequence, info.HeaderObjectId, info.FirstDataObjectId, job.Kind, info.BlockSize, info.DataBlocks, info.DataBytes, job.Files.Count);
            IEnumerable<NsSegment> segments = job.Kind is "il" or "tar"
                ? info.Members.Select((m, index) => new NsSegment((long)m.FileId, copyNb, id, index, m.BlockIndex, m.OffsetInBlock, m.PayloadOffset, m.Digest.Adler32, m.Digest.XxHash3))
                : [new NsSegment(job.Files[0].FileId, copyNb, id, 0, 0, 0, 0, 0, 0)];
            world.Names.RecordTapeFile(tapeFile, segments);
        }
    }

    private MemberSource Member(NsFile f) =>
        MemberSource.FromStream(VirtualPayload.Open(seed, f.FileId, f.Size), MemberNameOf(f.FileId), f.Size) with { FileId = (ulong)f.FileId };

    /// <summary>The member name of a file in an aggregation.</summary>
    /// <param name="fileId">The file.</param>
    public static string MemberNameOf(long fileId) => $"f{fileId}";

    /// <summary>The pool's tapes in turn (parallel streams spread over them), skipping the ones in <paramref name="avoid"/>; null when none is left.</summary>
    private string? NextTape(string pool, HashSet<string> avoid)
    {
        string[] tapes = [.. world.Names.Tapes.Values.Where(t => t.Pool == pool && !t.WriteDisabled).Select(t => t.Vsn).Order(StringComparer.Ordinal)];
        for (int tried = 0; tried < tapes.Length; tried++)
        {
            int next = _nextTape.GetValueOrDefault(pool);
            _nextTape[pool] = next + 1;
            if (!avoid.Contains(tapes[next % tapes.Length]))
            {
                return tapes[next % tapes.Length];
            }
        }

        return null;
    }
}

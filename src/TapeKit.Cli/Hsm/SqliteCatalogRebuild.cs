using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.StateMachines;
using TapeKit.Labels;
using TapeKit.Layout;
using HsmFormat = TapeKit.Hsm.Model.AggregationFormat;
using HsmMember = TapeKit.Hsm.Model.AggregationMember;
using TapeMember = TapeKit.Aggregation.AggregationMember;

namespace TapeKit.Cli.Hsm;

/// <summary>
/// <c>tapekit catalog rebuild --db FILE.db</c>: the tape side of an HSM catalogue rebuilt from cartridges alone
/// (spec/hsm.md §5.5) into a new SQLite store: <c>tapes</c> from VOL1, one <c>aggregations</c> row per tape file
/// (<c>ON_TAPE</c>, with its tape file locator; format <c>NONE</c> for a plain AUL file), <c>members</c> rows with the
/// locators recomputed from the container, and <c>files</c> <c>ARCHIVED</c> / <c>PURGED</c> with the checksums the tape
/// records (Adler-32 and XXH3-64 of IL and tar members; the Adler-32 of a plain file, computed by reading it).
/// </summary>
/// <remarks>
/// <para>Identity: a member's file id (IL <c>FILE_NS_ID</c>, tar manifest <c>fileId</c>; the HDR1 file id of a plain
/// file) is its catalogue file id. A member without one (id 0, or above 2⁶³−1) is identified by name, size and
/// checksums. Aggregations keep their HDR1 id when it is free, else get a new one.</para>
/// <para>Copies: occurrences of one file on different tapes are copies, numbered by tape order (format v1 records no
/// copy number); of two on the same tape, or of two with different contents, the later write wins and the other is
/// left out (no member row), reported as a conflict; an aggregation left with no member is <c>RETIRED</c>.</para>
/// <para>What tapes cannot tell is filled in plainly: the decision is rule <c>rebuilt</c>, policy version 0, key
/// <c>rebuilt|POOL</c>, the given disk library and pool, as many copies as were found; every row gets an audit
/// transition by the operator with reason <c>rebuilt from tapes</c>. Tapes are <c>FILLING</c> with
/// <c>lastFseq</c> = their number of files. A CTA placeholder file is reported and skipped.</para>
/// </remarks>
public static class SqliteCatalogRebuild
{
    /// <summary>The rule name of every rebuilt decision: the flag that marks a file as rebuilt.</summary>
    public const string RuleName = "rebuilt";

    private const string Reason = "rebuilt from tapes";

    /// <summary>Scans the tapes and writes a new catalogue at <paramref name="path"/>, replacing the file only when complete.</summary>
    /// <param name="console">For warnings while mounting.</param>
    /// <param name="path">The SQLite file to write.</param>
    /// <param name="tapes">Virtual cartridge directories, in the order their copies are numbered.</param>
    /// <param name="options">Pool, disk library and whether to replace a non-empty catalogue.</param>
    /// <param name="progress">Shows the scan of each tape; <see langword="null"/> for none.</param>
    /// <returns>The counts and what was reported.</returns>
    /// <exception cref="UnsafeOperationException">The file is a catalogue that is not empty, and <see cref="RebuildOptions.Force"/> is off (exit 4).</exception>
    public static RebuildReport Run(CliConsole console, string path, IReadOnlyList<string> tapes, RebuildOptions options, CliProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(tapes);
        ArgumentNullException.ThrowIfNull(options);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"--db {path}: a directory, not a catalogue file.");
        }

        if (!options.Force && File.Exists(full) && !IsEmptyCatalog(full))
        {
            throw new UnsafeOperationException($"--db {path}: the file exists and is not an empty catalogue; a rebuild would replace it. Give --force to replace it.", path, UnsafeOperationKind.DestinationNotEmpty);
        }

        progress ??= new CliProgress(null);
        List<ScannedTape> scanned = [.. tapes.Select(t => Scan(console, t, progress))];
        if (scanned.GroupBy(t => t.Vsn, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CliUsageException($"--tape: volume {twice.Key} is given twice.");
        }

        RebuildPlan plan = RebuildPlan.Of(scanned, options);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
        try
        {
            using (SqliteHsmStore store = CliHsmStores.Sync(SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = temp, BackupBeforeMigration = false }, TimeProvider.System)))
            {
                CliHsmStores.Sync(plan.WriteAsync(store.Catalog));
            }

            // Closing the last connection checkpoints the WAL into the file and removes it; the rename needs a whole file.
            if (File.Exists(temp + "-wal"))
            {
                throw new IOException($"{temp}: SQLite kept a write-ahead log after closing; the rebuilt catalogue is left there.");
            }

            File.Delete(full + "-wal");
            File.Delete(full + "-shm");
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            File.Delete(temp + "-wal");
            File.Delete(temp + "-shm");
            throw;
        }

        return plan.Report;
    }

    /// <summary>Whether the file is empty, or a catalogue with no file, list or tape.</summary>
    /// <param name="path">An existing file.</param>
    /// <returns><see langword="false"/> for a catalogue with rows, and for anything that is not a catalogue.</returns>
    internal static bool IsEmptyCatalog(string path)
    {
        if (new FileInfo(path).Length == 0)
        {
            return true;
        }

        try
        {
            using SqliteHsmStore store = CliHsmStores.OpenReadOnly(path);
            return CliHsmStores.Sync(HasNoRowsAsync(store.Catalog));
        }
        catch (Exception e) when (e is CliInvalidInputException or IOException or TapeKit.Hsm.HsmException)
        {
            return false;
        }
    }

    private static async ValueTask<bool> HasNoRowsAsync(SqliteCatalog catalog)
    {
        await using ICatalogTransaction txn = await catalog.BeginAsync();
        return (await txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true, Limit = 1 })).Count == 0
            && (await txn.QueryTapesAsync()).Count == 0
            && (await txn.QueryListsAsync(new ListQuery())).Count == 0;
    }

    private static ScannedTape Scan(CliConsole console, string tape, CliProgress progress)
    {
        using ITapeDrive drive = progress.Counting(CliTapes.Open(console, tape, null));
        VirtualCartridgeInfo info = VirtualCartridge.ReadInfo(tape);
        AulVolume volume = AulVolume.Mount(drive, info.Vsn, LabelReadMode.Strict);
        var files = new List<ScannedFile>();
        progress.Show($"Scanning {volume.Vsn}", null, () =>
        {
            foreach (TapeFileInfo file in volume.Scan(withMembers: true, onFile: progress.Listed))
            {
                // A plain file's Adler-32 is on no label: read the file once to learn it.
                uint? adler = file.Payload == PayloadKind.Opaque ? volume.ReadFile(file.FileSequence, file.FileId, null, file.CtaBlockId).Adler32 : null;
                files.Add(new ScannedFile(file, adler));
            }
        });
        return new ScannedTape(volume.Vsn, info.MediaProfile, (long)Math.Min(info.Capacity, long.MaxValue), files);
    }

    private static long? ValidId(ulong id) => id is > 0 and <= long.MaxValue ? (long)id : null;

    private static DateTimeOffset? WrittenAt(TapeFileInfo file) =>
        file.Headers?.Label1.CreationDate is { HasValue: true } date ? new DateTimeOffset(date.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;

    private sealed record ScannedTape(string Vsn, string MediaType, long Capacity, IReadOnlyList<ScannedFile> Files);

    private sealed record ScannedFile(TapeFileInfo Info, uint? OpaqueAdler32);

    /// <summary>Who a tape occurrence is: a file id, or (without one) name, size and checksums.</summary>
    private readonly record struct Identity(long FileId, string Name, long Size, uint Adler32, ulong? XxHash3);

    /// <summary>One member of one tape file.</summary>
    private sealed class Occurrence
    {
        public required Identity Identity { get; init; }

        public required AggregationPlan Aggregation { get; init; }

        public required int Index { get; init; }

        public required string Name { get; init; }

        public required long Size { get; init; }

        public required uint Adler32 { get; init; }

        public ulong? XxHash3 { get; init; }

        public ulong? XxHash64 { get; init; }

        public long PayloadOffset { get; init; }

        public long BlockIndex { get; init; }

        public int OffsetInBlock { get; init; }

        public long BlockCount { get; init; }

        public bool Kept { get; set; } = true;

        public int CopyRank { get; set; }

        public long FileId { get; set; }

        public string Where => string.Create(CultureInfo.InvariantCulture, $"tape {Aggregation.Tape.Vsn} fseq {Aggregation.File.Info.FileSequence}");

        public bool SameContent(Occurrence other) =>
            Size == other.Size && Adler32 == other.Adler32 && (XxHash3 is null || other.XxHash3 is null || XxHash3 == other.XxHash3);
    }

    /// <summary>One tape file, as the aggregation it becomes.</summary>
    private sealed class AggregationPlan
    {
        public required int TapeIndex { get; init; }

        public required ScannedTape Tape { get; init; }

        public required ScannedFile File { get; init; }

        public required HsmFormat Format { get; init; }

        public List<Occurrence> Members { get; } = [];

        public long AggregationId { get; set; }

        public long PayloadBytes => Format == HsmFormat.None ? File.Info.DataBytes : Members.Sum(m => m.Size);

        public int CopyNb => Members.Where(m => m.Kept).Select(m => m.CopyRank).DefaultIfEmpty(1).Max();

        public AggregationState State => Members.Count == 0 || Members.Any(m => m.Kept) ? AggregationState.OnTape : AggregationState.Retired;
    }

    private sealed class RebuildPlan
    {
        private readonly List<ScannedTape> _tapes;
        private readonly List<AggregationPlan> _aggregations = [];
        private readonly List<(Occurrence Winner, List<Occurrence> Copies)> _files = [];
        private readonly RebuildOptions _options;
        private readonly List<string> _conflicts = [];
        private readonly List<string> _skipped = [];

        private RebuildPlan(List<ScannedTape> tapes, RebuildOptions options)
        {
            _tapes = tapes;
            _options = options;
        }

        public RebuildReport Report => new(
            _tapes.Count,
            _tapes.Sum(t => t.Files.Count),
            _aggregations.Where(a => a.Format != HsmFormat.None).Sum(a => a.Members.Count),
            _files.Count,
            _aggregations.Count(a => a.State == AggregationState.Retired),
            _conflicts,
            _skipped);

        public static RebuildPlan Of(List<ScannedTape> tapes, RebuildOptions options)
        {
            var plan = new RebuildPlan(tapes, options);
            plan.Collect();
            plan.Resolve();
            return plan;
        }

        private void Collect()
        {
            for (int t = 0; t < _tapes.Count; t++)
            {
                foreach (ScannedFile file in _tapes[t].Files)
                {
                    TapeFileInfo info = file.Info;
                    HsmFormat? format = info.Payload switch
                    {
                        PayloadKind.Opaque => HsmFormat.None,
                        PayloadKind.Il => HsmFormat.Il,
                        PayloadKind.Tar => HsmFormat.Tar,
                        _ => null,
                    };
                    if (format is not { } f)
                    {
                        _skipped.Add(string.Create(CultureInfo.InvariantCulture, $"tape {_tapes[t].Vsn} fseq {info.FileSequence}: a CTA placeholder, not rebuilt."));
                        continue;
                    }

                    var aggregation = new AggregationPlan { TapeIndex = t, Tape = _tapes[t], File = file, Format = f };
                    _aggregations.Add(aggregation);
                    if (f == HsmFormat.None)
                    {
                        uint adler = file.OpaqueAdler32!.Value;
                        aggregation.Members.Add(new Occurrence
                        {
                            Identity = ValidId(info.FileId) is { } known ? new Identity(known, string.Empty, 0, 0, null) : new Identity(0, string.Empty, info.DataBytes, adler, null),
                            Aggregation = aggregation,
                            Index = 0,
                            Name = string.Empty,
                            Size = info.DataBytes,
                            Adler32 = adler,
                            BlockCount = info.DataBlocks,
                        });
                        continue;
                    }

                    TapeMember[] members = [.. info.Members.OrderBy(m => m.HeaderOffset)];
                    for (int i = 0; i < members.Length; i++)
                    {
                        TapeMember m = members[i];
                        long end = f == HsmFormat.Il
                            ? (i + 1 < members.Length ? members[i + 1].HeaderOffset : info.DataBlocks * info.BlockSize)
                            : (m.PayloadOffset + m.Size + 511) / 512 * 512;
                        long lastBlock = Math.Max(m.BlockIndex, (end - 1) / info.BlockSize);
                        long? id = ValidId(m.FileId);
                        aggregation.Members.Add(new Occurrence
                        {
                            Identity = id is { } known ? new Identity(known, string.Empty, 0, 0, null) : new Identity(0, m.Name, m.Size, m.Digest.Adler32, m.Digest.XxHash3),
                            Aggregation = aggregation,
                            Index = i,
                            Name = m.Name,
                            Size = m.Size,
                            Adler32 = m.Digest.Adler32,
                            XxHash3 = m.Digest.XxHash3,
                            XxHash64 = m.Digest.XxHash64,
                            PayloadOffset = m.PayloadOffset,
                            BlockIndex = m.BlockIndex,
                            OffsetInBlock = m.OffsetInBlock,
                            BlockCount = lastBlock - m.BlockIndex + 1,
                        });
                    }
                }
            }
        }

        private void Resolve()
        {
            // Aggregation ids: the HDR1 id of an ALB file when free, else a new one.
            var aggregationIds = new HashSet<long>();
            foreach (AggregationPlan a in _aggregations.Where(a => a.Format != HsmFormat.None))
            {
                if (ValidId(a.File.Info.FileId) is { } id && aggregationIds.Add(id))
                {
                    a.AggregationId = id;
                }
            }

            long nextAggregation = 0;
            foreach (AggregationPlan a in _aggregations.Where(a => a.AggregationId == 0))
            {
                while (!aggregationIds.Add(++nextAggregation))
                {
                }

                a.AggregationId = nextAggregation;
            }

            // Files: occurrences grouped by identity in scan order; the last write wins.
            var groups = new Dictionary<Identity, List<Occurrence>>();
            var order = new List<Identity>();
            foreach (Occurrence o in _aggregations.SelectMany(a => a.Members))
            {
                if (!groups.TryGetValue(o.Identity, out List<Occurrence>? list))
                {
                    groups[o.Identity] = list = [];
                    order.Add(o.Identity);
                }

                list.Add(o);
            }

            var fileIds = new HashSet<long>(order.Where(i => i.FileId != 0).Select(i => i.FileId));
            long nextFile = 0;
            foreach (Identity identity in order)
            {
                List<Occurrence> all = groups[identity];
                Occurrence winner = all[^1];
                long fileId = identity.FileId;
                if (fileId == 0)
                {
                    while (!fileIds.Add(++nextFile))
                    {
                    }

                    fileId = nextFile;
                }

                var copies = new List<Occurrence>();
                foreach (Occurrence o in all)
                {
                    o.FileId = fileId;
                    if (!o.SameContent(winner))
                    {
                        Drop(o, $"file {fileId}: the copy on {o.Where} ({o.Size} bytes, adler32 {ChecksumText.Adler32Hex(o.Adler32)}) differs from the later one on {winner.Where}; the later write wins.");
                    }
                    else if (all.LastOrDefault(later => later.Aggregation.TapeIndex == o.Aggregation.TapeIndex && later.SameContent(winner)) is { } last && last != o)
                    {
                        Drop(o, $"file {fileId} is written twice on tape {o.Aggregation.Tape.Vsn} (fseq {o.Aggregation.File.Info.FileSequence} and {last.Aggregation.File.Info.FileSequence}); the later write wins.");
                    }
                    else
                    {
                        o.CopyRank = copies.Count + 1;
                        copies.Add(o);
                    }
                }

                _files.Add((winner, copies));
            }
        }

        private void Drop(Occurrence o, string conflict)
        {
            o.Kept = false;
            _conflicts.Add(conflict);
        }

        public async ValueTask WriteAsync(SqliteCatalog catalog)
        {
            await using ICatalogTransaction txn = await catalog.BeginAsync();
            DateTimeOffset now = txn.Now;
            foreach (ScannedTape tape in _tapes)
            {
                List<AggregationPlan> mine = [.. _aggregations.Where(a => a.Tape == tape)];
                await txn.InsertTapeAsync(new TapeRecord
                {
                    Vsn = tape.Vsn,
                    MediaType = tape.MediaType,
                    Pool = _options.Pool,
                    State = TapeState.Filling,
                    LabelFormat = "AUL",
                    BlockSize = tape.Files.Count == 0 ? BlockSizes.Default : tape.Files.GroupBy(f => f.Info.BlockSize).OrderByDescending(g => g.Count()).First().Key,
                    LastFseq = tape.Files.Count,
                    BytesUsed = mine.Sum(a => a.PayloadBytes),
                    CapacityEstimate = tape.Capacity,
                });
            }

            // Files before the members that name them.
            foreach ((Occurrence winner, List<Occurrence> copies) in _files)
            {
                int copyCount = Math.Max(1, copies.Select(c => c.Aggregation.CopyNb).Distinct().Count());
                HsmFormat format = winner.Aggregation.Format;
                DateTimeOffset? written = copies.Select(c => WrittenAt(c.Aggregation.File.Info)).Max();
                var checksums = new List<Checksum> { new("adler32", ChecksumText.Adler32Hex(winner.Adler32)) };
                if (winner.XxHash3 is { } xxh3)
                {
                    checksums.Add(new Checksum("xxh3", ChecksumText.Hash64Hex(xxh3)));
                }

                if (winner.XxHash64 is { } xxh64)
                {
                    checksums.Add(new Checksum("xxh64", ChecksumText.Hash64Hex(xxh64)));
                }

                string id = winner.FileId.ToString(CultureInfo.InvariantCulture);
                await txn.InsertFileAsync(new FileRecord
                {
                    FileId = winner.FileId,
                    NamespacePath = winner.Name,
                    Size = winner.Size,
                    Checksums = [.. checksums],
                    Attributes = new HsmFileAttributes { Size = winner.Size },
                    Decision = new PolicyDecision(RuleName, $"{RuleName}|{_options.Pool}", _options.DiskLibrary,
                        format == HsmFormat.None ? ArchiveStrategy.Direct : ArchiveStrategy.Aggregate, format, ListLimits.Default,
                        _options.Pool, copyCount, RequestPriority.Normal, 0),
                    CacheStatus = CacheStatus.Purged,
                    ArchiveStatus = ArchiveStatus.Archived,
                    CreatedAt = copies.Select(c => WrittenAt(c.Aggregation.File.Info)).Min() ?? now,
                    ArchivedAt = written ?? now,
                });
                string where = $"{Reason}: {string.Join(", ", copies.Select(c => c.Where))}";
                await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.FileCacheEntity, id, null, StateNames.Of(CacheStatus.Purged), "rebuild", HsmActor.Operator, where, now));
                await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.FileArchiveEntity, id, null, StateNames.Of(ArchiveStatus.Archived), "rebuild", HsmActor.Operator, where, now));
            }

            foreach (AggregationPlan a in _aggregations)
            {
                TapeFileInfo info = a.File.Info;
                List<Occurrence> kept = [.. a.Members.Where(m => m.Kept)];
                await txn.InsertAggregationAsync(new AggregationRecord
                {
                    AggregationId = a.AggregationId,
                    ListId = Guid.Empty,
                    Attempt = 0,
                    CopyNb = a.CopyNb,
                    Format = a.Format,
                    State = a.State,
                    MemberCount = a.Members.Count,
                    ActiveMemberCount = kept.Count,
                    PayloadBytes = a.PayloadBytes,
                    TapeFile = new TapeFileLocator(a.Tape.Vsn, (int)info.FileSequence, info.FirstDataObjectId),
                    BlockCount = info.DataBlocks,
                    CreatedAt = now,
                    WrittenAt = WrittenAt(info),
                });
                await txn.AddAggregationMembersAsync([.. kept.Select(m => new HsmMember(a.AggregationId, m.Index, m.FileId, m.PayloadOffset, m.BlockIndex, m.OffsetInBlock, m.BlockCount))]);
                await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.AggregationEntity, a.AggregationId.ToString(CultureInfo.InvariantCulture), null,
                    StateNames.Of(a.State), "rebuild", HsmActor.Operator, string.Create(CultureInfo.InvariantCulture, $"{Reason}: tape {a.Tape.Vsn} fseq {info.FileSequence}"), now));
            }

            await txn.CommitAsync();
        }
    }
}

/// <summary>What a rebuild into SQLite is told that tapes cannot say.</summary>
/// <param name="Pool">The tape pool of the tapes and of the files' decisions.</param>
/// <param name="DiskLibrary">The home disk library of the rebuilt files.</param>
/// <param name="Force">Replace a catalogue file that is not empty.</param>
public sealed record RebuildOptions(string Pool, string DiskLibrary, bool Force);

/// <summary>What a rebuild found.</summary>
/// <param name="Tapes">Tapes scanned.</param>
/// <param name="TapeFiles">Tape files found.</param>
/// <param name="Members">Members of IL and tar tape files.</param>
/// <param name="Files">Catalogue files written.</param>
/// <param name="RetiredAggregations">Tape files whose every member was superseded by a later write.</param>
/// <param name="Conflicts">One sentence per occurrence left out: same file twice on a tape, or different contents.</param>
/// <param name="Skipped">One sentence per tape file not rebuilt.</param>
public sealed record RebuildReport(int Tapes, int TapeFiles, int Members, int Files, int RetiredAggregations, IReadOnlyList<string> Conflicts, IReadOnlyList<string> Skipped);

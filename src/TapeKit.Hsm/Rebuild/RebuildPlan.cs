using System.Globalization;
using TapeKit.Checksums;
using TapeKit.Hsm.Model;
using TapeKit.Layout;
using TapeMember = TapeKit.Aggregation.AggregationMember;

namespace TapeKit.Hsm.Rebuild;

/// <summary>
/// The catalogue rows that scanned tapes imply (docs/hsm/overview.md#rebuilding-the-catalogue-from-tapes), decided before anything is written: aggregation and
/// file ids, which occurrence of a file is a copy and which a superseded write, and what the rebuild reports.
/// </summary>
/// <remarks>
/// <para>Identity: a member's file id (IL <c>FILE_NS_ID</c>, tar manifest <c>fileId</c>; the HDR1 file id of a plain
/// file) is its catalogue file id. A member without one (id 0, or above 2⁶³−1) is identified by name, size and
/// checksums. Aggregations keep their HDR1 id when it is free, else get a new one.</para>
/// <para>Copies: occurrences of one file on different tapes are copies, numbered by tape order (format v1 records no
/// copy number); of two on the same tape, or of two with different contents, the later write wins and the other is
/// left out (no member row), reported as a conflict; an aggregation left with no member is <c>RETIRED</c>.</para>
/// </remarks>
public sealed partial class RebuildPlan
{
    private readonly IReadOnlyList<ScannedTape> _tapes;
    private readonly List<RebuildAggregation> _aggregations = [];
    private readonly List<(RebuildOccurrence Winner, List<RebuildOccurrence> Copies)> _files = [];
    private readonly RebuildOptions _options;
    private readonly List<string> _conflicts = [];
    private readonly List<string> _skipped = [];

    private RebuildPlan(IReadOnlyList<ScannedTape> tapes, RebuildOptions options)
    {
        _tapes = tapes;
        _options = options;
    }

    /// <summary>The counts and what was reported.</summary>
    public RebuildReport Report => new(
        _tapes.Count,
        _tapes.Sum(t => t.Files.Count),
        _aggregations.Where(a => a.Format != AggregationPayloadFormat.None).Sum(a => a.Members.Count),
        _files.Count,
        _aggregations.Count(a => a.State == AggregationState.Retired),
        _conflicts,
        _skipped);

    /// <summary>Plans the rows of the scanned tapes.</summary>
    /// <param name="tapes">The scanned tapes, in the order their copies are numbered.</param>
    /// <param name="options">Pool and disk library.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">A volume is given twice.</exception>
    public static RebuildPlan Of(IReadOnlyList<ScannedTape> tapes, RebuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(tapes);
        ArgumentNullException.ThrowIfNull(options);
        if (tapes.GroupBy(t => t.Vsn, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Volume {twice.Key} is given twice.", nameof(tapes));
        }

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
                AggregationPayloadFormat? format = info.Payload switch
                {
                    PayloadKind.Opaque => AggregationPayloadFormat.None,
                    PayloadKind.Il => AggregationPayloadFormat.Il,
                    PayloadKind.Tar => AggregationPayloadFormat.Tar,
                    _ => null,
                };
                if (format is not { } f)
                {
                    _skipped.Add(string.Create(CultureInfo.InvariantCulture, $"tape {_tapes[t].Vsn} fseq {info.FileSequence}: a CTA placeholder, not rebuilt."));
                    continue;
                }

                var aggregation = new RebuildAggregation { TapeIndex = t, Tape = _tapes[t], File = file, Format = f };
                _aggregations.Add(aggregation);
                if (f == AggregationPayloadFormat.None)
                {
                    uint adler = file.OpaqueAdler32!.Value;
                    aggregation.Members.Add(new RebuildOccurrence
                    {
                        Identity = ValidId(info.FileId) is { } known ? new RebuildIdentity(known, string.Empty, 0, 0, null) : new RebuildIdentity(0, string.Empty, info.DataBytes, adler, null),
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
                    long end = f == AggregationPayloadFormat.Il
                        ? (i + 1 < members.Length ? members[i + 1].HeaderOffset : info.DataBlocks * info.BlockSize)
                        : (m.PayloadOffset + m.Size + 511) / 512 * 512;
                    long lastBlock = Math.Max(m.BlockIndex, (end - 1) / info.BlockSize);
                    long? id = ValidId(m.FileId);
                    aggregation.Members.Add(new RebuildOccurrence
                    {
                        Identity = id is { } known ? new RebuildIdentity(known, string.Empty, 0, 0, null) : new RebuildIdentity(0, m.Name, m.Size, m.Digest.Adler32, m.Digest.XxHash3),
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
        foreach (RebuildAggregation a in _aggregations.Where(a => a.Format != AggregationPayloadFormat.None))
        {
            if (ValidId(a.File.Info.FileId) is { } id && aggregationIds.Add(id))
            {
                a.AggregationId = id;
            }
        }

        long nextAggregation = 0;
        foreach (RebuildAggregation a in _aggregations.Where(a => a.AggregationId == 0))
        {
            while (!aggregationIds.Add(++nextAggregation))
            {
            }

            a.AggregationId = nextAggregation;
        }

        // Files: occurrences grouped by identity in scan order; the last write wins.
        var groups = new Dictionary<RebuildIdentity, List<RebuildOccurrence>>();
        var order = new List<RebuildIdentity>();
        foreach (RebuildOccurrence o in _aggregations.SelectMany(a => a.Members))
        {
            if (!groups.TryGetValue(o.Identity, out List<RebuildOccurrence>? list))
            {
                groups[o.Identity] = list = [];
                order.Add(o.Identity);
            }

            list.Add(o);
        }

        var fileIds = new HashSet<long>(order.Where(i => i.FileId != 0).Select(i => i.FileId));
        long nextFile = 0;
        foreach (RebuildIdentity identity in order)
        {
            List<RebuildOccurrence> all = groups[identity];
            RebuildOccurrence winner = all[^1];
            long fileId = identity.FileId;
            if (fileId == 0)
            {
                while (!fileIds.Add(++nextFile))
                {
                }

                fileId = nextFile;
            }

            var copies = new List<RebuildOccurrence>();
            foreach (RebuildOccurrence o in all)
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

    private void Drop(RebuildOccurrence o, string conflict)
    {
        o.Kept = false;
        _conflicts.Add(conflict);
    }

    private static long? ValidId(ulong id) => id is > 0 and <= long.MaxValue ? (long)id : null;
}

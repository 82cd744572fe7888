using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;
using TapeKit.Layout;

namespace TapeKit.Hsm.Rebuild;

/// <content>Writing the plan through a catalogue transaction.</content>
public sealed partial class RebuildPlan
{
    /// <summary>
    /// Inserts the plan's tapes, files, aggregations, members and audit transitions in <paramref name="txn"/>; the
    /// caller commits. What tapes cannot tell is filled in plainly: rule <see cref="CatalogRebuild.RuleName"/>, policy
    /// version 0, key <c>rebuilt|POOL</c>, the options' disk library and pool, as many copies as were found; tapes are
    /// <c>FILLING</c> with <c>lastFseq</c> = their number of files.
    /// </summary>
    /// <param name="txn">An open transaction on a catalogue without these rows.</param>
    /// <returns>When every row is inserted.</returns>
    public async ValueTask WriteAsync(ICatalogTransaction txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        DateTimeOffset now = txn.Now;
        foreach (ScannedTape tape in _tapes)
        {
            List<RebuildAggregation> mine = [.. _aggregations.Where(a => a.Tape == tape)];
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
        foreach ((RebuildOccurrence winner, List<RebuildOccurrence> copies) in _files)
        {
            int copyCount = Math.Max(1, copies.Select(c => c.Aggregation.CopyNb).Distinct().Count());
            AggregationPayloadFormat format = winner.Aggregation.Format;
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
                Decision = new PolicyDecision(CatalogRebuild.RuleName, $"{CatalogRebuild.RuleName}|{_options.Pool}", _options.DiskLibrary,
                    format == AggregationPayloadFormat.None ? ArchiveStrategy.Direct : ArchiveStrategy.Aggregate, format, ListLimits.Default,
                    _options.Pool, copyCount, RequestPriority.Normal, 0),
                CacheStatus = CacheStatus.Purged,
                ArchiveStatus = ArchiveStatus.Archived,
                CreatedAt = copies.Select(c => WrittenAt(c.Aggregation.File.Info)).Min() ?? now,
                ArchivedAt = written ?? now,
            });
            string where = $"{CatalogRebuild.Reason}: {string.Join(", ", copies.Select(c => c.Where))}";
            await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.FileCacheEntity, id, null, StateNames.Of(CacheStatus.Purged), "rebuild", HsmActor.Operator, where, now));
            await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.FileArchiveEntity, id, null, StateNames.Of(ArchiveStatus.Archived), "rebuild", HsmActor.Operator, where, now));
        }

        foreach (RebuildAggregation a in _aggregations)
        {
            TapeFileInfo info = a.File.Info;
            List<RebuildOccurrence> kept = [.. a.Members.Where(m => m.Kept)];
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
            await txn.AddAggregationMembersAsync([.. kept.Select(m => new AggregationMemberRecord(a.AggregationId, m.Index, m.FileId, m.PayloadOffset, m.BlockIndex, m.OffsetInBlock, m.BlockCount))]);
            await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.AggregationEntity, a.AggregationId.ToString(CultureInfo.InvariantCulture), null,
                StateNames.Of(a.State), "rebuild", HsmActor.Operator, string.Create(CultureInfo.InvariantCulture, $"{CatalogRebuild.Reason}: tape {a.Tape.Vsn} fseq {info.FileSequence}"), now));
        }
    }

    private static DateTimeOffset? WrittenAt(TapeFileInfo file) =>
        file.Headers?.Label1.CreationDate is { HasValue: true } date ? new DateTimeOffset(date.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
}
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// Which files have a tape copy: the copy of last resort of a replicated file. The planner asks only about files that
/// have no alive disk copy on an online node.
/// </summary>
public interface ITapeCopyIndex
{
    /// <summary>The files of <paramref name="fileIds"/> that have a readable tape copy.</summary>
    /// <param name="fileIds">The files.</param>
    /// <param name="ct">Cancels the look-up.</param>
    ValueTask<IReadOnlySet<long>> FilesOnTapeAsync(IReadOnlyList<long> fileIds, CancellationToken ct = default);
}

/// <summary>
/// Tape copies from the catalogue: a file has one when an aggregation holding it is <see cref="AggregationState.OnTape"/>
/// (its segment was written, synced and committed) — the same rule the purger trusts.
/// </summary>
/// <param name="catalog">The catalogue whose file ids the replica store shares.</param>
public sealed class CatalogTapeCopyIndex(ICatalog catalog) : ITapeCopyIndex
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlySet<long>> FilesOnTapeAsync(IReadOnlyList<long> fileIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var found = new HashSet<long>();
        if (fileIds.Count == 0)
        {
            return found;
        }

        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        foreach (long id in fileIds.Distinct())
        {
            if ((await txn.GetCopiesOfFileAsync(id)).Any(c => c.Aggregation.State == AggregationState.OnTape))
            {
                found.Add(id);
            }
        }

        return found;
    }
}

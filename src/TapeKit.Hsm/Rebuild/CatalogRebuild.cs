using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Rebuild;

/// <summary>
/// The tape side of an HSM catalogue rebuilt from cartridges alone (docs/hsm/overview.md#rebuilding-the-catalogue-from-tapes), into any <see cref="ICatalog"/>:
/// <c>tapes</c> from VOL1, one aggregation per tape file (<c>ON_TAPE</c>, with its tape file locator; format <c>NONE</c>
/// for a plain AUL file), members with the locators recomputed from the container, and files <c>ARCHIVED</c> /
/// <c>PURGED</c> with the checksums the tape records. Every row gets an audit transition by the operator with reason
/// <c>rebuilt from tapes</c>; a CTA placeholder file is reported and skipped.
/// </summary>
/// <remarks>
/// The host scans its tapes (<see cref="TapeScanner"/>, over drives it opens) and chooses the store; this class only
/// plans (<see cref="RebuildPlan"/>) and writes, all in one transaction so a failed rebuild leaves no half catalogue.
/// </remarks>
public static class CatalogRebuild
{
    /// <summary>The rule name of every rebuilt decision: the flag that marks a file as rebuilt.</summary>
    public const string RuleName = "rebuilt";

    /// <summary>The reason of every audit transition a rebuild writes.</summary>
    public const string Reason = "rebuilt from tapes";

    /// <summary>Plans the scanned tapes and writes them into an empty catalogue, committing once.</summary>
    /// <param name="catalog">The catalogue to fill; it must have no file, list or tape.</param>
    /// <param name="tapes">The scanned tapes, in the order their copies are numbered.</param>
    /// <param name="options">Pool and disk library.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The counts and what was reported.</returns>
    /// <exception cref="ArgumentException">A volume is given twice.</exception>
    /// <exception cref="UnsafeOperationException">The catalogue is not empty: a rebuild never merges into existing rows.</exception>
    /// <exception cref="HsmException">The store failed.</exception>
    public static async Task<RebuildReport> RunAsync(ICatalog catalog, IReadOnlyList<ScannedTape> tapes, RebuildOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        RebuildPlan plan = RebuildPlan.Of(tapes, options);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        if (!await HasNoRowsAsync(txn))
        {
            throw new UnsafeOperationException("The catalogue is not empty; a rebuild from tapes writes only into an empty one.", "catalogue");
        }

        await plan.WriteAsync(txn);
        await txn.CommitAsync(ct);
        return plan.Report;
    }

    /// <summary>Whether the catalogue has no file (deleted ones included), list or tape.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="true"/> when a rebuild may write into it.</returns>
    public static async Task<bool> IsEmptyAsync(ICatalog catalog, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        return await HasNoRowsAsync(txn);
    }

    private static async ValueTask<bool> HasNoRowsAsync(ICatalogTransaction txn) =>
        (await txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true, Limit = 1 })).Count == 0
        && (await txn.QueryTapesAsync()).Count == 0
        && (await txn.QueryListsAsync(new ListQuery())).Count == 0;
}

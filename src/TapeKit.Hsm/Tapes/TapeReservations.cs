using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// A tape's reservation in the catalogue (<c>mountedBy</c>, <c>mountLeaseUntil</c>): who may take it, and how a reservation
/// left by a holder that is gone is given back — only after the tape files it left in flight are accounted for.
/// </summary>
internal static class TapeReservations
{
    /// <summary>
    /// Whether <paramref name="worker"/> may reserve the tape: nobody holds it, the worker does, the mount lease passed, or
    /// the holder's instance has restarted since (fenced by epoch).
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="tape">The tape row.</param>
    /// <param name="worker">The worker asking.</param>
    public static async ValueTask<bool> IsFreeForAsync(this ICatalogTransaction txn, TapeRecord tape, string worker)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(tape);
        return tape.MountedBy is null || tape.MountedBy == worker || tape.MountLeaseUntil < txn.Now || await txn.IsFencedAsync(tape.MountedBy);
    }

    /// <summary>
    /// Whoever left tape files in flight after the tape's <c>lastFseq</c> lost the tape: those files will be overwritten by
    /// the next append, so their aggregations become <c>FAILED</c> (docs/hsm/overview.md#the-archive-commit, a crash after steps 3–5). Returns how many.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="tape">The tape row.</param>
    /// <param name="actor">Who accounts for them.</param>
    public static async ValueTask<int> FailAbandonedAsync(this ICatalogTransaction txn, TapeRecord tape, HsmActor actor)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(tape);
        int failed = 0;
        foreach (AggregationRecord abandoned in (await txn.GetAggregationsOnTapeAsync(tape.Vsn)).Where(a => a.IsInFlight && a.TapeFile!.Value.Fseq > tape.LastFseq))
        {
            failed += await txn.TryMoveAggregationAsync(abandoned.AggregationId, abandoned.State, AggregationEvent.Failed, actor,
                "abandoned after the tape's last committed file", a => a with { FailureReason = "Abandoned" }) is null ? 0 : 1;
        }

        return failed;
    }

    /// <summary>
    /// Start-up recovery: every reservation held by a replaced incarnation (fenced by epoch) is released, each after its
    /// in-flight tape files were failed, in one transaction per tape. Returns the tapes released.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<IReadOnlyList<string>> ReleaseFencedAsync(ICatalog catalog, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        IReadOnlyList<TapeRecord> held = await catalog.ReadAsync(async txn => (IReadOnlyList<TapeRecord>)[.. (await txn.QueryTapesAsync()).Where(t => t.MountedBy is not null)], ct);
        var released = new List<string>();
        foreach (TapeRecord snapshot in held)
        {
            await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
            if (await txn.GetTapeAsync(snapshot.Vsn) is not { MountedBy: { } holder } tape || !await txn.IsFencedAsync(holder))
            {
                continue;
            }

            _ = await txn.FailAbandonedAsync(tape, HsmActor.Sweeper);
            _ = await txn.UpdateTapeAsync(tape with { MountedBy = null, MountLeaseUntil = null });
            await txn.CommitAsync(ct);
            released.Add(tape.Vsn);
        }

        return released;
    }
}

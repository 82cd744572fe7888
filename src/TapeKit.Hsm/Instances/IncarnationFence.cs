using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Instances;

/// <summary>
/// The epoch fence: a worker whose instance has started again since (a higher epoch in the catalogue) is dead. Its
/// work may be taken back at once, without waiting for its leases, and it may commit nothing any more.
/// </summary>
internal static class IncarnationFence
{
    /// <summary>
    /// Whether <paramref name="workerId"/> belongs to an incarnation the catalogue has replaced. Ids that are not
    /// incarnation ids (fixed ids) are never fenced by epoch: only their leases expire.
    /// </summary>
    /// <param name="txn">The transaction (the decision holds within it).</param>
    /// <param name="workerId">A list owner, mount holder or queue lease owner; <see langword="null"/> is not fenced.</param>
    public static async ValueTask<bool> IsFencedAsync(this ICatalogTransaction txn, string? workerId)
    {
        ArgumentNullException.ThrowIfNull(txn);
        return InstanceIncarnation.TryParse(workerId, out string name, out long epoch)
            && await txn.GetInstanceEpochAsync(name) > epoch;
    }
}

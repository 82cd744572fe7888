using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Hsm.Instances;

/// <summary>What <see cref="InstanceStartup.RecoverAsync"/> gave back of the earlier incarnations' work.</summary>
/// <param name="MessagesReleased">Queue messages they had leased, visible again.</param>
/// <param name="TapesReleased">Tapes they had reserved, released after their in-flight tape files were failed.</param>
public sealed record InstanceRecoveryReport(int MessagesReleased, IReadOnlyList<string> TapesReleased);

/// <summary>
/// The start of a process instance: a new epoch in the catalogue, then — before any worker of the new incarnation runs —
/// the earlier incarnations' queue leases and tape reservations are given back at once instead of after their leases.
/// Their <c>ACTIVE</c> lists are re-queued by the dispatcher's timers, which take back work of fenced owners without
/// waiting for the start-up grace (<see cref="IncarnationFence"/>).
/// </summary>
public static class InstanceStartup
{
    /// <summary>Starts a new incarnation of <paramref name="instanceName"/>: its epoch grows by one, durably.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="instanceName">The stable instance name (e.g. <c>host/role</c>).</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<InstanceIncarnation> BeginAsync(ICatalog catalog, string instanceName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(instanceName);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        long epoch = await txn.AdvanceInstanceEpochAsync(instanceName);
        await txn.CommitAsync(ct);
        return new InstanceIncarnation(instanceName, epoch);
    }

    /// <summary>Releases the queue leases and tape reservations the earlier incarnations of <paramref name="incarnation"/> left.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="bus">The bus.</param>
    /// <param name="incarnation">This incarnation.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<InstanceRecoveryReport> RecoverAsync(ICatalog catalog, IMessageBus bus, InstanceIncarnation incarnation, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(incarnation);
        int messages = await bus.ReleaseLeasesAsync(incarnation.IsEarlierIncarnation, ct);
        IReadOnlyList<string> tapes = await TapeReservations.ReleaseFencedAsync(catalog, ct);
        return new InstanceRecoveryReport(messages, tapes);
    }
}

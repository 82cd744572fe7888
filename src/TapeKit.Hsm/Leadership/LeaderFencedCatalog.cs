using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Leadership;

/// <summary>
/// The catalogue as a leader sees it: every transaction checks, just before it commits and inside it, that the leader's
/// term is still the election's latest (<see cref="LeaderCampaign.EnsureLeaderAsync"/>); otherwise it is rolled back
/// with <see cref="LeadershipLostException"/>. A leader that lost its term without noticing (a broken session, a long
/// pause) thus changes nothing once another leader was elected. The outbox calls pass through: relaying is not a
/// leader's privilege.
/// </summary>
public sealed class LeaderFencedCatalog : ICatalog
{
    private readonly ICatalog _inner;
    private readonly LeaderCampaign _campaign;

    /// <summary>Fences <paramref name="inner"/> with <paramref name="campaign"/>'s term.</summary>
    /// <param name="inner">The catalogue (the one that holds the election's epochs).</param>
    /// <param name="campaign">The leader's campaign.</param>
    public LeaderFencedCatalog(ICatalog inner, LeaderCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(campaign);
        _inner = inner;
        _campaign = campaign;
    }

    /// <inheritdoc />
    public TimeProvider Time => _inner.Time;

    /// <inheritdoc />
    public async ValueTask<ICatalogTransaction> BeginAsync(CancellationToken ct = default) =>
        new LeaderFencedTransaction(await _inner.BeginAsync(ct), _campaign);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken ct = default) => _inner.ReadOutboxAsync(max, ct);

    /// <inheritdoc />
    public ValueTask MarkOutboxSentAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default) => _inner.MarkOutboxSentAsync(sequences, ct);
}

using System.Collections.Concurrent;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// A consumer's inbox for the kit's volume and de-duplication tests: the first delivery of a message id has its effect,
/// later ones are recognised as duplicates. Safe for competing consumers.
/// </summary>
internal sealed class EffectLedger
{
    private readonly ConcurrentDictionary<Guid, int> _deliveries = new();
    private int _effects;

    /// <summary>How many messages had their effect.</summary>
    public int Effects => Volatile.Read(ref _effects);

    /// <summary>The ids that had their effect.</summary>
    public ICollection<Guid> Ids => _deliveries.Keys;

    /// <summary>Records a delivery; <see langword="true"/> when it is the first of its message, which then has its effect.</summary>
    /// <param name="messageId">The delivered message's id.</param>
    public bool Apply(Guid messageId)
    {
        if (_deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1) != 1)
        {
            return false;
        }

        Interlocked.Increment(ref _effects);
        return true;
    }
}

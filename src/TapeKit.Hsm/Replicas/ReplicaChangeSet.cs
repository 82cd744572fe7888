namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The replica changes of one transaction, checked against the machine as they are made and written together at the
/// end: new rows, updated rows (each conditional on the version read), and their audit rows. A row moved twice keeps
/// the version it was read with, so the write stays one compare-and-set on the stored row.
/// </summary>
internal sealed class ReplicaChangeSet(DateTimeOffset now)
{
    private readonly List<ReplicaRecord> _inserts = [];
    private readonly Dictionary<(long, string, string), int> _insertIndex = [];
    private readonly Dictionary<(long, string, string), int> _updateIndex = [];
    private readonly List<ReplicaRecord> _updates = [];
    private readonly List<ReplicaTransitionRecord> _audit = [];

    public DateTimeOffset Now { get; } = now;

    public int Count => _inserts.Count + _updates.Count;

    public IReadOnlyList<ReplicaTransitionRecord> Audit => _audit;

    /// <summary>P1: a new <see cref="ReplicaState.Creating"/> row.</summary>
    public ReplicaRecord Create(ReplicaRecord row, ReplicaActor actor, string reason)
    {
        ReplicaMachine.Check("P1", null, actor, $"{row.FileId}@{row.NodeId}");
        ReplicaRecord created = row with { State = ReplicaState.Creating, CreatedAt = Now, UpdatedAt = Now };
        _insertIndex[(row.FileId, row.NodeId, row.ReferenceId)] = _inserts.Count;
        _inserts.Add(created);
        _audit.Add(new ReplicaTransitionRecord(row.FileId, row.NodeId, row.TransferId, null, ReplicaState.Creating, "P1", actor, reason, Now));
        return created;
    }

    /// <summary>Moves a row by a rule; <paramref name="change"/> sets the fields the move changes besides the state.</summary>
    public ReplicaRecord Move(ReplicaRecord row, string rule, ReplicaActor actor, string? reason, Func<ReplicaRecord, ReplicaRecord>? change = null)
    {
        ReplicaRule r = ReplicaMachine.Check(rule, row.State, actor, $"{row.FileId}@{row.NodeId}");
        ReplicaRecord moved = row with
        {
            State = r.To,
            UpdatedAt = Now,
            Deadline = null,
        };
        moved = change?.Invoke(moved) ?? moved;
        Put(moved);
        _audit.Add(new ReplicaTransitionRecord(row.FileId, row.NodeId, moved.TransferId, row.State, r.To, rule, actor, reason, Now));
        return moved;
    }

    /// <summary>Changes fields of a row without a state change (no audit row).</summary>
    public ReplicaRecord Touch(ReplicaRecord row, Func<ReplicaRecord, ReplicaRecord> change)
    {
        ReplicaRecord changed = change(row) with { UpdatedAt = Now };
        Put(changed);
        return changed;
    }

    public async ValueTask FlushAsync(IReplicaTransaction txn)
    {
        // Updates first: a row deleted in this set frees its node for a new row of the same file (P13 then P1 from tape).
        if (_updates.Count > 0)
        {
            _ = await txn.UpdateReplicasAsync(_updates);
        }

        if (_inserts.Count > 0)
        {
            await txn.InsertReplicasAsync(_inserts);
        }

        if (_audit.Count > 0)
        {
            await txn.AddTransitionsAsync(_audit);
        }
    }

    private void Put(ReplicaRecord row)
    {
        var key = (row.FileId, row.NodeId, row.ReferenceId);
        if (_insertIndex.TryGetValue(key, out int inserted))
        {
            _inserts[inserted] = row;
        }
        else if (_updateIndex.TryGetValue(key, out int i))
        {
            _updates[i] = row with { RowVersion = _updates[i].RowVersion };
        }
        else
        {
            _updateIndex[key] = _updates.Count;
            _updates.Add(row);
        }
    }
}

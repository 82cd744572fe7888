namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    /// <summary>
    /// After a row was inserted with an id of its own (a rebuild from tape), moves the sequence past it so that no later
    /// allocation hands the id out again. Sequences are not transactional: an allocation racing this one between the read
    /// and <c>setval</c> could be handed an id again, which the primary key then refuses — never a silent reuse.
    /// </summary>
    private async ValueTask KeepSequenceAheadAsync(string sequence, long id) =>
        _ = await ScalarAsync($"""
            SELECT setval('{sequence}', $1) FROM {sequence}
            WHERE $1 > CASE WHEN is_called THEN last_value ELSE last_value - 1 END
            """, id);
}

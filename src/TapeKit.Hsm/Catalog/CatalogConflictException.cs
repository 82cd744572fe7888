namespace TapeKit.Hsm.Catalog;

/// <summary>
/// An optimistic write lost a race: the row changed (its version moved on) between this transaction's read and its
/// conditional update. Nothing of the transaction may be kept; running the whole unit of work again re-reads the row
/// and decides afresh, which <see cref="CatalogUnitOfWork"/> does.
/// </summary>
public sealed class CatalogConflictException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="entity">The table or machine of the row (<c>file</c>, <c>list</c>, <c>aggregation</c>, <c>tape</c>).</param>
    /// <param name="entityId">The row's id.</param>
    /// <param name="expectedVersion">The version the writer read.</param>
    public CatalogConflictException(string entity, string entityId, long expectedVersion)
        : base($"The {entity} row {entityId} changed after it was read (expected version {expectedVersion}); the unit of work must run again.")
    {
        Entity = entity;
        EntityId = entityId;
        ExpectedVersion = expectedVersion;
    }

    /// <summary>The table or machine of the row.</summary>
    public string Entity { get; }

    /// <summary>The row's id.</summary>
    public string EntityId { get; }

    /// <summary>The version the writer read.</summary>
    public long ExpectedVersion { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// Records robot moves on the catalogue's tape rows: a mount adds one to <see cref="Model.TapeRecord.MountCount"/> and
/// sets <see cref="Model.TapeRecord.LastMountedAt"/>; a dismount sets <see cref="Model.TapeRecord.LastUnmountedAt"/>,
/// which the recall planner's remount guard reads. A cartridge the catalogue does not know (one being labelled) is left alone.
/// </summary>
public sealed class CatalogMountRecorder : IMountRecorder
{
    private readonly ICatalog _catalog;

    /// <summary>Creates the recorder.</summary>
    /// <param name="catalog">The catalogue whose tape rows are updated; its clock dates the moves.</param>
    public CatalogMountRecorder(ICatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
    }

    /// <inheritdoc/>
    public ValueTask MountedAsync(string vsn, CancellationToken ct = default)
    {
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        return _catalog.UpdateTapeAsync(vsn, t => t with { MountCount = t.MountCount + 1, LastMountedAt = now }, ct);
    }

    /// <inheritdoc/>
    public ValueTask DismountedAsync(string vsn, CancellationToken ct = default)
    {
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        return _catalog.UpdateTapeAsync(vsn, t => t with { LastUnmountedAt = now }, ct);
    }
}

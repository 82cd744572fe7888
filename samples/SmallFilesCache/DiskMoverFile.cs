using TapeKit.Hsm.Model;

namespace SmallFilesCache;

/// <summary>One file a client hands to the disk mover (<see cref="DiskMover.WriteManyAsync"/>).</summary>
/// <param name="Attributes">The file's attributes (size included).</param>
/// <param name="NamespacePath">The file's path in the namespace (also its external id); its cache path is the same, relative.</param>
/// <param name="Fill">Produces the bytes at an offset (the client's data); called from one thread at a time per file.</param>
/// <param name="SourceMode">The client's file's permissions: the cache copy never gets more than these (nor more than the
/// site's <see cref="SiteOptions.FileMode"/>); <see langword="null"/>: the site's mode.</param>
public sealed record DiskMoverFile(HsmFileAttributes Attributes, string NamespacePath, Action<long, Memory<byte>> Fill, UnixFileMode? SourceMode = null);

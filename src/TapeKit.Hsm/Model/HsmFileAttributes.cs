using System.Collections.Immutable;

namespace TapeKit.Hsm.Model;

/// <summary>
/// The attributes a policy decision is made from (docs/hsm/overview.md#policies, <c>FileAttributes</c>; renamed to avoid <see cref="System.IO.FileAttributes"/>): the four Enstore attributes, the size,
/// and any host attribute as string → string. A missing attribute reads as the empty string.
/// </summary>
public sealed record HsmFileAttributes
{
    /// <summary>The attribute name of <see cref="StorageGroup"/>.</summary>
    public const string StorageGroupName = "storageGroup";
    /// <summary>The attribute name of <see cref="FileFamily"/>.</summary>
    public const string FileFamilyName = "fileFamily";
    /// <summary>The attribute name of <see cref="Wrapper"/>.</summary>
    public const string WrapperName = "wrapper";
    /// <summary>The attribute name of <see cref="Library"/>.</summary>
    public const string LibraryName = "library";

    /// <summary>The storage group (experiment, VO).</summary>
    public string StorageGroup { get; init; } = "";

    /// <summary>The file family (a class of files that share tapes).</summary>
    public string FileFamily { get; init; } = "";

    /// <summary>The wrapper (Enstore: <c>cpio_odc</c>, <c>cern</c>, …).</summary>
    public string Wrapper { get; init; } = "";

    /// <summary>The tape library the request targets.</summary>
    public string Library { get; init; } = "";

    /// <summary>The file size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Host attributes (<c>activity</c>, <c>dataset</c>, <c>owner</c>, <c>path</c>, …), names compared ordinally.</summary>
    public ImmutableSortedDictionary<string, string> Extra { get; init; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The value of the named attribute, or the empty string when it is missing.</summary>
    /// <param name="name">An attribute name: one of the four named attributes or a host attribute.</param>
    public string Get(string name) => name switch
    {
        StorageGroupName => StorageGroup,
        FileFamilyName => FileFamily,
        WrapperName => Wrapper,
        LibraryName => Library,
        _ => Extra.TryGetValue(name, out string? value) ? value : "",
    };

    /// <summary>Returns a copy with one host attribute set.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value.</param>
    public HsmFileAttributes With(string name, string value) => name switch
    {
        StorageGroupName => this with { StorageGroup = value },
        FileFamilyName => this with { FileFamily = value },
        WrapperName => this with { Wrapper = value },
        LibraryName => this with { Library = value },
        _ => this with { Extra = Extra.SetItem(name, value) },
    };

    /// <inheritdoc />
    public bool Equals(HsmFileAttributes? other) =>
        other is not null && StorageGroup == other.StorageGroup && FileFamily == other.FileFamily && Wrapper == other.Wrapper
        && Library == other.Library && Size == other.Size && Extra.SequenceEqual(other.Extra);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StorageGroup, FileFamily, Wrapper, Library, Size, Extra.Count);
}

using TapeKit.Aggregation;

namespace TapeKit.Hsm.Areas;

/// <summary>
/// The trust rules of a disk library's areas (cache and stage): a file's <c>cachePath</c> is a relative path under
/// the member name rules (F12.1: no <c>..</c>, no absolute path, no control character, no backslash, at most 4096
/// UTF-8 bytes) that resolves inside the area's root; the HSM's files and directories are created with explicit
/// permissions that are never readable by other users unless the site asks for its group.
/// </summary>
public static class CacheArea
{
    /// <summary>The default permissions of the files the HSM creates: <c>0600</c>.</summary>
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The default permissions of the directories the HSM creates: <c>0700</c>.</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The permissions of files shared with the area's group: <c>0640</c>.</summary>
    public const UnixFileMode GroupFileMode = PrivateFileMode | UnixFileMode.GroupRead;

    /// <summary>The permissions of directories shared with the area's group: <c>0750</c>.</summary>
    public const UnixFileMode GroupDirectoryMode = PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>The bits no HSM file or directory ever gets: any access by others, set-user-id, set-group-id, sticky.</summary>
    public const UnixFileMode ForbiddenBits = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute
        | UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit;

    /// <summary>Why <paramref name="cachePath"/> cannot be a cache path, or <see langword="null"/> when it can.</summary>
    /// <param name="cachePath">The path relative to an area's root.</param>
    /// <returns>A phrase such as "has a \"..\" component", or <see langword="null"/>.</returns>
    public static string? Problem(string cachePath)
    {
        ArgumentNullException.ThrowIfNull(cachePath);
        return MemberName.Problem(cachePath);
    }

    /// <summary>The full path of <paramref name="cachePath"/> under <paramref name="root"/>, checked.</summary>
    /// <param name="root">The area's root.</param>
    /// <param name="cachePath">The file's path relative to the root.</param>
    /// <returns>The full path, inside <paramref name="root"/>.</returns>
    /// <exception cref="UnsafeOperationException">The path breaks the name rules or would land outside the root
    /// (<see cref="UnsafeOperationKind.PathEscapes"/>, <see cref="UnsafeOperationKind.ControlCharacters"/>,
    /// <see cref="UnsafeOperationKind.InvalidMemberName"/>).</exception>
    public static string Resolve(string root, string cachePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(cachePath);
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (Problem(cachePath) is { } problem)
        {
            throw new UnsafeOperationException(
                $"Refusing the cache path \"{MemberName.Printable(cachePath)}\" under {fullRoot}: it {problem}.", cachePath, KindOf(cachePath));
        }

        string full = Path.GetFullPath(Path.Combine(fullRoot, cachePath));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnsafeOperationException($"Refusing the cache path \"{MemberName.Printable(cachePath)}\": it would land outside {fullRoot}.", cachePath, UnsafeOperationKind.PathEscapes);
        }

        return full;
    }

    /// <summary>
    /// Creates (never replaces) a file for writing with <paramref name="mode"/>, its parent directories below
    /// <paramref name="root"/> with <paramref name="directoryMode"/>, none of them through a symbolic link.
    /// </summary>
    /// <param name="root">The area's root.</param>
    /// <param name="path">The file, below <paramref name="root"/>.</param>
    /// <param name="mode">The file's permissions (the umask narrows them further).</param>
    /// <param name="directoryMode">The permissions of directories created on the way.</param>
    /// <param name="options">File options (asynchronous, …).</param>
    /// <returns>The new file, open for writing.</returns>
    /// <exception cref="UnsafeOperationException">A directory on the way is a link or a file, or the path leaves the root.</exception>
    /// <exception cref="IOException">The file exists already.</exception>
    public static FileStream CreateFile(string root, string path, UnixFileMode mode, UnixFileMode directoryMode, FileOptions options = FileOptions.None)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(path);
        IO.SafeDirectory.Create(root, Path.GetDirectoryName(Path.GetFullPath(path))!, directoryMode & ~ForbiddenBits, path);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, Options = options };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = mode & ~ForbiddenBits;
        }

        return new FileStream(path, create);
    }

    private static UnsafeOperationKind KindOf(string name)
    {
        if (name.AsSpan().IndexOfAnyInRange('\0', '\x1F') >= 0 || name.Contains('\x7F', StringComparison.Ordinal))
        {
            return UnsafeOperationKind.ControlCharacters;
        }

        return name.StartsWith('/') || name.Split('/').Contains("..") ? UnsafeOperationKind.PathEscapes : UnsafeOperationKind.InvalidMemberName;
    }
}

namespace TapeKit.IO;

/// <summary>
/// Creates directories below a root without following links: every existing component between the root and the
/// target must be a plain directory, and every missing one is created with the given permissions.
/// </summary>
public static class SafeDirectory
{
    /// <summary>The permissions TapeKit gives a directory it creates when the caller says nothing: <c>0700</c>.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="directory"/> (at or below <paramref name="root"/>) component by component.</summary>
    /// <param name="root">The trusted root (created with <paramref name="mode"/> if missing; itself not checked for links).</param>
    /// <param name="directory">The directory to create, at or below <paramref name="root"/>.</param>
    /// <param name="mode">The permissions of the directories created (the process's umask still narrows them).</param>
    /// <param name="subject">What the directory is created for, named in a refusal (a member name, a cache path).</param>
    /// <exception cref="UnsafeOperationException">A component is a symbolic link or not a directory
    /// (<see cref="UnsafeOperationKind.LinkInTargetPath"/>), or <paramref name="directory"/> is not below <paramref name="root"/>
    /// (<see cref="UnsafeOperationKind.PathEscapes"/>).</exception>
    public static void Create(string root, string directory, UnixFileMode mode, string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(subject);
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string relative = Path.GetRelativePath(fullRoot, Path.GetFullPath(directory));
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new UnsafeOperationException($"Refusing to write \"{subject}\": {directory} is not below {fullRoot}.", subject, UnsafeOperationKind.PathEscapes);
        }

        CreateOne(fullRoot, mode);
        if (relative == ".")
        {
            return;
        }

        string current = fullRoot;
        foreach (string part in relative.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null || (!info.Exists && File.Exists(current)))
            {
                throw new UnsafeOperationException(
                    $"Refusing to write \"{subject}\": {current} exists and is not a plain directory (a symbolic link or a file).", subject, UnsafeOperationKind.LinkInTargetPath);
            }

            if (!info.Exists)
            {
                CreateOne(current, mode);
            }
        }
    }

    private static void CreateOne(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, mode);
        }
    }
}

namespace TapeKit.Aggregation;

/// <summary>What <see cref="SafeExtractor.Extract"/> did.</summary>
/// <param name="Extracted">The members written, each verified before it was renamed into place.</param>
/// <param name="Skipped">Entries listed but not extracted (directories; members not selected).</param>
public sealed record ExtractionResult(IReadOnlyList<AggregationMember> Extracted, IReadOnlyList<AggregationEntry> Skipped);

/// <summary>
/// Extracts aggregation members into a directory without ever writing outside it or leaving a
/// partial file under a member's name (F6.3, F12.3).
/// </summary>
/// <remarks>
/// <para>
/// Two passes. The first reads the whole aggregation and checks every entry and checksum; before
/// anything is written, every selected entry is checked: a name that breaks F12.1 (absolute,
/// <c>..</c>, empty component, backslash, NUL or control character), a link, a device or a FIFO
/// refuses the whole extraction with <see cref="UnsafeOperationException"/> — nothing is written.
/// The second pass writes each member to a temporary file (<c>.tapekit-*.partial</c>) in its target
/// directory and renames it into place only after its checksums verify; a member that fails is
/// deleted and the error rethrown.
/// </para>
/// <para>
/// Damage found by the first pass (a truncated or corrupt aggregation) does not stop the members
/// before it: they are extracted, verified, and then the damage is rethrown as the
/// <see cref="TapeFormatException"/> naming the damaged entry and its offset.
/// </para>
/// <para>
/// Parent directories are created inside the target; an existing path component that is a
/// symbolic link or not a directory refuses the member, so a link planted inside the target cannot
/// redirect a write. An existing regular file of the member's name is replaced by the rename
/// (TapeKit's choice, as tar does). A member's file is created with the member's permission bits
/// and never wider (<see cref="FileModeOf"/>), so a member archived <c>0600</c> is not extracted
/// readable by others.
/// </para>
/// </remarks>
public static class SafeExtractor
{
    /// <summary>Extracts the members of an aggregation file (or the selected ones) into <paramref name="targetDirectory"/>.</summary>
    /// <param name="openReader">Opens a fresh reader of the aggregation (called once per pass).</param>
    /// <param name="targetDirectory">The directory to extract into; created if missing.</param>
    /// <param name="members">The member names to extract, or <see langword="null"/> for all.</param>
    /// <returns>What was extracted.</returns>
    /// <exception cref="UnsafeOperationException">A selected entry is unsafe; nothing was written.</exception>
    /// <exception cref="TapeFormatException">The aggregation is damaged; the members before the damage were extracted.</exception>
    /// <exception cref="ArgumentException">A selected name is not in the aggregation.</exception>
    public static ExtractionResult Extract(Func<AggregationReader> openReader, string targetDirectory, IReadOnlyCollection<string>? members = null)
    {
        ArgumentNullException.ThrowIfNull(openReader);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var selected = members is null ? null : new HashSet<string>(members, StringComparer.Ordinal);

        // Pass 1: list and verify everything, remember the damage.
        var entries = new List<AggregationEntry>();
        TapeFormatException? damage = null;
        using (var reader = openReader())
        {
            try
            {
                while (reader.ReadNext() is { } entry)
                {
                    reader.CopyDataTo(null);
                    entries.Add(entry);
                }
            }
            catch (TapeFormatException exception)
            {
                damage = exception;
            }
        }

        var chosen = entries.Where(e => selected is null || selected.Contains(e.Name)).ToList();
        if (selected is not null && damage is null)
        {
            var missing = selected.Except(chosen.Select(e => e.Name), StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException($"The aggregation has no member \"{MemberName.Printable(missing[0])}\".", nameof(members));
            }
        }

        string root = Path.GetFullPath(targetDirectory);
        foreach (var entry in chosen)
        {
            CheckSafe(entry, root);
        }

        // Pass 2: write verified members only.
        Directory.CreateDirectory(root);
        var extracted = new List<AggregationMember>();
        var skipped = new List<AggregationEntry>();
        var wanted = chosen.Where(e => e.Type == AggregationEntryType.File).Select(e => e.HeaderOffset).ToHashSet();
        using (var reader = openReader())
        {
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = reader.ReadNext()
                    ?? throw new TapeFormatException("The aggregation changed between the two extraction passes.", "aggregation", null, 0, 0, string.Empty);
                if (!wanted.Contains(entry.HeaderOffset))
                {
                    skipped.Add(entry);
                    continue;
                }

                extracted.Add(WriteMember(reader, entry, root));
            }
        }

        if (damage is not null)
        {
            throw damage;
        }

        return new ExtractionResult(extracted, skipped);
    }

    /// <summary>Throws <see cref="UnsafeOperationException"/> if extracting <paramref name="entry"/> into <paramref name="root"/> could be unsafe.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="root">The full path of the target directory.</param>
    public static void CheckSafe(AggregationEntry entry, string root)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string name = entry.Name;
        string shown = MemberName.Printable(name);
        if (entry.Type is not (AggregationEntryType.File or AggregationEntryType.Directory))
        {
            throw new UnsafeOperationException(
                $"Refusing to extract \"{shown}\" (header at byte {entry.HeaderOffset}): it is a {Describe(entry.Type)}, and TapeKit extracts regular files only.", name, UnsafeOperationKind.LinkOrDevice);
        }

        string checkedName = entry.Type == AggregationEntryType.Directory && name.EndsWith('/') && name.Length > 1 ? name[..^1] : name;
        if (MemberName.Problem(checkedName) is { } problem)
        {
            throw new UnsafeOperationException($"Refusing to extract \"{shown}\" (header at byte {entry.HeaderOffset}): the name {problem} (F12.1).", name, KindOfNameProblem(checkedName));
        }

        string full = Path.GetFullPath(Path.Combine(root, checkedName));
        if (!full.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnsafeOperationException($"Refusing to extract \"{shown}\": it would land outside {root}.", name, UnsafeOperationKind.PathEscapes);
        }
    }

    /// <summary>Which F12.1 rule a bad name breaks, told from the name itself (not from the problem's wording).</summary>
    private static UnsafeOperationKind KindOfNameProblem(string name)
    {
        if (name.AsSpan().IndexOfAnyInRange('\0', '\x1F') >= 0 || name.Contains('\x7F', StringComparison.Ordinal))
        {
            return UnsafeOperationKind.ControlCharacters;
        }

        return name.StartsWith('/') || name.Split('/').Contains("..") ? UnsafeOperationKind.PathEscapes : UnsafeOperationKind.InvalidMemberName;
    }

    private static AggregationMember WriteMember(AggregationReader reader, AggregationEntry entry, string root)
    {
        string full = Path.GetFullPath(Path.Combine(root, entry.Name));
        string directory = Path.GetDirectoryName(full)!;
        EnsureDirectory(root, directory, entry.Name);
        if (new FileInfo(full) is { Exists: false } && Directory.Exists(full))
        {
            throw new UnsafeOperationException($"Refusing to extract \"{MemberName.Printable(entry.Name)}\": a directory of that name exists in the target.", entry.Name, UnsafeOperationKind.TargetOccupied);
        }

        string temp = Path.Combine(directory, $".tapekit-{Guid.NewGuid():N}.partial");
        try
        {
            Checksums.MemberDigest digest;
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = FileModeOf(entry);
            }

            using (var file = new FileStream(temp, create))
            {
                digest = reader.CopyDataTo(file);
                file.Flush(flushToDisk: true);
            }

            if (entry.ModificationTime is { } mtime)
            {
                File.SetLastWriteTimeUtc(temp, mtime.UtcDateTime);
            }

            File.Move(temp, full, overwrite: true);
            return entry.ToMember(digest);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Creates <paramref name="directory"/> under <paramref name="root"/> component by component, refusing symbolic links and non-directories.</summary>
    private static void EnsureDirectory(string root, string directory, string name) =>
        IO.SafeDirectory.Create(root, directory, DirectoryMode, MemberName.Printable(name));

    /// <summary>Directories extracted get <c>0777</c> narrowed by the umask, as tar gives them.</summary>
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1FF;

    /// <summary>
    /// The permissions an extracted member's file is created with: the member's own permission bits when it records them
    /// (never more: set-user-id, set-group-id and sticky bits are dropped), <c>0666</c> otherwise; the umask narrows both.
    /// </summary>
    /// <param name="entry">The member.</param>
    /// <returns>The creation mode.</returns>
    public static UnixFileMode FileModeOf(AggregationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Mode == 0 ? (UnixFileMode)0x1B6 : (UnixFileMode)(entry.Mode & 0x1FF);
    }

    private static string Describe(AggregationEntryType type) => type switch
    {
        AggregationEntryType.HardLink => "hard link",
        AggregationEntryType.SymbolicLink => "symbolic link",
        AggregationEntryType.CharacterDevice => "character device",
        AggregationEntryType.BlockDevice => "block device",
        AggregationEntryType.Fifo => "FIFO",
        _ => type.ToString(),
    };
}

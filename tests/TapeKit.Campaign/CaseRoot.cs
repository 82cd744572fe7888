namespace TapeKit.Campaign;

/// <summary>The directory a case or a kill series runs in.</summary>
internal static class CaseRoot
{
    /// <summary>
    /// Creates <paramref name="root"/> empty. A failed case leaves its directory for inspection; a replay of it must not
    /// reopen that catalogue and those cartridges, or it shows the old failure again instead of running the case.
    /// </summary>
    public static void Fresh(string root)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
    }
}

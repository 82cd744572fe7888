namespace TapeKit.Tests;

/// <summary>The repository's root directory: the first directory above the test assembly that holds <c>TapeKit.sln</c>.</summary>
internal static class RepositoryRoot
{
    /// <summary>The root's full path.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TapeKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("TapeKit.sln not found above " + AppContext.BaseDirectory);
    }
}

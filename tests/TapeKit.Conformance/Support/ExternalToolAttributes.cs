namespace TapeKit.Conformance.Support;

/// <summary>Whether GNU tar and bsdtar are on PATH (.ci/run installs bsdtar from libarchive-tools).</summary>
internal static class ExternalToolsAvailability
{
    private static readonly string[] Tools = ["tar", "bsdtar"];

    public static string? MissingReason { get; } = Missing();

    public static string? SkipReason => MissingReason is not null && Environment.GetEnvironmentVariable("CI") != "true" ? MissingReason : null;

    private static string? Missing()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string[] missing = [.. Tools.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool))))];
        return missing.Length == 0 ? null : $"{string.Join(" and ", missing)} not on PATH (apt-get install libarchive-tools, as .ci/run does)";
    }
}

/// <summary>A fact that runs GNU tar or bsdtar: skipped with the reason when one is missing, never when <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ExternalToolFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when a tool is missing outside CI.</summary>
    public ExternalToolFactAttribute() => Skip = ExternalToolsAvailability.SkipReason;
}

/// <summary>A theory that runs GNU tar or bsdtar: skipped with the reason when one is missing, never when <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ExternalToolTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when a tool is missing outside CI.</summary>
    public ExternalToolTheoryAttribute() => Skip = ExternalToolsAvailability.SkipReason;
}

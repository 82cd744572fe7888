using System.Reflection;

namespace TapeKit.Aggregation;

/// <summary>TapeKit's own version as <c>Major.Minor.Patch</c> (F1.1, F5.2 <c>stagerVersion</c>).</summary>
internal static class TapeKitVersion
{
    public static string Text { get; } = Compute();

    private static string Compute()
    {
        var version = typeof(TapeKitVersion).Assembly.GetName().Version ?? new Version(0, 0, 0);
        return FormattableString.Invariant($"{version.Major}.{version.Minor}.{Math.Max(0, version.Build)}");
    }
}

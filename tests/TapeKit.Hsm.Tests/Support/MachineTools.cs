namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// Tests that need something of the machine (a user and mount namespace, <c>prlimit</c>): skipped with the reason where
/// it is missing, failed with <c>CI=true</c>, since CI's machines have them.
/// </summary>
internal static class MachineTools
{
    /// <summary>Skips the test with <paramref name="missing"/> (failed with <c>CI=true</c>); nothing when it is <see langword="null"/>.</summary>
    /// <param name="missing">What is missing, or <see langword="null"/>.</param>
    public static void Require(string? missing)
    {
        if (missing is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            throw new InvalidOperationException($"{missing}. With CI=true this test never skips.");
        }

        throw new SkipException(missing);
    }
}

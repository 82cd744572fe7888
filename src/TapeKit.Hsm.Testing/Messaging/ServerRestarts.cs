using System.Diagnostics;
using Xunit.Sdk;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// When the kit may restart a provider's server, and how a test waits for the client to reconnect. A restart cuts off
/// everyone else on that server, so it runs only in CI or when asked for.
/// </summary>
internal static class ServerRestarts
{
    /// <summary>The variable that allows server restarts outside CI.</summary>
    public const string Variable = "TAPEKIT_ALLOW_SERVER_RESTART";

    /// <summary>Why a server-restart test is skipped.</summary>
    public const string NotAllowed = $"restarting the server cuts off everyone else using it: set {Variable}=1 (CI=true allows it)";

    /// <summary>How long a client may take to reconnect after the server is back.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Whether this run may restart servers.</summary>
    public static bool Allowed =>
        Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Runs <paramref name="call"/> until it succeeds: the errors of a client still reconnecting are expected, for a while.</summary>
    /// <param name="call">A bus call.</param>
    public static async Task UntilReconnectedAsync(Func<ValueTask> call) =>
        await UntilReconnectedAsync(async () => { await call(); return true; });

    /// <summary>Runs <paramref name="call"/> until it succeeds and returns its result.</summary>
    /// <param name="call">A bus call.</param>
    public static async Task<T> UntilReconnectedAsync<T>(Func<ValueTask<T>> call)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is not XunitException && waited.Elapsed < Patience)
            {
                await Task.Delay(250);
            }
        }
    }
}

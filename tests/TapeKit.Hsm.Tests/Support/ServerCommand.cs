using System.Diagnostics;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// Runs a server's administration tool (<c>pg_ctlcluster</c>, <c>rabbitmqctl</c>) for the tests that act on the server
/// itself. A tool that is missing or fails skips the test with the reason — except when <c>CI=true</c>, where it fails.
/// </summary>
public static class ServerCommand
{
    /// <summary>Runs <paramref name="tool"/> and returns its standard output.</summary>
    /// <param name="tool">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw Unavailable($"{tool} could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw Unavailable($"{tool} is not installed here ({e.Message})");
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw Unavailable($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error).Trim()}");
            }

            return await output;
        }
    }

    /// <summary>Skips the test with the reason; with <c>CI=true</c> fails it, since CI runs the servers and their tools.</summary>
    /// <param name="why">What is missing.</param>
    public static Exception Unavailable(string why) => Environment.GetEnvironmentVariable("CI") == "true"
        ? new InvalidOperationException($"{why}. With CI=true the server tests never skip: .ci/run installs and starts the servers.")
        : new SkipException(why);
}

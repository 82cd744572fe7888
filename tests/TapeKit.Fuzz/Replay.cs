namespace TapeKit.Fuzz;

/// <summary>What one input did when replayed in-process.</summary>
/// <param name="Path">The input file.</param>
/// <param name="Elapsed">How long it ran (up to the timeout).</param>
/// <param name="Failure">The unexpected exception, or <see langword="null"/>.</param>
/// <param name="TimedOut">Whether it was still running at the timeout: a hang.</param>
public sealed record ReplayResult(string Path, TimeSpan Elapsed, Exception? Failure, bool TimedOut)
{
    /// <summary>Whether the input ran clean: accepted or refused with a documented exception, in time.</summary>
    public bool Passed => Failure is null && !TimedOut;

    /// <inheritdoc/>
    public override string ToString() =>
        TimedOut ? $"{Path}: HANG (still running after {Elapsed.TotalSeconds:0.#} s)"
        : Failure is not null ? $"{Path}: {Failure.GetType().FullName}: {Failure.Message}\n{Failure.StackTrace}"
        : $"{Path}: ok ({Elapsed.TotalMilliseconds:0} ms)";
}

/// <summary>Runs saved inputs through their target in this process, each with a timeout: the CI replay, and triage.</summary>
public static class Replay
{
    /// <summary>The corpus folders of a target under the fuzz project: the seeds and the regressions.</summary>
    /// <param name="root">The fuzz project directory.</param>
    /// <param name="target">The target name.</param>
    /// <returns>The input files, in a stable order.</returns>
    public static IReadOnlyList<string> InputsOf(string root, string target)
    {
        var files = new List<string>();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string dir = System.IO.Path.Combine(root, folder, target);
            if (Directory.Exists(dir))
            {
                files.AddRange(Directory.GetFiles(dir).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
            }
        }

        return files;
    }

    /// <summary>Runs one input file through a target on a worker thread, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="target">The target.</param>
    /// <param name="path">The input file.</param>
    /// <param name="timeout">How long the input may run before it counts as a hang.</param>
    /// <returns>What happened.</returns>
    public static ReplayResult Run(FuzzTarget target, string path, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        byte[] input = File.ReadAllBytes(path);
        Exception? failure = null;
        var started = System.Diagnostics.Stopwatch.StartNew();

        // A dedicated thread, not the pool: a hung input keeps its thread, and the next input gets a fresh one.
        var thread = new Thread(
            () =>
            {
                try
                {
                    target.Execute(input);
                }
#pragma warning disable CA1031 // Any exception that escapes a target is the finding being reported.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }
            },
            maxStackSize: 16 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "fuzz replay " + System.IO.Path.GetFileName(path),
        };
        thread.Start();
        bool finished = thread.Join(timeout);
        return new ReplayResult(path, started.Elapsed, finished ? failure : null, !finished);
    }
}

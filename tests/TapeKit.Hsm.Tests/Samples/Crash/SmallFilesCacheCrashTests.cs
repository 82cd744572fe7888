using System.Globalization;
using TapeKit.Campaign;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Crash;

/// <summary>
/// The reference host through crashes, as an OS process: one kill series of the fault campaign (<see cref="KillSeries"/>)
/// — the SmallFilesCache daemon killed with SIGKILL at seeded moments while files arrive in its inbox and recall lists,
/// and restarted each time. Every timed restart must finish its predecessor's interrupted work within the series' limit;
/// in the end every file is archived once per required copy, none is set aside under <c>rejected/</c>, and after a purge
/// every file comes back byte for byte. <c>TAPEKIT_CRASH_KILLS</c> sets the kill count (default 8, CI's slice),
/// <c>TAPEKIT_CRASH_SEED</c> replays a run.
/// </summary>
public sealed class SmallFilesCacheCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_daemon_killed_at_random_moments_archives_every_file_once_rejects_none_and_recalls_every_byte()
    {
        int kills = Setting("TAPEKIT_CRASH_KILLS") ?? 8;
        int seed = Setting("TAPEKIT_CRASH_SEED") ?? Random.Shared.Next(1, int.MaxValue);
        output.WriteLine($"seed {seed} (replay: TAPEKIT_CRASH_SEED={seed}), kills {kills}");
        string root = Path.Combine(Path.GetTempPath(), $"tapekit-crash-{seed}-{Guid.NewGuid():N}"[..40]);

        KillSeriesResult r = await KillSeries.RunAsync(seed, kills, root, output.WriteLine);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kills {r.Case.Faults}, files {r.Case.Files}, lost {r.Case.Lost}, duplicates {r.Case.Duplicated}, missing copies {r.MissingCopies}, rejected {r.Rejected}, recalled {r.Recalled}, files mid-step at kills {r.FilesMidStep}, active lists at kills {r.ActiveLists}, timed recoveries {r.Recoveries.Count}, max recovery {(r.Recoveries.Count == 0 ? 0 : r.Recoveries.Max()):F1} s"));
        Assert.True(r.FilesMidStep + r.ActiveLists > 0, "No kill interrupted any work: the run proved nothing about recovery.");
        Assert.True(r.Case.Failures.Count == 0, string.Join('\n', r.Case.Failures));
        Assert.Equal(kills, r.Case.Faults);
        Assert.Equal((0, 0, 0, 0), (r.Case.Lost, r.Case.Duplicated, r.MissingCopies, r.Rejected));
        Assert.Equal(r.Case.Files, r.Recalled);
    }

    private static int? Setting(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;
}

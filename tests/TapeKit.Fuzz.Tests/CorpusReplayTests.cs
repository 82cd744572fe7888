namespace TapeKit.Fuzz.Tests;

/// <summary>
/// The regression corpus of the fuzzing campaign, replayed in CI without afl++ (docs/fuzzing.md): every seed and every
/// saved finding of every target runs through its target in this process, and fails the test if it throws an exception
/// its API does not document, takes more than <see cref="PerInput"/> (a hang), or makes the library allocate past
/// <see cref="FuzzTarget.AllocationLimit"/>. The message names the file.
/// </summary>
public sealed class CorpusReplayTests
{
    /// <summary>Generous for a loaded CI machine: the slowest input takes well under a second.</summary>
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_and_regression_input_runs_clean(string name)
    {
        FuzzTarget target = FuzzTargets.Get(name);
        IReadOnlyList<string> inputs = Replay.InputsOf(FuzzRoot, name);
        Assert.True(inputs.Count > 0, $"No seeds for {name} under {FuzzRoot}/corpus/{name}; run the harness's seed command.");
        var failures = inputs.Select(f => Replay.Run(target, f, PerInput)).Where(r => !r.Passed).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs.Count} inputs of {name} failed:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void Every_corpus_folder_belongs_to_a_target()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            string dir = Path.Combine(FuzzRoot, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string sub in Directory.GetDirectories(dir))
            {
                Assert.Contains(Path.GetFileName(sub), names);
            }
        }
    }

    [Fact]
    public void The_replay_reports_an_undocumented_exception_and_names_the_file()
    {
        using var file = new TempInput([1, 2, 3]);
        var target = new FuzzTarget("throws", "test", input => FuzzTarget.Expect(() => throw new FormatException("boom"), typeof(TapeFormatException)));
        ReplayResult r = Replay.Run(target, file.Path, PerInput);
        Assert.False(r.Passed);
        Assert.IsType<FormatException>(r.Failure);
        Assert.Contains(file.Path, r.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_documented_exception_is_swallowed()
    {
        using var file = new TempInput([1]);
        var target = new FuzzTarget("refuses", "test", input => FuzzTarget.Expect(() => throw new TapeFormatException("bad", "VOL1", "vsn", 4, 6, "x"), typeof(TapeFormatException)));
        Assert.True(Replay.Run(target, file.Path, PerInput).Passed);
    }

    [Fact]
    public void The_replay_reports_a_hang_by_its_timeout()
    {
        using var file = new TempInput([1]);
        using var release = new ManualResetEventSlim();
        var target = new FuzzTarget("hangs", "test", input => release.Wait());
        ReplayResult r = Replay.Run(target, file.Path, TimeSpan.FromMilliseconds(200));
        release.Set();
        Assert.True(r.TimedOut);
        Assert.Contains("HANG", r.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_that_makes_the_library_allocate_past_the_limit_is_a_finding()
    {
        using var file = new TempInput([1]);
        var target = new FuzzTarget("allocates", "test", input => GC.KeepAlive(new byte[FuzzTarget.AllocationLimit + 1024]));
        ReplayResult r = Replay.Run(target, file.Path, PerInput);
        Assert.IsType<FuzzFindingException>(r.Failure);
    }

    /// <summary>tests/TapeKit.Fuzz, found by walking up from the test's output to TapeKit.sln.</summary>
    private static string FuzzRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TapeKit.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "TapeKit.Fuzz");
                }
            }

            throw new DirectoryNotFoundException("TapeKit.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private sealed class TempInput : IDisposable
    {
        public TempInput(byte[] bytes)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tapekit-fuzz-test-" + Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(Path, bytes);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}

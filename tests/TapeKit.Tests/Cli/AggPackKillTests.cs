using System.Diagnostics;
using TapeKit.Aggregation;
using Xunit.Abstractions;

namespace TapeKit.Tests.Cli;

/// <summary>
/// <c>tapekit agg pack</c> as a real process, killed with SIGKILL at seeded moments while it walks, reads and writes a
/// tree: the output's name never holds a partial aggregation, and a pack run again afterwards is complete.
/// <c>TAPEKIT_CRASH_SEED</c> replays a run.
/// </summary>
public sealed class AggPackKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_pack_killed_mid_work_leaves_no_partial_output_and_the_next_pack_is_whole()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int seed = int.TryParse(Environment.GetEnvironmentVariable("TAPEKIT_CRASH_SEED"), out int given) ? given : Random.Shared.Next(1, int.MaxValue);
        output.WriteLine($"seed {seed} (replay: TAPEKIT_CRASH_SEED={seed})");
        var random = new Random(seed);
        int files = MakeTree(_dir.Combine("tree"), random);
        string archive = _dir.Combine("out.tar");

        int killedWhileRunning = 0;
        for (int kill = 0; kill < 8; kill++)
        {
            using Process pack = StartPack(archive);
            bool exited = pack.WaitForExit(random.Next(20, 400));
            string outcome = "finished first";
            if (!exited)
            {
                pack.Kill(); // SIGKILL: no finally, no rename, no clean-up in the child
                pack.WaitForExit();
                if (File.Exists(archive))
                {
                    // Killed between its rename and its exit: the name may then be there, and holds the whole aggregation.
                    AssertWhole(archive, files, seed);
                    File.Delete(archive);
                    outcome = "killed after its rename";
                }
                else
                {
                    killedWhileRunning++;
                    outcome = "killed";
                }
            }
            else
            {
                Assert.Equal(0, pack.ExitCode);
                AssertWhole(archive, files, seed);
                File.Delete(archive);
            }

            output.WriteLine($"kill {kill}: {outcome}");
        }

        Assert.True(killedWhileRunning > 0, $"seed {seed}: every pack finished before its kill; the tree is too small to test anything");

        // What the killed packs leave is their temporary files, never the output's name.
        Assert.All(Directory.GetFiles(_dir.Path), f => Assert.Matches(@"^\.out\.tar\.tapekit-[0-9a-f]{32}\.partial$", Path.GetFileName(f)));

        using (Process last = StartPack(archive))
        {
            Assert.True(last.WaitForExit(TimeSpan.FromMinutes(2)), $"seed {seed}: the last pack did not finish");
            Assert.Equal(0, last.ExitCode);
        }

        AssertWhole(archive, files, seed);
    }

    /// <summary>Directories of small files and a few larger ones (above the read-ahead's member size): seconds of work.</summary>
    private static int MakeTree(string root, Random random)
    {
        int count = 0;
        byte[] data = new byte[3 << 20];
        random.NextBytes(data);
        for (int d = 0; d < 40; d++)
        {
            string dir = Path.Combine(root, $"d{d:D2}");
            Directory.CreateDirectory(dir);
            for (int f = 0; f < 150; f++)
            {
                int size = f == 0 ? (2 << 20) + random.Next(1 << 20) : random.Next(0, 16 << 10);
                File.WriteAllBytes(Path.Combine(dir, $"f{f:D3}"), data.AsSpan(random.Next(0, data.Length - size), size).ToArray());
                count++;
            }
        }

        return count;
    }

    private static Process StartPack(string archive)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(archive)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TapeKit.Cli.dll"));
        foreach (string argument in (string[])["agg", "pack", "--format", "tar", "--out", archive, "tree"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("tapekit did not start.");
        _ = process.StandardOutput.ReadToEndAsync(); // drained, so a full pipe never stalls the child
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static void AssertWhole(string archive, int files, int seed)
    {
        using var reader = AggregationReader.OpenFile(archive);
        IReadOnlyList<AggregationMember> members = reader.VerifyAll();
        Assert.True(files == members.Count, $"seed {seed}: {members.Count} members verified, {files} files packed");
    }
}

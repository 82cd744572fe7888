using FsCheck;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Support;

/// <summary>
/// Runs an FsCheck property with a seed that is always printed, so every failure can be replayed:
/// set <c>TAPEKIT_FSCHECK_REPLAY="seed,gamma"</c> (as printed) to run the same cases again.
/// </summary>
public static class PropertyRun
{
    /// <summary>The environment variable that replays a printed seed.</summary>
    public const string ReplayVariable = "TAPEKIT_FSCHECK_REPLAY";

    /// <summary>Checks <paramref name="property"/> over <paramref name="maxTest"/> cases; throws on the first counter-example.</summary>
    /// <param name="output">The test's output, where the seed is written.</param>
    /// <param name="property">The property to check.</param>
    /// <param name="maxTest">How many cases to generate.</param>
    /// <param name="endSize">FsCheck's maximum size parameter.</param>
    public static void Check(ITestOutputHelper output, Property property, int maxTest = 1000, int endSize = 100)
    {
        ArgumentNullException.ThrowIfNull(output);
        (ulong seed, ulong gamma) = ReplaySeed();
        string line = $"FsCheck replay seed: {ReplayVariable}=\"{seed},{gamma}\" ({maxTest} cases)";
        output.WriteLine(line);
        Console.WriteLine(line);
        var replay = new Replay(new Rnd(seed, gamma), FSharpOption<int>.None);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithEndSize(endSize)
            .WithReplay(FSharpOption<Replay>.Some(replay));
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception failure)
        {
            throw new Xunit.Sdk.XunitException($"{line}\n{failure.Message}");
        }
    }

    private static (ulong Seed, ulong Gamma) ReplaySeed()
    {
        string? text = Environment.GetEnvironmentVariable(ReplayVariable);
        if (!string.IsNullOrWhiteSpace(text))
        {
            string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[0], out ulong s) && ulong.TryParse(parts[1], out ulong g))
            {
                return (s, g);
            }
        }

        // Gamma must be odd for SplitMix.
        return ((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64() | 1UL);
    }
}

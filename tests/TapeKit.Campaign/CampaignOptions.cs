using System.Globalization;

namespace TapeKit.Campaign;

/// <summary>The campaign's command line.</summary>
/// <param name="Cases">In-process cases (kinds in turn).</param>
/// <param name="Kills">SIGKILLs of the daemon process in all, in series of <paramref name="KillsPerSeries"/>.</param>
/// <param name="KillsPerSeries">Kills per site (one site, one workload, that many kills and restarts).</param>
/// <param name="Seed">The campaign's seed: every case seed and series seed derives from it.</param>
/// <param name="Kinds">The kinds of fault to inject.</param>
/// <param name="Json">Print the summary as JSON.</param>
/// <param name="Root">Where case sites are made (failed cases stay there).</param>
/// <param name="Replay">One case to replay (kind and seed), instead of a campaign.</param>
/// <param name="Parallel">In-process cases run at once (each has its own site; results do not depend on it).</param>
internal sealed record CampaignOptions(int Cases, int Kills, int KillsPerSeries, int Seed, CampaignFault[] Kinds, bool Json, string Root, (CampaignFault Kind, int Seed)? Replay, int Parallel = 1)
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: TapeKit.Campaign [--cases N] [--kills N] [--kills-per-series N] [--seed S] [--kinds K,K,...] [--json] [--root DIR] [--parallel N]
               TapeKit.Campaign --replay KIND:SEED [--root DIR] [--json]
          --cases N            in-process fault cases, the kinds in turn (default: one per kind)
          --kills N            SIGKILLs of the daemon process in all (default 8), in series of --kills-per-series (default 25)
          --seed S             the campaign's seed (default: random; printed)
          --kinds K,...        fault kinds (default: all): media-error-write, media-error-read, end-of-medium,
                               power-loss-before-sync, power-loss-after-sync, drive-failure, wrong-cartridge,
                               lost-cartridge, silent-corruption, crash-at-step, cache-full, stage-full, kill
          --json               the summary as JSON on stdout
          --root DIR           where the case sites go (default: the temp directory); failed cases stay for inspection
          --parallel N         in-process cases run at once (default 1)
          --replay KIND:SEED   run one in-process case again, as printed for a failure
        """;

    /// <summary>Parses the arguments; a bad one is an <see cref="ArgumentException"/> naming it.</summary>
    public static CampaignOptions Parse(IReadOnlyList<string> args)
    {
        int? cases = null, kills = null, perSeries = null, seed = null;
        int parallel = 1;
        CampaignFault[] kinds = Enum.GetValues<CampaignFault>();
        bool json = false;
        string root = Path.Combine(Path.GetTempPath(), "tapekit-campaign");
        (CampaignFault, int)? replay = null;
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--cases": cases = Count("--cases", Value(), 0); break;
                case "--kills": kills = Count("--kills", Value(), 0); break;
                case "--kills-per-series": perSeries = Count("--kills-per-series", Value(), 1); break;
                case "--seed": seed = Count("--seed", Value(), 1); break;
                case "--kinds": kinds = CampaignFaultNames.Parse(Value()); break;
                case "--json": json = true; break;
                case "--parallel": parallel = Count("--parallel", Value(), 1); break;
                case "--root": root = Path.GetFullPath(Value()); break;
                case "--replay":
                    string text = Value();
                    string[] parts = text.Split(':');
                    CampaignFault kind = parts.Length == 2 ? CampaignFaultNames.Parse(parts[0])[0] : throw new ArgumentException($"--replay: \"{text}\" is not KIND:SEED.");
                    replay = (kind, Count("--replay", parts[1], 1));
                    break;
                default: throw new ArgumentException($"unknown argument \"{args[i]}\".");
            }
        }

        int inProcessKinds = kinds.Count(k => k != CampaignFault.Kill);
        return new CampaignOptions(cases ?? inProcessKinds, kinds.Contains(CampaignFault.Kill) ? kills ?? 8 : 0, perSeries ?? 25,
            seed ?? Random.Shared.Next(1, int.MaxValue), kinds, json, root, replay, parallel);
    }

    private static int Count(string option, string text, int min) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min
            ? v
            : throw new ArgumentException($"{option}: \"{text}\" is not a whole number ≥ {min}.");
}

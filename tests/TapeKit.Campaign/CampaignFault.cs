namespace TapeKit.Campaign;

/// <summary>The kinds of fault the campaign injects, one kind per case (a case may inject several faults of its kind).</summary>
internal enum CampaignFault
{
    /// <summary>A media error on a write (<c>media-error write N</c> on every drive).</summary>
    MediaErrorWrite,

    /// <summary>A media error on a read during the recalls (<c>media-error read N</c> on every drive).</summary>
    MediaErrorRead,

    /// <summary>End of medium early on the tapes (<c>early-warning at B</c>, <c>end-of-medium at B</c>).</summary>
    EndOfMedium,

    /// <summary>Power loss armed when a tape file is written, before its sync; every process dies with it.</summary>
    PowerLossBeforeSync,

    /// <summary>Power loss armed after a sync; every process dies with it.</summary>
    PowerLossAfterSync,

    /// <summary>A drive that dies mid-session (<c>drive-failure after K</c>), repaired at the restart.</summary>
    DriveFailure,

    /// <summary>A mount of a tape's slot loads another cartridge (<c>wrong-cartridge slot S holds V</c>).</summary>
    WrongCartridge,

    /// <summary>A cartridge holding committed copies leaves the library for good.</summary>
    LostCartridge,

    /// <summary>Blocks of a cartridge rewritten with wrong bytes and matching drive CRCs: only the HSM's checksums can see it.</summary>
    SilentCorruption,

    /// <summary>The migrator dies at a step of spec/hsm.md §3.7 (in process), and the site restarts.</summary>
    CrashAtStep,

    /// <summary>The cache area is a small tmpfs that fills up; space comes back at the recovery.</summary>
    CacheFull,

    /// <summary>The stage area is a small tmpfs that fills up during the recalls; space comes back at the recovery.</summary>
    StageFull,

    /// <summary>SIGKILL of the daemon process at seeded moments (the kill series, not an in-process case).</summary>
    Kill,
}

/// <summary>The command-line names of <see cref="CampaignFault"/> (<c>--kinds media-error-write,kill</c>).</summary>
internal static class CampaignFaultNames
{
    /// <summary>Every kind an in-process case can inject (all but <see cref="CampaignFault.Kill"/>).</summary>
    public static readonly CampaignFault[] InProcess = [.. Enum.GetValues<CampaignFault>().Where(k => k != CampaignFault.Kill)];

    /// <summary>The kebab-case name of a kind.</summary>
    public static string Name(this CampaignFault kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Parses a comma-separated list of kind names; an unknown name is an <see cref="ArgumentException"/> naming it and the known ones.</summary>
    public static CampaignFault[] Parse(string list)
    {
        var kinds = new List<CampaignFault>();
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            CampaignFault? kind = Enum.GetValues<CampaignFault>().Cast<CampaignFault?>().FirstOrDefault(k => k!.Value.Name() == name);
            kinds.Add(kind ?? throw new ArgumentException(
                $"--kinds: \"{name}\" is not a fault kind; the kinds are {string.Join(", ", Enum.GetValues<CampaignFault>().Select(k => k.Name()))}."));
        }

        return kinds.Count > 0 ? [.. kinds.Distinct()] : throw new ArgumentException("--kinds: the list is empty.");
    }
}

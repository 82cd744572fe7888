using TapeKit.Hsm.Policies;

namespace TapeKit.Cli.Hsm;

/// <summary>
/// The CLI's side of policy files: where they come from (a path or <c>-</c>) and what its help says. The format and
/// its strict reading are the HSM's (<see cref="PolicyFileReader"/>); a <see cref="PolicyFileException"/> is exit 3.
/// </summary>
public static class PolicyFile
{
    /// <summary>What the CLI help says about the format.</summary>
    public const string FormatHelp =
        "A policy file is JSON: { \"Version\": N, \"Rules\": [ { \"Name\", \"Order\", \"Match\": { attribute: anchored regex }, \"DiskLibrary\", "
        + "\"Format\": Il|Tar, \"SmallFileThreshold\", \"MaxMemberSize\", \"MaxFilesPerAggregation\", \"MaxBytes\", \"MaxWaitingTime\": \"hh:mm:ss\", "
        + "\"TapePool\", \"CopyCount\", \"Priority\": Low|Normal|High|Urgent, \"CollocateBy\": [ attribute ] } ] }, or an appsettings.json holding it "
        + "under TapeKit:Hsm:Policies. The last rule must be a catch-all (no Match).";

    /// <summary>Reads a policy set from a file and compiles it.</summary>
    /// <param name="path">The file, or <c>-</c> for standard input.</param>
    /// <param name="console">The console (standard input for <c>-</c>).</param>
    /// <returns>The set as read and its compiled selector.</returns>
    /// <exception cref="PolicyFileException">The file is not JSON, not a policy set, or the set is invalid (exit code 3); the message names the rule and field.</exception>
    /// <exception cref="IOException">The file cannot be read (exit code 5).</exception>
    public static (PolicySet Set, PolicySelector Selector) Load(string path, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(path);
        using Stream stream = CliFiles.OpenInput(path, console);
        return PolicyFileReader.Read(stream, path);
    }
}

using System.Globalization;

namespace TapeKit.Hsm.Instances;

/// <summary>
/// One run of a process instance: its stable name (configured, e.g. <c>host/role</c>) and the epoch the catalogue gave
/// this start. Worker ids derived from it (<c>role@name#epoch</c>) are unique per incarnation, so a list owner, a tape
/// reservation or a queue lease always says which run holds it — and whether that run has since been replaced.
/// </summary>
/// <param name="Name">The instance's stable name.</param>
/// <param name="Epoch">This run's epoch (≥ 1).</param>
public sealed record InstanceIncarnation(string Name, long Epoch)
{
    /// <summary>The worker id of one role of this incarnation (a migrator, the dispatcher's consumer, …).</summary>
    /// <param name="role">The role, e.g. <c>migrator-dl1</c>; it may not contain <c>@</c>.</param>
    public string WorkerId(string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        if (role.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A role may not contain '@': '{role}'.", nameof(role));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{role}@{Name}#{Epoch}");
    }

    /// <summary>Whether a worker id belongs to an earlier incarnation of this instance.</summary>
    /// <param name="workerId">A list owner, mount holder or queue lease owner.</param>
    public bool IsEarlierIncarnation(string? workerId) =>
        TryParse(workerId, out string name, out long epoch) && name == Name && epoch < Epoch;

    /// <summary>Reads the instance name and epoch out of a worker id made by <see cref="WorkerId"/>.</summary>
    /// <param name="workerId">The worker id.</param>
    /// <param name="instanceName">The instance's name.</param>
    /// <param name="epoch">The incarnation's epoch.</param>
    /// <returns><see langword="false"/> for ids of another form (a fixed id of a host without incarnations).</returns>
    public static bool TryParse(string? workerId, out string instanceName, out long epoch)
    {
        instanceName = "";
        epoch = 0;
        int at = workerId?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        int hash = workerId?.LastIndexOf('#') ?? -1;
        if (at < 1 || hash <= at + 1
            || !long.TryParse(workerId.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out epoch) || epoch < 1)
        {
            epoch = 0;
            return false;
        }

        instanceName = workerId![(at + 1)..hash];
        return true;
    }
}

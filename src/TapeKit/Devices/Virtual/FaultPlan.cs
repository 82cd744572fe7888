namespace TapeKit.Devices.Virtual;

/// <summary>
/// A list of faults in the shared text form (docs/devices/virtual-cartridge.md#faults), one per line; the
/// differential harness arms both st models from one plan, and a failing test prints it.
/// </summary>
public sealed class FaultPlan
{
    private readonly List<Fault> _faults = [];

    /// <summary>The faults in order.</summary>
    public IReadOnlyList<Fault> Faults => _faults;

    /// <summary>Adds a fault.</summary>
    /// <param name="fault">The fault.</param>
    /// <returns>This plan.</returns>
    public FaultPlan Add(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        _faults.Add(fault);
        return this;
    }

    /// <summary>Adds a fault in text form.</summary>
    /// <param name="line">A docs/devices/virtual-cartridge.md#faults line.</param>
    /// <returns>This plan.</returns>
    public FaultPlan Add(string line) => Add(Fault.Parse(line));

    /// <summary>Parses a plan: one fault per line, blank lines and <c>#</c> comments ignored.</summary>
    /// <param name="text">The plan text.</param>
    /// <returns>The plan.</returns>
    public static FaultPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plan = new FaultPlan();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Split('#')[0].Trim();
            if (line.Length > 0)
            {
                plan.Add(line);
            }
        }

        return plan;
    }

    /// <summary>The plan as text, one fault per line.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => string.Concat(_faults.Select(f => f + "\n"));
}

using System.Globalization;
using TapeKit.Checksums;
using TapeKit.Devices.St;
using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Conformance.Devices;

/// <summary>One st model under test: executes tape-script steps and renders each observation as text.</summary>
internal sealed class StSide(IStSyscalls sys, Action powerLoss, Action<string> inject, Action? swap = null)
{
    private int _fd = -1;

    public bool IsOpen => _fd >= 0;

    public string Execute(StStep step)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (step.Kind)
        {
            case StStepKind.Open:
                var r = sys.Open(step.Path, step.OpenFlagsValue);
                if (!r.Failed)
                {
                    _fd = (int)r.Value;
                    return "ok";
                }

                return r.ToString();
            case StStepKind.Close:
                var c = sys.Close(_fd);
                _fd = -1;
                return c.ToString();
            case StStepKind.Read:
                var buffer = new byte[step.A];
                var rr = sys.Read(_fd, buffer);
                return rr.Value > 0 ? string.Create(inv, $"{rr.Value} crc={Crc32C.Compute(buffer.AsSpan(0, (int)rr.Value)):x8}") : rr.ToString();
            case StStepKind.Write:
                return sys.Write(_fd, StStep.Payload(step.A, step.B)).ToString();
            case StStepKind.MtOp:
                return sys.MtOp(_fd, (short)step.A, step.B).ToString();
            case StStepKind.MtGet:
                var g = sys.MtGet(_fd, out var m);
                return g.Failed ? g.ToString() : string.Create(inv,
                    $"type={m.Type.Value:x} resid={m.Resid.Value} dsreg={m.DsReg.Value:x} gstat={m.GeneralStatus:x} erreg={m.ErReg.Value} file={m.FileNo} blk={m.BlkNo}");
            case StStepKind.MtPos:
                var p = sys.MtPos(_fd, out long position);
                return p.Failed ? p.ToString() : position.ToString(inv);
            case StStepKind.Attribute:
                return sys.ReadAttribute("/dev/nst0", step.Text!)?.Replace("\n", "\\n", StringComparison.Ordinal) ?? "(none)";
            case StStepKind.PowerLoss:
                powerLoss();
                return "done";
            case StStepKind.Swap when IsOpen || swap is null:
                return "busy";
            case StStepKind.Swap:
                swap();
                return "swapped";
            default:
                inject(step.Text!);
                return "armed";
        }
    }

    /// <summary>Closes the descriptor if one is open; returns the observation, or null.</summary>
    public string? Finish() => IsOpen ? Execute(new StStep(StStepKind.Close)) : null;
}

using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Labels;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Labels;

/// <summary>The vectorised fast path never accepts what the field-by-field checks refuse or warn about.</summary>
public sealed class LabelFastPathProperties(ITestOutputHelper output)
{
    [Fact]
    public void Fast_path_acceptance_implies_a_clean_strict_label()
    {
        var gen = FsCheck.Fluent.Gen.OneOf(LabelGenerators.Hostile80, LabelGenerators.ValidLabelBytes);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), bytes =>
        {
            if (!LabelIdsOf(bytes, out LabelKind kind) || !LabelFastPath.IsCleanStrict(bytes, kind))
            {
                return true;
            }

            List<LabelWarning>? warnings = null;
            LabelFault fault = LabelValidator.ValidateFieldByField(bytes, kind, anyKind: false, LabelReadMode.Strict, ref warnings, out _);
            return !fault.IsFault && warnings is null;
        }), 5000);
    }

    [Fact]
    public void Fast_path_accepts_every_label_the_writers_produce()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.ValidLabelBytes.ToArbitrary(), bytes =>
            LabelIdsOf(bytes, out LabelKind kind) && LabelFastPath.IsCleanStrict(bytes, kind)), 1000);
    }

    private static bool LabelIdsOf(byte[] bytes, out LabelKind kind)
    {
        foreach (LabelKind k in Enum.GetValues<LabelKind>())
        {
            if (bytes.AsSpan(0, 4).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(AnsiLabel.IdentifierOf(k))))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

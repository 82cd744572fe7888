using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Labels;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Labels;

/// <summary>Whatever the bytes, a label reader answers with a label or a <see cref="TapeFormatException"/>.</summary>
public sealed class LabelRobustnessProperties(ITestOutputHelper output)
{
    private const int Cases = 3000;

    [Fact]
    public void Any_80_bytes_parse_or_raise_TapeFormatException_in_every_parser_and_mode()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.Hostile80.ToArbitrary(), bytes =>
        {
            foreach (LabelReadMode mode in new[] { LabelReadMode.Strict, LabelReadMode.Lenient })
            {
                OnlyFormatErrors(() => AnsiLabel.Parse(bytes, mode, out _));
                OnlyFormatErrors(() => Vol1Label.Parse(bytes, mode, out _));
                OnlyFormatErrors(() => Hdr1Label.Parse(bytes, mode, out _));
                OnlyFormatErrors(() => Hdr1Label.ParsePrelabel(bytes, mode, out _));
                OnlyFormatErrors(() => Hdr2Label.Parse(bytes, mode, out _));
                OnlyFormatErrors(() => Uhl1Label.Parse(bytes, mode, out _));
            }

            // TryParse agrees with Parse, and never throws.
            bool parsed = AnsiLabel.TryParse(bytes, out _);
            bool threw = Throws(() => AnsiLabel.Parse(bytes, LabelReadMode.Strict, out _));
            return parsed != threw;
        }), Cases);
    }

    [Fact]
    public void Lenient_accepts_everything_strict_accepts_and_strict_rejects_everything_lenient_rejects()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.Hostile80.ToArbitrary(), bytes =>
        {
            bool strictOk = !Throws(() => AnsiLabel.Parse(bytes, LabelReadMode.Strict, out _));
            bool lenientOk = !Throws(() => AnsiLabel.Parse(bytes, LabelReadMode.Lenient, out _));
            return !strictOk || lenientOk;
        }), Cases);
    }

    [Fact]
    public void Parsed_labels_expose_every_typed_value_without_throwing()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.Hostile80.ToArbitrary(), bytes =>
        {
            if (!Try(() => AnsiLabel.Parse(bytes, LabelReadMode.Lenient, out _), out AnsiLabel label))
            {
                return true;
            }

            foreach (LabelField field in AnsiLabel.FieldsOf(label.Kind))
            {
                Assert.Equal(field.Length, label.FieldText(field).Length);
            }

            _ = label.Kind switch
            {
                LabelKind.Vol1 => $"{label.AsVol1().Vsn}{label.AsVol1().LbpMethod}",
                LabelKind.Hdr1 or LabelKind.Eof1 => $"{label.AsHdr1().FileSequence}{label.AsHdr1().CreationDate}{label.AsHdr1().BlockCount}{label.AsHdr1().TryGetFileId(out _)}",
                LabelKind.Hdr2 or LabelKind.Eof2 => $"{label.AsHdr2().BlockLength}{label.AsHdr2().IsCompressed}",
                _ => $"{label.AsUhl1().BlockSize}{label.AsUhl1().Identity}",
            };
            return true;
        }), Cases);
    }

    [Fact]
    public void Inputs_of_any_other_length_are_rejected_cleanly()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.WrongLength.ToArbitrary(), bytes =>
        {
            foreach (LabelReadMode mode in new[] { LabelReadMode.Strict, LabelReadMode.Lenient })
            {
                var error = Assert.Throws<TapeFormatException>(() => AnsiLabel.Parse(bytes, mode, out _));
                Assert.Equal("block", error.Field);
                Assert.Throws<TapeFormatException>(() => Uhl1Label.Parse(bytes, mode, out _));
            }

            return !AnsiLabel.TryParse(bytes, out _) && !Vol1Label.TryParse(bytes, out _);
        }), 1000);
    }

    private static void OnlyFormatErrors(Action parse)
    {
        try
        {
            parse();
        }
        catch (TapeFormatException)
        {
        }
    }

    private static bool Throws(Action parse)
    {
        try
        {
            parse();
            return false;
        }
        catch (TapeFormatException)
        {
            return true;
        }
    }

    private static bool Try<T>(Func<T> parse, out T value)
    {
        try
        {
            value = parse();
            return true;
        }
        catch (TapeFormatException)
        {
            value = default!;
            return false;
        }
    }
}

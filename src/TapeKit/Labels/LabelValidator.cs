namespace TapeKit.Labels;

/// <summary>
/// The checks of <c>spec/formats.md</c> §2.7 and F3, driven by the layout tables. Validating a good
/// label allocates nothing: faults are values, and the warning list is created on the first warning.
/// </summary>
internal static class LabelValidator
{
    /// <summary>The length of every label.</summary>
    public const int LabelLength = 80;

    /// <summary>
    /// Validates <paramref name="label"/>. With <paramref name="anyKind"/> the label may be of any
    /// kind; otherwise it must belong to <paramref name="family"/> (e.g. HDR1 or EOF1).
    /// </summary>
    /// <returns>The first error under <paramref name="mode"/>, or a fault whose <see cref="LabelFault.IsFault"/> is false.</returns>
    public static LabelFault Validate(
        ReadOnlySpan<byte> label,
        LabelKind family,
        bool anyKind,
        LabelReadMode mode,
        ref List<LabelWarning>? warnings,
        out LabelKind kind)
    {
        bool identified = LabelIds.TryIdentify(label, out kind);
        bool idAccepted = identified && (anyKind || LabelIds.InFamily(family, kind));
        LabelKind layoutKind = idAccepted ? kind : family;
        string kindText = idAccepted ? LabelIds.Text(kind) : anyKind ? "label" : LabelIds.Text(family);

        if (label.Length != LabelLength)
        {
            return new LabelFault(FaultReason.WrongLength, kindText, "block", 0, label.Length);
        }

        int bad = LabelAscii.IndexOfNonPrintable(label);
        if (bad >= 0 && (idAccepted || !anyKind || bad < 4))
        {
            LabelField field = LabelLayouts.FieldAt(layoutKind, bad).Field;
            return new LabelFault(FaultReason.NonPrintable, kindText, field.Name, field.Offset, field.Length, bad);
        }

        if (!idAccepted)
        {
            return anyKind
                ? new LabelFault(FaultReason.UnknownIdentifier, kindText, "labelId", 0, 4)
                : new LabelFault(FaultReason.WrongIdentifier, kindText, "labelId", 0, 4, expected: LabelIds.FamilyText(family));
        }

        foreach (ref readonly FieldRule rule in LabelLayouts.For(kind).AsSpan())
        {
            LabelFault fault = CheckField(label, kind, kindText, in rule, out bool relaxable);
            if (!fault.IsFault)
            {
                continue;
            }

            if (fault.Reason == FaultReason.CtaShortDate || (relaxable && mode == LabelReadMode.Lenient))
            {
                (warnings ??= []).Add(fault.ToWarning(label));
                continue;
            }

            return fault;
        }

        return default;
    }

    /// <summary>Validates a label that must be the PRELABEL HDR1 of an empty tape.</summary>
    public static LabelFault ValidatePrelabel(ReadOnlySpan<byte> label, LabelReadMode mode, ref List<LabelWarning>? warnings)
    {
        LabelFault fault = Validate(label, LabelKind.Hdr1, anyKind: false, mode, ref warnings, out LabelKind kind);
        if (fault.IsFault)
        {
            return fault;
        }

        if (kind != LabelKind.Hdr1)
        {
            return new LabelFault(FaultReason.WrongIdentifier, LabelIds.Text(kind), "labelId", 0, 4, expected: "\"HDR1\"");
        }

        if (!label.Slice(4, 17).SequenceEqual("PRELABEL         "u8))
        {
            return new LabelFault(FaultReason.NotPrelabel, "HDR1", "fileId", 4, 17);
        }

        return default;
    }

    private static LabelFault CheckField(ReadOnlySpan<byte> label, LabelKind kind, string kindText, in FieldRule rule, out bool relaxable)
    {
        relaxable = true;
        LabelField f = rule.Field;
        ReadOnlySpan<byte> value = label.Slice(f.Offset, f.Length);
        switch (rule.Check)
        {
            case FieldCheck.None:
            case FieldCheck.Identifier:
                return default;

            case FieldCheck.Blank:
                return LabelAscii.IsBlank(value) ? default : Fault(FaultReason.NotBlank, kindText, f);

            case FieldCheck.Fixed:
                return Equals(value, rule.Expected!) ? default : Fault(FaultReason.NotFixedValue, kindText, f, rule.Expected);

            case FieldCheck.BlockCount when kind == LabelKind.Hdr1:
                return Equals(value, rule.Expected!) ? default : Fault(FaultReason.NotFixedValue, kindText, f, rule.Expected);

            case FieldCheck.BlockCount:
            case FieldCheck.NonBlank:
                if (LabelAscii.IsBlank(value))
                {
                    return Fault(FaultReason.Blank, kindText, f);
                }

                return CheckEncoding(value, f, kindText);

            case FieldCheck.LabelStandard:
                if (value[0] == (byte)'3')
                {
                    return default;
                }

                relaxable = value[0] == (byte)'0';
                return Fault(FaultReason.LabelStandard, kindText, f);

            case FieldCheck.LbpMethod:
                relaxable = false;
                if (value.SequenceEqual("  "u8) || value.SequenceEqual("00"u8) || value.SequenceEqual("02"u8))
                {
                    return default;
                }

                return Fault(value.SequenceEqual("01"u8) ? FaultReason.LbpReedSolomon : FaultReason.LbpInvalid, kindText, f);

            case FieldCheck.BlockSize:
                relaxable = false;
                return LabelAscii.TryParseDecimal(value, out long size) && size >= 1 ? default : Fault(FaultReason.BlockSize, kindText, f);

            default:
                return default;
        }

    }

    private static LabelFault Fault(FaultReason reason, string kindText, LabelField f, string? expected = null) =>
        new(reason, kindText, f.Name, f.Offset, f.Length, expected: expected);

    private static LabelFault CheckEncoding(ReadOnlySpan<byte> value, LabelField f, string kindText)
    {
        switch (f.Type)
        {
            case LabelFieldType.Number when !LabelAscii.IsDigits(value):
                return new LabelFault(FaultReason.NotDecimal, kindText, f.Name, f.Offset, f.Length);
            case LabelFieldType.Date:
                LabelDate date = LabelDate.Decode(value);
                return date.Form switch
                {
                    LabelDateForm.Invalid => new LabelFault(FaultReason.BadDate, kindText, f.Name, f.Offset, f.Length),
                    LabelDateForm.CtaShort => new LabelFault(FaultReason.CtaShortDate, kindText, f.Name, f.Offset, f.Length, expected: date.ToString()),
                    _ => default,
                };
            default:
                return default;
        }
    }

    private static bool Equals(ReadOnlySpan<byte> value, string expected)
    {
        if (value.Length != expected.Length)
        {
            return false;
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }
}

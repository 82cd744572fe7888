namespace TapeKit.Labels;

/// <summary>
/// The checks of <c>docs/formats/aul.md#5-reading-and-appending</c>, F3, driven by the layout tables. Validating a good
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
        if (label.Length == LabelLength
            && LabelIds.TryIdentify(label, out kind)
            && (anyKind || LabelIds.InFamily(family, kind))
            && LabelFastPath.IsCleanStrict(label, kind))
        {
            return default;
        }

        return ValidateFieldByField(label, family, anyKind, mode, ref warnings, out kind);
    }

    /// <summary>The full checks, one field after another, naming the first fault: what the fast path falls back to.</summary>
    internal static LabelFault ValidateFieldByField(
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

        FieldRule[] rules = LabelLayouts.For(kind);
        for (int i = 0; i < rules.Length; i++)
        {
            ref readonly FieldRule rule = ref rules[i];
            FaultReason reason = CheckField(label, kind, in rule, out bool relaxable);
            if (reason == FaultReason.None)
            {
                continue;
            }

            LabelFault fault = Fault(label, reason, kindText, in rule);
            if (reason == FaultReason.CtaShortDate || (relaxable && mode == LabelReadMode.Lenient))
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

        LabelField fileId = LabelFields.Hdr1.FileId;
        if (!fileId.Of(label).SequenceEqual("PRELABEL         "u8))
        {
            return new LabelFault(FaultReason.NotPrelabel, "HDR1", fileId.Name, fileId.Offset, fileId.Length);
        }

        return default;
    }

    private static FaultReason CheckField(ReadOnlySpan<byte> label, LabelKind kind, in FieldRule rule, out bool relaxable)
    {
        relaxable = true;
        LabelField f = rule.Field;
        ReadOnlySpan<byte> value = label.Slice(f.Offset, f.Length);
        switch (rule.Check)
        {
            case FieldCheck.Blank:
                return LabelAscii.IsBlank(value) ? FaultReason.None : FaultReason.NotBlank;

            case FieldCheck.Fixed:
                return value.SequenceEqual(rule.ExpectedBytes) ? FaultReason.None : FaultReason.NotFixedValue;

            case FieldCheck.BlockCount when kind == LabelKind.Hdr1:
                return value.SequenceEqual(rule.ExpectedBytes) ? FaultReason.None : FaultReason.NotFixedValue;

            case FieldCheck.BlockCount:
            case FieldCheck.NonBlank:
                if (LabelAscii.IsBlank(value))
                {
                    return FaultReason.Blank;
                }

                return f.Type switch
                {
                    LabelFieldType.Number => LabelAscii.IsDigits(value) ? FaultReason.None : FaultReason.NotDecimal,
                    LabelFieldType.Date => LabelDate.Decode(value).Form switch
                    {
                        LabelDateForm.Invalid => FaultReason.BadDate,
                        LabelDateForm.CtaShort => FaultReason.CtaShortDate,
                        _ => FaultReason.None,
                    },
                    _ => FaultReason.None,
                };

            case FieldCheck.LabelStandard:
                relaxable = value[0] == (byte)'0';
                return value[0] == (byte)'3' ? FaultReason.None : FaultReason.LabelStandard;

            case FieldCheck.LbpMethod:
                relaxable = false;
                if (value[0] == value[1] ? value[0] is (byte)' ' or (byte)'0' : value[0] == (byte)'0' && value[1] == (byte)'2')
                {
                    return FaultReason.None;
                }

                return value.SequenceEqual("01"u8) ? FaultReason.LbpReedSolomon : FaultReason.LbpInvalid;

            case FieldCheck.BlockSize:
                relaxable = false;
                return LabelAscii.TryParseDecimal(value, out long size) && size >= 1 ? FaultReason.None : FaultReason.BlockSize;

            default:
                return FaultReason.None;
        }
    }

    private static LabelFault Fault(ReadOnlySpan<byte> label, FaultReason reason, string kindText, in FieldRule rule)
    {
        LabelField f = rule.Field;
        string? expected = reason switch
        {
            FaultReason.NotFixedValue => rule.Expected,
            FaultReason.CtaShortDate => LabelDate.Decode(label.Slice(f.Offset, f.Length)).ToString(),
            _ => null,
        };
        return new LabelFault(reason, kindText, f.Name, f.Offset, f.Length, expected: expected);
    }
}

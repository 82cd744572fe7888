using System.Runtime.Intrinsics;

namespace TapeKit.Labels;

/// <summary>
/// The fast path of validation: for a label that is valid in Strict mode with no warning — nearly
/// every label a reader meets — all blank, fixed-value and digit rules of the layout tables are
/// checked at once with 16-byte vector compares over precomputed masks, and only the few rules a
/// mask cannot express are checked one by one. Anything the fast path does not accept goes to the
/// field-by-field path, which finds and names the fault; so the fast path only has to be exact in
/// one direction: it never accepts a label the slow path would refuse or warn about.
/// </summary>
internal static class LabelFastPath
{
    private static readonly Template[] Templates = BuildTemplates();

    public static bool IsCleanStrict(ReadOnlySpan<byte> label, LabelKind kind)
    {
        Template t = Templates[(int)kind];
        Vector128<byte> nine = Vector128.Create((byte)9);
        Vector128<byte> zero = Vector128.Create((byte)'0');
        Vector128<byte> low = Vector128.Create((byte)0x20);
        Vector128<byte> span = Vector128.Create((byte)(0x7E - 0x20));
        Vector128<byte> spaces = Vector128.Create(LabelAscii.Space);
        Vector128<byte> accumulated = Vector128<byte>.Zero;
        UInt128 nonSpace = 0;
        for (int i = 0; i < LabelValidator.LabelLength; i += 16)
        {
            Vector128<byte> bytes = Vector128.Create(label.Slice(i, 16));
            Vector128<byte> fixedMiss = (bytes ^ Vector128.Create(t.FixedValue.AsSpan(i, 16))) & Vector128.Create(t.FixedMask.AsSpan(i, 16));
            Vector128<byte> notDigit = Vector128.GreaterThan(bytes - zero, nine) & Vector128.Create(t.DigitMask.AsSpan(i, 16));
            Vector128<byte> notPrintable = Vector128.GreaterThan(bytes - low, span);
            accumulated |= fixedMiss | notDigit | notPrintable;
            nonSpace |= (UInt128)(~Vector128.Equals(bytes, spaces)).ExtractMostSignificantBits() << i;
        }

        if (accumulated != Vector128<byte>.Zero)
        {
            return false;
        }

        // Every non-blank text field has a byte that is not a space.
        foreach (UInt128 field in t.NonBlankFields)
        {
            if ((nonSpace & field) == 0)
            {
                return false;
            }
        }

        foreach (int rule in t.IndividualRules)
        {
            if (!IndividualRuleHolds(label, kind, in LabelLayouts.For(kind)[rule]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IndividualRuleHolds(ReadOnlySpan<byte> label, LabelKind kind, in FieldRule rule)
    {
        ReadOnlySpan<byte> value = label.Slice(rule.Field.Offset, rule.Field.Length);
        return rule.Check switch
        {
            FieldCheck.NonBlank when rule.Field.Type == LabelFieldType.Date => IsFullFormDate(value),
            FieldCheck.LbpMethod => (value[0] == (byte)'0' && value[1] is (byte)'0' or (byte)'2') || (value[0] == (byte)' ' && value[1] == (byte)' '),
            FieldCheck.BlockSize => value.ContainsAnyExcept((byte)'0'),
            _ => throw new InvalidOperationException($"No individual fast check for {LabelIds.Text(kind)} {rule.Field.Name}."),
        };
    }

    /// <summary><c>cyyddd</c> with c a space, 0 or 1 and ddd a day of its year; bytes 1–5 are known to be digits.</summary>
    private static bool IsFullFormDate(ReadOnlySpan<byte> value)
    {
        int century = value[0] switch
        {
            LabelAscii.Space => 1900,
            (byte)'0' => 2000,
            (byte)'1' => 2100,
            _ => -1,
        };
        if (century < 0)
        {
            return false;
        }

        int year = century + ((value[1] - '0') * 10) + (value[2] - '0');
        int day = ((value[3] - '0') * 100) + ((value[4] - '0') * 10) + (value[5] - '0');
        return day >= 1 && day <= (DateTime.IsLeapYear(year) ? 366 : 365);
    }

    private static Template[] BuildTemplates()
    {
        var templates = new Template[7];
        for (var kind = LabelKind.Vol1; kind <= LabelKind.Utl1; kind++)
        {
            var t = new Template();
            FieldRule[] rules = LabelLayouts.For(kind);
            LabelIds.Bytes(kind).CopyTo(t.FixedValue);
            t.FixedMask.AsSpan(0, 4).Fill(0xFF);
            var individual = new List<int>();
            var nonBlank = new List<UInt128>();
            for (int r = 0; r < rules.Length; r++)
            {
                FieldRule rule = rules[r];
                Span<byte> mask = t.FixedMask.AsSpan(rule.Field.Offset, rule.Field.Length);
                Span<byte> value = t.FixedValue.AsSpan(rule.Field.Offset, rule.Field.Length);
                Span<byte> digits = t.DigitMask.AsSpan(rule.Field.Offset, rule.Field.Length);
                switch (rule.Check)
                {
                    case FieldCheck.Blank:
                        mask.Fill(0xFF);
                        value.Fill(LabelAscii.Space);
                        break;
                    case FieldCheck.Fixed:
                    case FieldCheck.BlockCount when kind == LabelKind.Hdr1:
                        mask.Fill(0xFF);
                        rule.ExpectedBytes.CopyTo(value);
                        break;
                    case FieldCheck.LabelStandard:
                        mask.Fill(0xFF);
                        value.Fill((byte)'3');
                        break;
                    case FieldCheck.BlockCount:
                        digits.Fill(0xFF);
                        break;
                    case FieldCheck.BlockSize:
                        digits.Fill(0xFF);
                        individual.Add(r);
                        break;
                    case FieldCheck.NonBlank when rule.Field.Type == LabelFieldType.Number:
                        digits.Fill(0xFF);
                        break;
                    case FieldCheck.NonBlank when rule.Field.Type == LabelFieldType.Date:
                        digits[1..].Fill(0xFF);
                        individual.Add(r);
                        break;
                    case FieldCheck.NonBlank:
                        nonBlank.Add(((UInt128.One << rule.Field.Length) - 1) << rule.Field.Offset);
                        break;
                    case FieldCheck.LbpMethod:
                        individual.Add(r);
                        break;
                }
            }

            t.NonBlankFields = [.. nonBlank];
            t.IndividualRules = [.. individual];
            templates[(int)kind] = t;
        }

        return templates;
    }

    private sealed class Template
    {
        public byte[] FixedMask { get; } = new byte[LabelValidator.LabelLength];

        public byte[] FixedValue { get; } = new byte[LabelValidator.LabelLength];

        public byte[] DigitMask { get; } = new byte[LabelValidator.LabelLength];

        public int[] IndividualRules { get; set; } = [];

        public UInt128[] NonBlankFields { get; set; } = [];
    }
}

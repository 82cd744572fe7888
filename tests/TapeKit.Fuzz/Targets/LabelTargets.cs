using TapeKit.Labels;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// The ANSI label parsers (src/TapeKit/Labels) in one read mode. An input of 80 bytes is one label; a longer one is
/// read as consecutive labels (up to three: a header or trailer group); any length also goes to each parser whole.
/// Documented: <see cref="TapeFormatException"/> from every Parse (and <see cref="AulChecks"/>); Try* never throw.
/// </summary>
internal static class LabelTargets
{
    private static readonly Type[] Documented = [typeof(TapeFormatException)];

    public static void Run(byte[] input, LabelReadMode mode)
    {
        ReadOnlySpan<byte> whole = input;
        Parse(input, mode);
        for (int at = 0; at + 80 <= input.Length && at < 3 * 80; at += 80)
        {
            Parse(input.AsSpan(at, 80).ToArray(), mode);
        }

        if (input.Length >= 240)
        {
            byte[] a = input[..80], b = input[80..160], c = input[160..240];
            foreach (bool header in new[] { true, false })
            {
                FuzzTarget.Expect(
                    () =>
                    {
                        FileLabelGroup group = FileLabelGroup.Parse(a, b, c, header, mode, out IReadOnlyList<LabelWarning> warnings);
                        Touch(warnings);
                        Touch(group.Label1);
                        Touch(group.Label2);
                        Touch(group.UserLabel);
                        _ = group.IsHeader;
                        if (header)
                        {
                            FuzzTarget.Expect(() => AulChecks.CheckHeaders(group, 0x1234, "A00001", 1), Documented);
                            FuzzTarget.Expect(() => AulChecks.CheckHeaders(group, group.Label1.TryGetFileId(out ulong id) ? id : 0, "A00001", group.UserLabel.FileSequence ?? 1), Documented);
                        }
                        else
                        {
                            FuzzTarget.Expect(() => AulChecks.CheckAppendTrailers(group, 1), Documented);
                            FuzzTarget.Expect(() => AulChecks.CheckBlockCount(group.Label1, 3, mode), Documented);
                        }
                    },
                    Documented);
            }
        }

        _ = whole.Length;
    }

    private static void Parse(byte[] label, LabelReadMode mode)
    {
        FuzzTarget.Expect(
            () =>
            {
                AnsiLabel l = AnsiLabel.Parse(label, mode, out IReadOnlyList<LabelWarning> warnings);
                Touch(warnings);
                _ = l.ToString();
                _ = l.GetHashCode();
                foreach (LabelField f in AnsiLabel.FieldsOf(l.Kind))
                {
                    _ = l.FieldText(f);
                }

                switch (l.Kind)
                {
                    case LabelKind.Vol1:
                        Touch(l.AsVol1());
                        break;
                    case LabelKind.Hdr1 or LabelKind.Eof1:
                        Touch(l.AsHdr1());
                        break;
                    case LabelKind.Hdr2 or LabelKind.Eof2:
                        Touch(l.AsHdr2());
                        break;
                    default:
                        Touch(l.AsUhl1());
                        break;
                }
            },
            Documented);
        FuzzTarget.Expect(() => Touch(Vol1Label.Parse(label, mode, out _)), Documented);
        FuzzTarget.Expect(() => Touch(Hdr1Label.Parse(label, mode, out _)), Documented);
        FuzzTarget.Expect(() => Touch(Hdr1Label.ParsePrelabel(label, mode, out _)), Documented);
        FuzzTarget.Expect(() => Touch(Hdr2Label.Parse(label, mode, out _)), Documented);
        FuzzTarget.Expect(() => Touch(Uhl1Label.Parse(label, mode, out _)), Documented);
        FuzzTarget.Expect(
            () =>
            {
                Vol1Label v = AulChecks.CheckVolume(label, "A00001", mode, out IReadOnlyList<LabelWarning> w);
                Touch(v);
                Touch(w);
            },
            typeof(TapeFormatException), typeof(UnsafeOperationException));
        if (mode == LabelReadMode.Strict)
        {
            // The Try forms never throw, whatever the bytes.
            if (AnsiLabel.TryParse(label, out AnsiLabel any))
            {
                _ = any.Kind;
            }

            if (Vol1Label.TryParse(label, out Vol1Label vol1))
            {
                Touch(vol1);
            }

            if (Hdr1Label.TryParse(label, out Hdr1Label hdr1))
            {
                Touch(hdr1);
            }

            if (Hdr2Label.TryParse(label, out Hdr2Label hdr2))
            {
                Touch(hdr2);
            }

            if (Uhl1Label.TryParse(label, out Uhl1Label uhl1))
            {
                Touch(uhl1);
            }
        }
    }

    private static void Touch(IReadOnlyList<LabelWarning> warnings)
    {
        foreach (LabelWarning w in warnings)
        {
            _ = w.ToString();
        }
    }

    private static void Touch(Vol1Label l)
    {
        _ = (l.Kind, l.Vsn, l.OwnerId, l.LbpMethod, l.LabelStandard, l.ToString(), l.HasVsn("A00001"));
        _ = l.Validate(LabelReadMode.Lenient);
    }

    private static void Touch(Hdr1Label l)
    {
        _ = (l.Kind, l.IsPrelabel, l.FileIdText, l.FileSetId, l.FileSection, l.FileSequence, l.Generation, l.GenerationVersion);
        _ = (l.BlockCount, l.SystemCode, l.TryGetFileId(out _), l.ToString());
        Touch(l.CreationDate);
        Touch(l.ExpirationDate);
        _ = l.Validate(LabelReadMode.Lenient);
    }

    private static void Touch(LabelDate d)
    {
        _ = (d.Form, d.ToString(), d.GetHashCode());
        if (d.HasValue)
        {
            _ = d.Value; // documented to throw only when HasValue is false
        }
    }

    private static void Touch(Hdr2Label l)
    {
        _ = (l.Kind, l.RecordFormat, l.BlockLength, l.RecordLength, l.Density, l.IsCompressed, l.BufferOffset, l.ToString());
        _ = l.Validate(LabelReadMode.Lenient);
    }

    private static void Touch(Uhl1Label l)
    {
        _ = (l.Kind, l.FileSequence, l.BlockSize, l.RecordLength, l.Site, l.MoverHost, l.DriveVendor, l.DriveModel, l.DriveSerial, l.ToString());
        _ = l.Validate(LabelReadMode.Lenient);
    }
}

using System.CommandLine;
using System.Globalization;
using TapeKit.Labels;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit label encode</c>: builds one label from typed values by a writer profile, optionally
/// overrides raw fields (<c>--set name=value</c>, for crafting test input), checks it and writes its
/// 80 bytes.
/// </summary>
public static class LabelEncodeCommand
{
    private static readonly string[] Kinds = ["vol1", "prelabel", "hdr1", "eof1", "hdr2", "eof2", "uhl1", "utl1"];

    /// <summary>Builds the command.</summary>
    /// <param name="console">The streams the command uses.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        var kind = new Option<string>("--kind") { Description = "vol1, prelabel, hdr1, eof1, hdr2, eof2, uhl1 or utl1.", Required = true };
        kind.AcceptOnlyFromAmong(Kinds);
        var profile = new Option<string>("--profile") { Description = "Writer profile (rule F1, docs/formats/aul.md): tapekit, cta or castor.", DefaultValueFactory = _ => "tapekit" };
        profile.AcceptOnlyFromAmong("tapekit", "cta", "castor");
        var version = new Option<string?>("--profile-version") { Description = "Version in the system code, e.g. 5.11.2.0 (required for cta and castor)." };
        var vsn = new Option<string?>("--vsn") { Description = "Volume serial number, 1-6 characters A-Z 0-9." };
        var fileId = new Option<string?>("--file-id") { Description = "Archive file id (or ALB aggregation id) in hexadecimal." };
        var fseq = new Option<long?>("--fseq") { Description = "File sequence number, from 1." };
        var date = new Option<string?>("--date") { Description = "Creation date yyyy-MM-dd (default: today, UTC)." };
        var blockCount = new Option<long>("--block-count") { Description = "EOF1 block count (data blocks)." };
        var blockSize = new Option<int?>("--block-size") { Description = "Data block size S in bytes." };
        var compressed = new Option<bool>("--compressed") { Description = "HDR2/EOF2: the drive compresses (recording technique P)." };
        var lbp = new Option<string>("--lbp") { Description = "VOL1 logical block protection: none or crc32c.", DefaultValueFactory = _ => "none" };
        lbp.AcceptOnlyFromAmong("none", "crc32c");
        var site = new Option<string?>("--site") { Description = "UHL1/UTL1 site." };
        var host = new Option<string?>("--host") { Description = "UHL1/UTL1 mover host." };
        var vendor = new Option<string?>("--drive-vendor") { Description = "UHL1/UTL1 drive vendor (INQUIRY)." };
        var model = new Option<string?>("--drive-model") { Description = "UHL1/UTL1 drive product id (INQUIRY; first 8 bytes kept)." };
        var serial = new Option<string?>("--drive-serial") { Description = "UHL1/UTL1 drive serial number." };
        var set = new Option<string[]>("--set") { Description = "Overwrite a raw field: NAME=VALUE (S-padded or cut; \\xNN for any byte). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var lenient = new Option<bool>("--lenient") { Description = "Check the result with Lenient rules instead of Strict." };
        var unchecked_ = new Option<bool>("--unchecked") { Description = "Do not check the result (to craft malformed labels for tests)." };
        var newline = new Option<bool>("--newline") { Description = "End the output with a newline." };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output." };

        var command = new Command("encode", "Build one 80-byte label and write it to standard output or --out.");
        foreach (Option option in new Option[] { kind, profile, version, vsn, fileId, fseq, date, blockCount, blockSize, compressed, lbp, site, host, vendor, model, serial, set, lenient, unchecked_, newline, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            LabelProfile labelProfile = LabelProfile.Create(
                parse.GetValue(profile) switch { "cta" => LabelProfileKind.Cta, "castor" => LabelProfileKind.Castor, _ => LabelProfileKind.TapeKit },
                parse.GetValue(version));
            byte[] bytes = Build(parse.GetValue(kind)!, labelProfile, parse.GetValue(vsn), parse.GetValue(fileId), parse.GetValue(fseq), ParseDate(parse.GetValue(date)),
                parse.GetValue(blockCount), parse.GetValue(blockSize), parse.GetValue(compressed), parse.GetValue(lbp) == "crc32c" ? LbpMethod.Crc32C : LbpMethod.None,
                new UserLabelIdentity(
                    LabelWriter.Sanitise(parse.GetValue(site), upper: true),
                    LabelWriter.Sanitise(parse.GetValue(host), upper: true),
                    LabelWriter.Sanitise(parse.GetValue(vendor), upper: false),
                    LabelWriter.Sanitise(parse.GetValue(model), upper: false),
                    LabelWriter.Sanitise(parse.GetValue(serial), upper: false)));
            Override(bytes, parse.GetValue(set) ?? []);
            if (!parse.GetValue(unchecked_))
            {
                AnsiLabel.Parse(bytes, parse.GetValue(lenient) ? LabelReadMode.Lenient : LabelReadMode.Strict, out _);
            }

            Write(console, parse.GetValue(output), bytes, parse.GetValue(newline));
            return ExitCodes.Success;
        });
        return command;
    }

    private static byte[] Build(string kind, LabelProfile profile, string? vsn, string? fileId, long? fseq, LabelDate date, long blockCount, int? blockSize, bool compressed, LbpMethod lbp, UserLabelIdentity identity)
    {
        byte[] bytes = new byte[AnsiLabel.Length];
        switch (kind)
        {
            case "vol1":
                Vol1Label.Create(Required(vsn, "--vsn"), profile.OwnerId, lbp).WriteTo(bytes);
                break;
            case "prelabel":
                Hdr1Label.CreatePrelabel(Required(vsn, "--vsn"), date, profile.SystemCode).WriteTo(bytes);
                break;
            case "hdr1":
            case "eof1":
                Hdr1Label.Create(kind == "hdr1" ? LabelKind.Hdr1 : LabelKind.Eof1, ParseFileId(Required(fileId, "--file-id")), Required(vsn, "--vsn"), Required(fseq, "--fseq"), date, kind == "hdr1" ? 0 : blockCount, profile.SystemCode).WriteTo(bytes);
                break;
            case "hdr2":
            case "eof2":
                Hdr2Label.Create(kind == "hdr2" ? LabelKind.Hdr2 : LabelKind.Eof2, Required(blockSize, "--block-size"), compressed).WriteTo(bytes);
                break;
            default:
                Uhl1Label.Create(kind == "uhl1" ? LabelKind.Uhl1 : LabelKind.Utl1, Required(fseq, "--fseq"), Required(blockSize, "--block-size"), identity).WriteTo(bytes);
                break;
        }

        return bytes;
    }

    private static void Override(byte[] bytes, string[] assignments)
    {
        if (assignments.Length == 0)
        {
            return;
        }

        LabelKind kind = LabelKindOf(bytes);
        foreach (string assignment in assignments)
        {
            int equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--set takes NAME=VALUE; '{assignment}' has no name.");
            }

            string name = assignment[..equals];
            LabelField field = AnsiLabel.FieldsOf(kind).FirstOrDefault(f => f.Name == name);
            if (field.Name is null)
            {
                throw new CliUsageException($"--set: a {AnsiLabel.IdentifierOf(kind)} label has no field '{name}'; its fields are {string.Join(", ", AnsiLabel.FieldsOf(kind).Select(f => f.Name))}.");
            }

            byte[] value = Unescape(assignment[(equals + 1)..]);
            Span<byte> target = bytes.AsSpan(field.Offset, field.Length);
            target.Fill((byte)' ');
            value.AsSpan(0, Math.Min(value.Length, field.Length)).CopyTo(target);
        }
    }

    private static LabelKind LabelKindOf(byte[] bytes)
    {
        foreach (LabelKind kind in Enum.GetValues<LabelKind>())
        {
            if (bytes.AsSpan(0, 4).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(AnsiLabel.IdentifierOf(kind))))
            {
                return kind;
            }
        }

        throw new InvalidOperationException("A built label has a known identifier.");
    }

    private static byte[] Unescape(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x'
                && byte.TryParse(text.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte escaped))
            {
                bytes.Add(escaped);
                i += 3;
            }
            else if (text[i] > 0x7F)
            {
                throw new CliUsageException($"--set values are ASCII; use \\xNN for byte values ('{text}').");
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }

    private static void Write(CliConsole console, string? path, byte[] bytes, bool newline)
    {
        if (path is null)
        {
            console.Output.Write(bytes);
            if (newline)
            {
                console.Output.WriteByte((byte)'\n');
            }

            console.Output.Flush();
            return;
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(bytes);
        if (newline)
        {
            file.WriteByte((byte)'\n');
        }
    }

    private static LabelDate ParseDate(string? text)
    {
        if (text is null)
        {
            return LabelDate.Today(TimeProvider.System);
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            throw new CliUsageException($"--date takes yyyy-MM-dd; '{text}' is not such a date.");
        }

        return LabelDate.FromDate(date);
    }

    private static ulong ParseFileId(string text)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong id) || id == 0)
        {
            throw new CliUsageException($"--file-id takes a non-zero hexadecimal id of up to 16 digits; '{text}' is not one.");
        }

        return id;
    }

    private static T Required<T>(T? value, string option)
        where T : class =>
        value ?? throw new CliUsageException($"This label kind needs {option}.");

    private static T Required<T>(T? value, string option)
        where T : struct =>
        value ?? throw new CliUsageException($"This label kind needs {option}.");
}

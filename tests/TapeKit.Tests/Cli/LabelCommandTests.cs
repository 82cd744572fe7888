using System.Text;
using System.Text.Json;
using TapeKit.Cli;
using TapeKit.Tests.Labels;

namespace TapeKit.Tests.Cli;

public sealed class LabelCommandTests
{
    private static readonly string[] CtaTape =
    [
        SpecVectors.CtaVol1, SpecVectors.CtaHdr1, SpecVectors.CtaHdr2, SpecVectors.CtaUhl1,
        SpecVectors.CtaEof1, SpecVectors.CtaEof2, SpecVectors.CtaUtl1,
    ];

    private static readonly string[] CastorTape =
    [
        SpecVectors.CastorVol1, SpecVectors.CastorHdr1, SpecVectors.CtaHdr2, SpecVectors.CtaUhl1,
    ];

    [Fact]
    public void Decodes_cta_written_labels_as_json_with_spec_field_names()
    {
        CliRun run = CliRun.Of(Join(CtaTape, "\n"), "label", "decode", "--json", "-");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Empty(run.Stderr);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        JsonElement[] labels = [.. json.RootElement.EnumerateArray()];
        Assert.Equal(["VOL1", "HDR1", "HDR2", "UHL1", "EOF1", "EOF2", "UTL1"], labels.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal("V12345", labels[0].GetProperty("vsn").GetString());
        Assert.Equal("CTA", labels[0].GetProperty("ownerId").GetString());
        Assert.Equal("1A2B", labels[1].GetProperty("fileId").GetString());
        Assert.Equal(1, labels[1].GetProperty("fileSequence").GetInt32());
        Assert.Equal("2024-05-02", labels[1].GetProperty("creationDate").GetString());
        Assert.Equal("CTA 5.11.2.0", labels[1].GetProperty("systemCode").GetString());
        Assert.Equal("P", labels[2].GetProperty("recordingTechnique").GetString());
        Assert.Equal(262144, labels[3].GetProperty("blockSize").GetInt32());
        Assert.Equal("TPSRV001", labels[3].GetProperty("moverHost").GetString());
        Assert.Equal(42, labels[4].GetProperty("blockCount").GetInt32());
        Assert.Equal(81 * 4, labels[4].GetProperty("offset").GetInt64());
        Assert.All(labels, l => Assert.Equal(0, l.GetProperty("warnings").GetArrayLength()));
    }

    [Fact]
    public void Decodes_castor_written_labels_from_a_file_without_separators()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("castor.labels"), Join(CastorTape, string.Empty));
        CliRun run = CliRun.Of("label", "decode", "--json", dir.File("castor.labels"));
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        Assert.Equal("CASTOR", json.RootElement[0].GetProperty("ownerId").GetString());
        Assert.Equal("CASTOR 2.1.15", json.RootElement[1].GetProperty("systemCode").GetString());
        Assert.Equal(80, json.RootElement[1].GetProperty("offset").GetInt64());
    }

    [Fact]
    public void Text_output_names_every_field_with_its_columns()
    {
        CliRun run = CliRun.Of(Join(CtaTape, "\r\n"), "label", "decode", "-");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("#2 HDR1 (byte offset 82)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("creationDate         42-47   \"024123\"  2024-05-02", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lenient_decoding_reports_warnings_in_json_and_exits_0()
    {
        string enstore = SpecVectors.EnstoreVol1;
        CliRun strict = CliRun.Of(Encoding.ASCII.GetBytes(enstore), "label", "decode", "--json", "-");
        Assert.Equal(ExitCodes.InvalidInput, strict.ExitCode);
        Assert.Empty(strict.StdoutBytes);

        CliRun lenient = CliRun.Of(Encoding.ASCII.GetBytes(enstore), "label", "decode", "--json", "--lenient", "-");
        Assert.Equal(ExitCodes.Success, lenient.ExitCode);
        using JsonDocument json = JsonDocument.Parse(lenient.StdoutBytes);
        JsonElement warning = json.RootElement[0].GetProperty("warnings")[0];
        Assert.Equal("labelStandard", warning.GetProperty("field").GetString());
        Assert.Equal(79, warning.GetProperty("offset").GetInt32());
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "empty input", string.Empty },
        { "truncated label", SpecVectors.CtaVol1[..79] },
        { "truncated second label", SpecVectors.CtaVol1 + "\n" + SpecVectors.CtaHdr1[..40] },
        { "label of 81 bytes", SpecVectors.CtaVol1 + "X" },
        { "unknown label id", "HDR9" + SpecVectors.CtaHdr1[4..] },
        { "lower-case id", "vol1" + SpecVectors.CtaVol1[4..] },
        { "NUL byte", SpecVectors.CtaUhl1[..36] + "\0" + SpecVectors.CtaUhl1[37..] },
        { "DEL byte", SpecVectors.CtaHdr2[..60] + "\u007f" + SpecVectors.CtaHdr2[61..] },
        { "tab byte", SpecVectors.CtaHdr1[..73] + "\t" + SpecVectors.CtaHdr1[74..] },
        { "lone CR separator", SpecVectors.CtaVol1 + "\r" + SpecVectors.CtaHdr1 },
        { "blank vsn", "VOL1      " + SpecVectors.CtaVol1[10..] },
        { "label standard 4", SpecVectors.CtaVol1[..79] + "4" },
        { "Reed-Solomon LBP", SpecVectors.CtaVol1[..77] + "013" },
        { "invalid LBP", SpecVectors.CtaVol1[..77] + "XY3" },
        { "VOL1 reserved byte set", SpecVectors.CtaVol1[..60] + "R" + SpecVectors.CtaVol1[61..] },
        { "file section 2", SpecVectors.CtaHdr1[..27] + "0002" + SpecVectors.CtaHdr1[31..] },
        { "non-decimal fseq", SpecVectors.CtaHdr1[..31] + "00X1" + SpecVectors.CtaHdr1[35..] },
        { "day 400", SpecVectors.CtaHdr1[..41] + "024400" + SpecVectors.CtaHdr1[47..] },
        { "HDR1 with a block count", SpecVectors.CtaHdr1[..54] + "000042" + SpecVectors.CtaHdr1[60..] },
        { "blank system code", SpecVectors.CtaHdr1[..60] + new string(' ', 20) },
        { "record format U", SpecVectors.CtaHdr2[..4] + "U" + SpecVectors.CtaHdr2[5..] },
        { "buffer offset 01", SpecVectors.CtaHdr2[..50] + "01" + SpecVectors.CtaHdr2[52..] },
        { "UHL1 block size 0", SpecVectors.CtaUhl1[..14] + "0000000000" + SpecVectors.CtaUhl1[24..] },
        { "UHL1 blank site", SpecVectors.CtaUhl1[..34] + "        " + SpecVectors.CtaUhl1[42..] },
        { "UTL1 blank serial", SpecVectors.CtaUtl1[..68] + new string(' ', 12) },
        { "binary garbage", "\u0001\u0002\u0003\u0004" + new string('\u00ff', 76) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_exits_3_with_one_line_and_no_stack_trace(string name, string input)
    {
        CliRun run = CliRun.Of(Encoding.Latin1.GetBytes(input), "label", "decode", "--json", "-");
        Assert.True(run.ExitCode == ExitCodes.InvalidInput, $"{name}: exit code {run.ExitCode}, stderr {run.Stderr}");
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith("tapekit: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.StdoutBytes);
    }

    [Fact]
    public void Error_lines_say_which_label_and_where()
    {
        string input = SpecVectors.CtaVol1 + "\n" + SpecVectors.CtaHdr1[..27] + "0002" + SpecVectors.CtaHdr1[31..];
        CliRun run = CliRun.Of(Encoding.ASCII.GetBytes(input), "label", "decode", "-");
        Assert.Equal(
            "tapekit: standard input: label 2 (byte offset 81): HDR1 field fileSection (offset 27, length 4) is \"0002\"; expected \"0001\".",
            Assert.Single(run.StderrLines));
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        CliRun run = CliRun.Of(Encoding.ASCII.GetBytes("HDR9" + SpecVectors.CtaHdr1[4..]), "label", "decode", "--verbose", "-");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("TapeFormatException", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_exit_2_and_missing_files_exit_5()
    {
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "decode").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "decode", "--no-such-option", "x").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "frobnicate").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "encode", "--kind", "hdr1", "--vsn", "V1").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "encode", "--kind", "vol1", "--vsn", "lower").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "encode", "--kind", "hdr1", "--vsn", "V1", "--fseq", "1", "--file-id", "XYZ").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "encode", "--kind", "eof1", "--profile", "cta", "--vsn", "V1", "--fseq", "1", "--file-id", "1").ExitCode);

        CliRun missing = CliRun.Of("label", "decode", "/nonexistent/labels");
        Assert.Equal(ExitCodes.DeviceOrIo, missing.ExitCode);
        Assert.Single(missing.StderrLines);
    }

    [Fact]
    public void Encode_builds_the_spec_labels_byte_for_byte()
    {
        AssertEncodes(SpecVectors.CtaVol1Lbp, "--kind", "vol1", "--vsn", "V12345", "--profile", "cta", "--profile-version", "5.11.2.0", "--lbp", "crc32c");
        AssertEncodes(SpecVectors.CtaPrelabel, "--kind", "prelabel", "--vsn", "V12345", "--profile", "cta", "--profile-version", "5.11.2.0", "--date", "2024-05-02");
        AssertEncodes(SpecVectors.CtaEof1, "--kind", "eof1", "--vsn", "V12345", "--file-id", "1A2B", "--fseq", "1", "--block-count", "42", "--profile", "cta", "--profile-version", "5.11.2.0", "--date", "2024-05-02");
        AssertEncodes(SpecVectors.CtaEof2, "--kind", "eof2", "--block-size", "262144", "--compressed");
        AssertEncodes(SpecVectors.CtaUnitTestUhl1, "--kind", "uhl1", "--fseq", "12345", "--block-size", "262144", "--site", "CERN", "--host", "TESTMOVER", "--drive-vendor", "TEST", "--drive-model", "TEST DRIVE", "--drive-serial", "XXYYTEST");
        AssertEncodes(SpecVectors.CastorHdr1, "--kind", "hdr1", "--vsn", "V12345", "--file-id", "0x1a2b", "--fseq", "1", "--profile", "castor", "--profile-version", "2.1.15", "--date", "2024-05-02");
        AssertEncodes(SpecVectors.TapeKitUhl1DriveUnknown, "--kind", "uhl1", "--fseq", "1", "--block-size", "262144", "--site", "CERN", "--host", "TPSRV001");
    }

    [Fact]
    public void Encode_set_crafts_raw_fields_and_the_result_is_checked_unless_unchecked()
    {
        CliRun invalid = CliRun.Of("label", "encode", "--kind", "vol1", "--vsn", "V1", "--set", "reserved1=X");
        Assert.Equal(ExitCodes.InvalidInput, invalid.ExitCode);
        Assert.Empty(invalid.StdoutBytes);

        CliRun crafted = CliRun.Of("label", "encode", "--kind", "vol1", "--vsn", "V1", "--set", "reserved1=\\x00", "--unchecked");
        Assert.Equal(ExitCodes.Success, crafted.ExitCode);
        Assert.Equal(0, crafted.StdoutBytes[11]);

        CliRun decoded = CliRun.Of(crafted.StdoutBytes, "label", "decode", "--lenient", "-");
        Assert.Equal(ExitCodes.InvalidInput, decoded.ExitCode);
        Assert.Contains("contains byte 0x00 at offset 11", decoded.Stderr, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Usage, CliRun.Of("label", "encode", "--kind", "vol1", "--vsn", "V1", "--set", "nosuchfield=1").ExitCode);
    }

    [Fact]
    public void Encode_writes_to_a_file_with_out()
    {
        using var dir = new TempDirectory();
        string path = dir.File("vol1.label");
        CliRun run = CliRun.Of("label", "encode", "--kind", "vol1", "--vsn", "V12345", "--profile", "cta", "--profile-version", "5.11.2.0", "--out", path, "--newline");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(SpecVectors.CtaVol1 + "\n", File.ReadAllText(path));
    }

    private static void AssertEncodes(string expected, params string[] args)
    {
        CliRun run = CliRun.Of(["label", "encode", .. args]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(expected, Encoding.ASCII.GetString(run.StdoutBytes));
    }

    private static byte[] Join(string[] labels, string separator) => Encoding.ASCII.GetBytes(string.Join(separator, labels));
}

using System.Text;
using BenchmarkDotNet.Attributes;
using TapeKit.Labels;

namespace TapeKit.Bench.Labels;

/// <summary>
/// Label parse + validate and write (issue #2 target: parse + validate ≤ 100 ns and 0 bytes
/// allocated per label). The inputs are the CTA labels of spec/formats.md §6.1.
/// </summary>
[MemoryDiagnoser]
public class LabelBenchmarks
{
    private readonly byte[] _vol1 = Ascii("VOL1V12345                           CTA                                     003");
    private readonly byte[] _hdr1 = Ascii("HDR11A2B             V1234500010001000100024123024123 000000CTA 5.11.2.0        ");
    private readonly byte[] _hdr2 = Ascii("HDR2F0000000000                   P               00                            ");
    private readonly byte[] _uhl1 = Ascii("UHL1000000000100002621440000262144CERN    TPSRV001  IBM     ULT3580-1013005289  ");
    private readonly byte[] _output = new byte[80];
    private readonly UserLabelIdentity _identity = new("CERN", "TPSRV001", "IBM", "ULT3580-TD9", "1013005289");
    private readonly LabelDate _date = LabelDate.FromDate(new DateOnly(2024, 5, 2));
    private Hdr1Label _parsedHdr1;

    [GlobalSetup]
    public void Setup() => _parsedHdr1 = Hdr1Label.Parse(_hdr1);

    [Benchmark(Description = "VOL1 parse+validate")]
    public LbpMethod ParseVol1() => Vol1Label.Parse(_vol1).LbpMethod;

    [Benchmark(Description = "HDR1 parse+validate")]
    public int? ParseHdr1() => Hdr1Label.Parse(_hdr1).FileSequence;

    [Benchmark(Description = "HDR2 parse+validate")]
    public int? ParseHdr2() => Hdr2Label.Parse(_hdr2).BlockLength;

    [Benchmark(Description = "UHL1 parse+validate")]
    public long? ParseUhl1() => Uhl1Label.Parse(_uhl1).BlockSize;

    [Benchmark(Description = "any label parse+validate (HDR1)")]
    public LabelKind ParseAny() => AnsiLabel.Parse(_hdr1, LabelReadMode.Strict, out _).Kind;

    [Benchmark(Description = "HDR1 TryParse (strict)")]
    public bool TryParseHdr1() => Hdr1Label.TryParse(_hdr1, out _);

    [Benchmark(Description = "HDR1 parse+validate lenient")]
    public int LenientHdr1()
    {
        Hdr1Label.Parse(_hdr1, LabelReadMode.Lenient, out IReadOnlyList<LabelWarning> warnings);
        return warnings.Count;
    }

    [Benchmark(Description = "HDR1 create+write")]
    public byte WriteHdr1()
    {
        Hdr1Label.Create(LabelKind.Hdr1, 0x1A2B, "V12345", 1, _date, 0, "CTA 5.11.2.0").WriteTo(_output);
        return _output[79];
    }

    [Benchmark(Description = "EOF1 from HDR1 + write")]
    public byte WriteEof1()
    {
        _parsedHdr1.ToTrailer(42).WriteTo(_output);
        return _output[79];
    }

    [Benchmark(Description = "UHL1 create+write")]
    public byte WriteUhl1()
    {
        Uhl1Label.Create(LabelKind.Uhl1, 1, 262144, _identity).WriteTo(_output);
        return _output[79];
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}

using System.Text;

namespace TapeKit.Tests.Labels;

/// <summary>The label literals of spec/formats.md §6.1, byte for byte.</summary>
internal static class SpecVectors
{
    public const string CtaVol1 = "VOL1V12345                           CTA                                     003";
    public const string CtaVol1Lbp = "VOL1V12345                           CTA                                     023";
    public const string CtaPrelabel = "HDR1PRELABEL         V1234500010001000100024123024123 000000CTA 5.11.2.0        ";
    public const string CtaHdr1 = "HDR11A2B             V1234500010001000100024123024123 000000CTA 5.11.2.0        ";
    public const string CtaHdr2 = "HDR2F0000000000                   P               00                            ";
    public const string CtaUhl1 = "UHL1000000000100002621440000262144CERN    TPSRV001  IBM     ULT3580-1013005289  ";
    public const string CtaEof1 = "EOF11A2B             V1234500010001000100024123024123 000042CTA 5.11.2.0        ";
    public const string CtaEof2 = "EOF2F0000000000                   P               00                            ";
    public const string CtaUtl1 = "UTL1000000000100002621440000262144CERN    TPSRV001  IBM     ULT3580-1013005289  ";

    public const string TapeKitVol1 = "VOL1V12345                           TAPEKIT                                 003";
    public const string TapeKitHdr1 = "HDR11A2B             V1234500010001000100024123024123 000000TAPEKIT 1.0.0       ";
    public const string TapeKitUhl1DriveUnknown = "UHL1000000000100002621440000262144CERN    TPSRV001  UNKNOWN UNKNOWN UNKNOWN     ";
    public const string CastorVol1 = "VOL1V12345                           CASTOR                                  003";
    public const string CastorHdr1 = "HDR11A2B             V1234500010001000100024123024123 000000CASTOR 2.1.15       ";

    public const string AlbHdr1 = "HDR1A1B2C3D4E5F60718 V1234500010002000100024123024123 000000TAPEKIT 1.0.0       ";
    public const string AlbEof1 = "EOF1A1B2C3D4E5F60718 V1234500010002000100024123024123 001234TAPEKIT 1.0.0       ";

    public const string CtaUnitTestUhl1 = "UHL1000001234500002621440000262144CERN    TESTMOVER TEST    TEST DRIXXYYTEST    ";

    public const string EnstoreVol1 = "VOL1V12345                                                                     0";

    public static readonly DateOnly Date = new(2024, 5, 2);

    public static byte[] Bytes(string label)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(label);
        Assert.Equal(80, bytes.Length);
        return bytes;
    }

    public static string Text(Action<Span<byte>> write)
    {
        byte[] buffer = new byte[80];
        write(buffer);
        return Encoding.ASCII.GetString(buffer);
    }
}

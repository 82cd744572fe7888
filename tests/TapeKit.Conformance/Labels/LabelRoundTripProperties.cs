using FsCheck;
using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Labels;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Labels;

/// <summary>For every label kind, write → parse → write is the identity over valid field values.</summary>
public sealed class LabelRoundTripProperties(ITestOutputHelper output)
{
    private const int Cases = 1000;

    [Fact]
    public void Vol1_round_trips()
    {
        var gen = from vsn in LabelGenerators.Vsn
                  from profile in LabelGenerators.Profile
                  from lbp in Gen.Elements(LbpMethod.None, LbpMethod.Crc32C)
                  select (vsn, profile, lbp);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), v =>
        {
            Vol1Label label = Vol1Label.Create(v.vsn, v.profile.OwnerId, v.lbp);
            Vol1Label parsed = RoundTrip(label);
            return parsed.Vsn == v.vsn && parsed.OwnerId == v.profile.OwnerId && parsed.LbpMethod == v.lbp && parsed.LabelStandard == '3';
        }), Cases);
    }

    [Fact]
    public void Hdr1_and_eof1_round_trip()
    {
        var gen = from vsn in LabelGenerators.Vsn
                  from fileId in LabelGenerators.FileId
                  from fseq in LabelGenerators.FileSequence
                  from date in LabelGenerators.Date
                  from blocks in LabelGenerators.BlockCount
                  from profile in LabelGenerators.Profile
                  select (vsn, fileId, fseq, date, blocks, profile);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), v =>
        {
            Hdr1Label hdr1 = Hdr1Label.Create(LabelKind.Hdr1, v.fileId, v.vsn, v.fseq, v.date, 0, v.profile.SystemCode);
            Hdr1Label eof1 = RoundTrip(RoundTrip(hdr1).ToTrailer(v.blocks));
            return RoundTrip(hdr1).TryGetFileId(out ulong id) && id == v.fileId
                && eof1.Kind == LabelKind.Eof1
                && eof1.FileSetId == v.vsn
                && eof1.FileSequence == v.fseq % 10_000
                && eof1.BlockCount == v.blocks % 1_000_000
                && eof1.CreationDate == v.date && eof1.ExpirationDate == v.date
                && eof1.SystemCode == Cut(v.profile.SystemCode, 13)
                && eof1 == Hdr1Label.Create(LabelKind.Eof1, v.fileId, v.vsn, v.fseq, v.date, v.blocks, v.profile.SystemCode);
        }), Cases);
    }

    [Fact]
    public void Prelabel_round_trips()
    {
        var gen = from vsn in LabelGenerators.Vsn
                  from date in LabelGenerators.Date
                  from profile in LabelGenerators.Profile
                  select (vsn, date, profile);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), v =>
        {
            Hdr1Label label = Hdr1Label.CreatePrelabel(v.vsn, v.date, v.profile.SystemCode);
            byte[] bytes = new byte[80];
            label.WriteTo(bytes);
            Hdr1Label parsed = Hdr1Label.ParsePrelabel(bytes, LabelReadMode.Strict, out var warnings);
            return warnings.Count == 0 && parsed == label && parsed.IsPrelabel && parsed.FileSequence == 1 && parsed.CreationDate == v.date;
        }), Cases);
    }

    [Fact]
    public void Hdr2_and_eof2_round_trip()
    {
        var gen = from size in LabelGenerators.BlockSize
                  from compressed in Gen.Elements(true, false)
                  select (size, compressed);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), v =>
        {
            Hdr2Label hdr2 = RoundTrip(Hdr2Label.Create(LabelKind.Hdr2, v.size, v.compressed));
            Hdr2Label eof2 = RoundTrip(hdr2.ToTrailer());
            int expected = v.size < 100_000 ? v.size : 0;
            return hdr2.BlockLength == expected && hdr2.RecordLength == expected && hdr2.IsCompressed == v.compressed
                && eof2.Kind == LabelKind.Eof2 && eof2 == Hdr2Label.Create(LabelKind.Eof2, v.size, v.compressed);
        }), Cases);
    }

    [Fact]
    public void Uhl1_and_utl1_round_trip()
    {
        var gen = from fseq in LabelGenerators.FileSequence
                  from size in LabelGenerators.BlockSize
                  from identity in LabelGenerators.Identity
                  select (fseq, size, identity);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), v =>
        {
            Uhl1Label uhl1 = RoundTrip(Uhl1Label.Create(LabelKind.Uhl1, v.fseq, v.size, v.identity));
            Uhl1Label utl1 = RoundTrip(uhl1.ToTrailer());
            return uhl1.FileSequence == v.fseq && uhl1.BlockSize == v.size && uhl1.RecordLength == v.size
                && uhl1.Site == Cut(v.identity.Site, 8).TrimEnd()
                && uhl1.MoverHost == Cut(v.identity.MoverHost, 10).TrimEnd()
                && uhl1.DriveVendor == Cut(v.identity.DriveVendor, 8).TrimEnd()
                && uhl1.DriveModel == Cut(v.identity.DriveModel, 8).TrimEnd()
                && uhl1.DriveSerial == Cut(v.identity.DriveSerial, 12).TrimEnd()
                && utl1.Kind == LabelKind.Utl1 && utl1.Identity == uhl1.Identity;
        }), Cases);
    }

    [Fact]
    public void Any_valid_label_bytes_round_trip_through_the_generic_parser()
    {
        PropertyRun.Check(output, Prop.ForAll(LabelGenerators.ValidLabelBytes.ToArbitrary(), bytes =>
        {
            AnsiLabel label = AnsiLabel.Parse(bytes, LabelReadMode.Strict, out var warnings);
            byte[] written = new byte[80];
            label.WriteTo(written);
            return warnings.Count == 0 && written.AsSpan().SequenceEqual(bytes);
        }), Cases);
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    private static T RoundTrip<T>(T label)
        where T : struct, IAnsiLabel<T>
    {
        byte[] first = new byte[80];
        label.WriteTo(first);
        T parsed = T.Parse(first, LabelReadMode.Strict, out var warnings);
        Assert.Empty(warnings);
        byte[] second = new byte[80];
        parsed.WriteTo(second);
        Assert.Equal(first, second);
        return parsed;
    }
}

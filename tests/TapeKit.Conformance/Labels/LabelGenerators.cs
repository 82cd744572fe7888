using FsCheck;
using FsCheck.Fluent;
using TapeKit.Labels;

namespace TapeKit.Conformance.Labels;

/// <summary>Generators of valid label field values and of hostile label bytes.</summary>
internal static class LabelGenerators
{
    private const string VsnAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static Gen<string> Vsn =>
        from length in Gen.Choose(1, 6)
        from chars in Gen.ArrayOf(Gen.Elements(VsnAlphabet.ToCharArray()), length)
        select new string(chars);

    /// <summary>Printable ASCII text that is not blank, up to <paramref name="maxLength"/> characters.</summary>
    public static Gen<string> Text(int maxLength) =>
        from length in Gen.Choose(1, maxLength)
        from chars in Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c), length)
        let text = new string(chars)
        where text.Trim().Length > 0
        select text;

    public static Gen<ulong> FileId =>
        Gen.OneOf(
            Gen.Choose(1, int.MaxValue).Select(i => (ulong)i),
            Gen.Choose(0, int.MaxValue).Two().Select(t => ((ulong)t.Item1 << 33) ^ ((ulong)t.Item2 << 2) ^ 1UL),
            Gen.Constant(ulong.MaxValue));

    public static Gen<long> FileSequence =>
        Gen.OneOf(
            Gen.Choose(1, 20_000).Select(i => (long)i),
            Gen.Choose(0, int.MaxValue).Select(i => 1 + ((long)i * 2)),
            Gen.Constant((long)uint.MaxValue));

    public static Gen<long> BlockCount =>
        Gen.OneOf(Gen.Choose(0, 2_000_000).Select(i => (long)i), Gen.Choose(0, int.MaxValue).Select(i => (long)i * 1000));

    public static Gen<int> BlockSize =>
        Gen.OneOf(Gen.Choose(1, 100_000), Gen.Elements(80, 32760, 99_999, 100_000, 262_144, 1_048_576, 8_388_608, int.MaxValue));

    public static Gen<LabelDate> Date =>
        Gen.Choose(0, 109_572).Select(d => LabelDate.FromDate(new DateOnly(1900, 1, 1).AddDays(d)));

    public static Gen<string> Version =>
        from parts in Gen.ArrayOf(Gen.Choose(0, 999), 3)
        select string.Join('.', parts);

    public static Gen<LabelProfile> Profile =>
        from kind in Gen.Elements(LabelProfileKind.TapeKit, LabelProfileKind.Cta, LabelProfileKind.Castor)
        from version in Version
        select LabelProfile.Create(kind, version);

    public static Gen<UserLabelIdentity> Identity =>
        from site in Text(12)
        from host in Text(14)
        from vendor in Text(10)
        from model in Text(16)
        from serial in Text(14)
        select new UserLabelIdentity(site, host, vendor, model, serial);

    /// <summary>Eighty bytes that are the worst a reader meets: random, printable, or a valid label with bytes changed.</summary>
    public static Gen<byte[]> Hostile80 =>
        Gen.OneOf(RandomBytes(80), PrintableWithKnownId, MutatedValidLabel);

    /// <summary>Byte arrays of any length but 80.</summary>
    public static Gen<byte[]> WrongLength =>
        from length in Gen.OneOf(Gen.Choose(0, 79), Gen.Choose(81, 400))
        from bytes in RandomBytes(length)
        select bytes;

    public static Gen<byte[]> RandomBytes(int length) =>
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length);

    private static Gen<byte[]> PrintableWithKnownId =>
        from id in Gen.Elements("VOL1", "HDR1", "EOF1", "HDR2", "EOF2", "UHL1", "UTL1")
        from rest in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant((byte)' ')), (3, Gen.Choose('0', '9').Select(c => (byte)c)), (2, Gen.Choose(0x20, 0x7E).Select(c => (byte)c))), 76)
        select System.Text.Encoding.ASCII.GetBytes(id).Concat(rest).ToArray();

    private static Gen<byte[]> MutatedValidLabel =>
        from label in ValidLabelBytes
        from count in Gen.Choose(1, 4)
        from positions in Gen.ArrayOf(Gen.Choose(0, 79), count)
        from values in Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0, 255))), count)
        select Mutate(label, positions, values);

    public static Gen<byte[]> ValidLabelBytes =>
        from profile in Profile
        from vsn in Vsn
        from fileId in FileId
        from fseq in FileSequence
        from date in Date
        from blocks in BlockCount
        from size in BlockSize
        from compressed in Gen.Elements(true, false)
        from identity in Identity
        from which in Gen.Choose(0, 7)
        select Bytes(which, profile, vsn, fileId, fseq, date, blocks, size, compressed, identity);

    private static byte[] Mutate(byte[] label, int[] positions, int[] values)
    {
        byte[] copy = (byte[])label.Clone();
        for (int i = 0; i < positions.Length; i++)
        {
            copy[positions[i]] = (byte)values[i];
        }

        return copy;
    }

    private static byte[] Bytes(int which, LabelProfile profile, string vsn, ulong fileId, long fseq, LabelDate date, long blocks, int size, bool compressed, UserLabelIdentity identity)
    {
        byte[] bytes = new byte[80];
        switch (which)
        {
            case 0: Vol1Label.Create(vsn, profile.OwnerId, compressed ? LbpMethod.Crc32C : LbpMethod.None).WriteTo(bytes); break;
            case 1: Hdr1Label.CreatePrelabel(vsn, date, profile.SystemCode).WriteTo(bytes); break;
            case 2: Hdr1Label.Create(LabelKind.Hdr1, fileId, vsn, fseq, date, 0, profile.SystemCode).WriteTo(bytes); break;
            case 3: Hdr1Label.Create(LabelKind.Eof1, fileId, vsn, fseq, date, blocks, profile.SystemCode).WriteTo(bytes); break;
            case 4: Hdr2Label.Create(LabelKind.Hdr2, size, compressed).WriteTo(bytes); break;
            case 5: Hdr2Label.Create(LabelKind.Eof2, size, compressed).WriteTo(bytes); break;
            case 6: Uhl1Label.Create(LabelKind.Uhl1, fseq, size, identity).WriteTo(bytes); break;
            default: Uhl1Label.Create(LabelKind.Utl1, fseq, size, identity).WriteTo(bytes); break;
        }

        return bytes;
    }
}

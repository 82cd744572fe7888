using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TapeKit.Labels;

/// <summary>Why a label field is at fault; each reason has one message form.</summary>
internal enum FaultReason : byte
{
    None,
    WrongLength,
    NonPrintable,
    UnknownIdentifier,
    WrongIdentifier,
    NotBlank,
    Blank,
    NotFixedValue,
    NotDecimal,
    BadDate,
    CtaShortDate,
    LabelStandard,
    LbpReedSolomon,
    LbpInvalid,
    BlockSize,
    NotPrelabel,
}

/// <summary>
/// A fault found by <see cref="LabelValidator"/>: a value type, so that validating a good label
/// allocates nothing; the message is built only when an exception or warning is made from it.
/// </summary>
internal readonly struct LabelFault
{
    public LabelFault(FaultReason reason, string kind, string field, int offset, int length, int byteOffset = -1, string? expected = null)
    {
        Reason = reason;
        Kind = kind;
        Field = field;
        Offset = offset;
        Length = length;
        ByteOffset = byteOffset;
        Expected = expected;
    }

    public FaultReason Reason { get; }

    public string Kind { get; }

    public string Field { get; }

    public int Offset { get; }

    public int Length { get; }

    /// <summary>For <see cref="FaultReason.NonPrintable"/>: the offset of the byte itself.</summary>
    public int ByteOffset { get; }

    public string? Expected { get; }

    public bool IsFault => Reason != FaultReason.None;

    public string Message(ReadOnlySpan<byte> label)
    {
        string where = string.Create(CultureInfo.InvariantCulture, $"{Kind} field {Field} (offset {Offset}, length {Length})");
        string found = Found(label);
        return Reason switch
        {
            FaultReason.WrongLength => string.Create(CultureInfo.InvariantCulture, $"A {Kind} label is exactly 80 bytes; this block is {label.Length} bytes."),
            FaultReason.NonPrintable => string.Create(CultureInfo.InvariantCulture, $"{where} contains byte 0x{label[ByteOffset]:X2} at offset {ByteOffset}."),
            FaultReason.UnknownIdentifier => $"{where} is \"{found}\"; expected one of VOL1, HDR1, EOF1, HDR2, EOF2, UHL1, UTL1.",
            FaultReason.WrongIdentifier => $"{where} is \"{found}\"; expected {Expected}.",
            FaultReason.NotBlank => $"{where} is \"{found}\"; expected blanks.",
            FaultReason.Blank => $"{where} is blank; a value is required.",
            FaultReason.NotFixedValue => $"{where} is \"{found}\"; expected \"{Expected}\".",
            FaultReason.NotDecimal => $"{where} is \"{found}\"; expected decimal digits.",
            FaultReason.BadDate => $"{where} is \"{found}\"; expected a date cyyddd (c a space, 0 or 1; ddd a day 001-366 of its year) or 000000.",
            FaultReason.CtaShortDate => $"{where} is \"{found}\", the CTA short date form; read as {Expected}.",
            FaultReason.LabelStandard => $"{where} is \"{found}\"; expected \"3\" (\"0\" is accepted in lenient mode).",
            FaultReason.LbpReedSolomon => $"{where} is \"{found}\": Reed-Solomon logical block protection is not supported; expected \"00\" or \"02\".",
            FaultReason.LbpInvalid => $"{where} is \"{found}\"; expected \"00\" (no protection), \"02\" (CRC32C) or blanks.",
            FaultReason.BlockSize => $"{where} is \"{found}\"; expected a decimal block size of at least 1.",
            FaultReason.NotPrelabel => $"{where} is \"{found}\"; expected \"PRELABEL\" on a prelabelled tape.",
            _ => where,
        };
    }

    public TapeFormatException ToException(ReadOnlySpan<byte> label)
    {
        int offset = Reason == FaultReason.NonPrintable ? ByteOffset : Offset;
        return new TapeFormatException(Message(label), Kind, Field, offset, Length, Found(label));
    }

    public LabelWarning ToWarning(ReadOnlySpan<byte> label)
    {
        int offset = Reason == FaultReason.NonPrintable ? ByteOffset : Offset;
        return new LabelWarning(Kind, Field, offset, Length, Found(label), Message(label));
    }

    [DoesNotReturn]
    public void Throw(ReadOnlySpan<byte> label) => throw ToException(label);

    private string Found(ReadOnlySpan<byte> label)
    {
        if (Reason == FaultReason.WrongLength || Offset + Length > label.Length)
        {
            return TapeFormatException.Printable(label);
        }

        return TapeFormatException.Printable(label.Slice(Offset, Length));
    }
}

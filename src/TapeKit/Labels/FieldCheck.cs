namespace TapeKit.Labels;

/// <summary>What a reader checks in one field (<c>docs/formats/aul.md#5-reading-and-appending</c>).</summary>
internal enum FieldCheck : byte
{
    /// <summary>Not checked (VOL1 <c>ownerId</c>, HDR2 <c>density</c>, <c>recordingTechnique</c>).</summary>
    None,

    /// <summary>The label identifier: never relaxed.</summary>
    Identifier,

    /// <summary>Must be blank (reserved, accessibility, implementation id): Strict error, Lenient warning.</summary>
    Blank,

    /// <summary>Must be non-blank: Strict error, Lenient warning.</summary>
    NonBlank,

    /// <summary>Must equal the expected value: Strict error, Lenient warning.</summary>
    Fixed,

    /// <summary>HDR1: <c>000000</c>; EOF1: non-blank.</summary>
    BlockCount,

    /// <summary>VOL1 <c>labelStandard</c>: <c>3</c>; <c>0</c> is a Lenient warning; anything else an error.</summary>
    LabelStandard,

    /// <summary>VOL1 <c>lbpMethod</c>: spaces, <c>00</c> or <c>02</c>; never relaxed.</summary>
    LbpMethod,

    /// <summary>UHL1 <c>blockSize</c>: a decimal ≥ 1; never relaxed.</summary>
    BlockSize,
}

/// <summary>A field of a layout with the check a reader applies to it.</summary>
/// <param name="Field">The field.</param>
/// <param name="Check">The check.</param>
/// <param name="Expected">The expected text of a <see cref="FieldCheck.Fixed"/> field.</param>
internal readonly record struct FieldRule(LabelField Field, FieldCheck Check, string? Expected = null)
{
    /// <summary>The expected value as bytes, for a vectorised compare.</summary>
    public byte[] ExpectedBytes { get; } = Expected is null ? [] : System.Text.Encoding.ASCII.GetBytes(Expected);
}

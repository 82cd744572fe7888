namespace TapeKit.Labels;

/// <summary>What every 80-byte label struct offers: parse, validate, write (<c>docs/formats/aul.md</c>).</summary>
/// <typeparam name="TSelf">The label struct.</typeparam>
public interface IAnsiLabel<TSelf>
    where TSelf : struct, IAnsiLabel<TSelf>
{
    /// <summary>The label's kind, from its identifier.</summary>
    LabelKind Kind { get; }

    /// <summary>Parses and validates a label of this struct's kinds.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <param name="mode">Strict (the CTA rules) or Lenient (F3).</param>
    /// <param name="warnings">What Lenient mode accepted, and CTA short dates; empty when none.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid label under <paramref name="mode"/>.</exception>
    static abstract TSelf Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings);

    /// <summary>Parses and validates a label in Strict mode without throwing.</summary>
    /// <param name="label">The bytes.</param>
    /// <param name="result">The label, when valid.</param>
    /// <returns>Whether the bytes are a valid label of this struct's kinds.</returns>
    static abstract bool TryParse(ReadOnlySpan<byte> label, out TSelf result);

    /// <summary>Checks the label again under <paramref name="mode"/>.</summary>
    /// <param name="mode">Strict or Lenient.</param>
    /// <returns>The warnings.</returns>
    /// <exception cref="TapeFormatException">The label is not valid under <paramref name="mode"/>.</exception>
    IReadOnlyList<LabelWarning> Validate(LabelReadMode mode = LabelReadMode.Strict);

    /// <summary>Writes the 80 bytes.</summary>
    /// <param name="destination">At least 80 bytes.</param>
    void WriteTo(Span<byte> destination);
}

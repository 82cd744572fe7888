namespace TapeKit.Labels;

/// <summary>
/// A fault a Lenient reader accepted, or a form it decoded with a remark (CTA's short date form):
/// returned with the decoded label, never logged by the core (<c>docs/formats/rules.md#fmt-f3-4</c>, F3.4).
/// </summary>
/// <param name="Kind">The label kind, e.g. <c>HDR1</c>.</param>
/// <param name="Field">The field's camelCase name.</param>
/// <param name="Offset">The 0-based offset of the field (or of the byte at fault).</param>
/// <param name="Length">The field's length.</param>
/// <param name="OffendingBytes">The bytes found, shown printable.</param>
/// <param name="Message">A sentence naming label, field, offset, what was found and what was expected.</param>
public sealed record LabelWarning(string Kind, string Field, int Offset, int Length, string OffendingBytes, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}

namespace TapeKit.Labels;

/// <summary>How strictly a label is checked when read (<c>docs/formats/rules.md#fmt-f3</c>, F3).</summary>
public enum LabelReadMode
{
    /// <summary>Every check of docs/formats/aul.md#5-reading-and-appending is an error: the rules CTA applies. The default.</summary>
    Strict,

    /// <summary>
    /// Reserved and fixed-value fields, blank mandatory fields (except UHL1 <c>blockSize</c>),
    /// label standard <c>0</c>, malformed numbers and dates are reported as warnings. What protects
    /// against the wrong cartridge or position (F3.3) is never relaxed.
    /// </summary>
    Lenient,
}

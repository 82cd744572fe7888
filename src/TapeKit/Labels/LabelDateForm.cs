namespace TapeKit.Labels;

/// <summary>Which of the forms of <c>docs/formats/rules.md#fmt-f2</c>, F2 a label date field holds.</summary>
public enum LabelDateForm
{
    /// <summary>All spaces (also the value of <c>default(LabelDate)</c>).</summary>
    Blank,

    /// <summary><c>cyyddd</c>: century character (space, <c>0</c> or <c>1</c>), year, day of the year.</summary>
    Full,

    /// <summary><c>000000</c>: no date (Enstore writes it as expiration date).</summary>
    NoDate,

    /// <summary>CTA's short form for 2000–2009: <c>0</c>, one year digit, three day digits, a space.</summary>
    CtaShort,

    /// <summary>None of the accepted forms (kept as raw text in Lenient mode).</summary>
    Invalid,
}

namespace TapeKit.Labels;

/// <summary>How the bytes of a label field are encoded (<c>docs/formats/README.md</c>).</summary>
public enum LabelFieldType
{
    /// <summary>The four-byte label identifier, such as <c>VOL1</c>.</summary>
    Identifier,

    /// <summary>Text, left-justified and padded with spaces (S-pad).</summary>
    Text,

    /// <summary>A decimal number, right-justified and padded with zeros (Z-pad).</summary>
    Number,

    /// <summary>A date in the <c>cyyddd</c> form of F2.</summary>
    Date,
}

namespace TapeKit.Labels;

/// <summary>The writer profiles of <c>docs/formats/rules.md#fmt-f1</c>, F1: they differ only in owner and system code.</summary>
public enum LabelProfileKind
{
    /// <summary>TapeKit's own: owner <c>TAPEKIT</c>, system code <c>TAPEKIT</c> + package version.</summary>
    TapeKit,

    /// <summary>As CTA ≥ 4.7.13 writes: owner <c>CTA</c>, system code <c>CTA</c> + the release imitated.</summary>
    Cta,

    /// <summary>As CASTOR (and CTA before 4.7.13) writes: owner <c>CASTOR</c>, system code <c>CASTOR</c> + base version.</summary>
    Castor,
}

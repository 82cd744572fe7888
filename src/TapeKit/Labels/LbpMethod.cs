namespace TapeKit.Labels;

/// <summary>The logical block protection a tape announces in VOL1 <c>lbpMethod</c> (<c>docs/formats/aul.md#6-logical-block-protection</c>).</summary>
public enum LbpMethod
{
    /// <summary>No protection: <c>00</c>, or two spaces on legacy CASTOR tapes.</summary>
    None,

    /// <summary>CRC32C (Castagnoli) appended little-endian to every block: <c>02</c>.</summary>
    Crc32C,
}

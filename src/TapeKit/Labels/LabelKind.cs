namespace TapeKit.Labels;

/// <summary>The kinds of 80-byte ANSI label TapeKit reads and writes (<c>docs/formats/aul.md</c>).</summary>
public enum LabelKind
{
    /// <summary><c>VOL1</c>, the volume label at the start of a labelled tape.</summary>
    Vol1,

    /// <summary><c>HDR1</c>, the first file header label (also the PRELABEL header of an empty tape).</summary>
    Hdr1,

    /// <summary><c>EOF1</c>, the first file trailer label: HDR1 with the block count filled in.</summary>
    Eof1,

    /// <summary><c>HDR2</c>, the second file header label: record format and block length.</summary>
    Hdr2,

    /// <summary><c>EOF2</c>, the second file trailer label: HDR2 again.</summary>
    Eof2,

    /// <summary><c>UHL1</c>, CERN's user header label: real fseq, block size, site, mover and drive.</summary>
    Uhl1,

    /// <summary><c>UTL1</c>, CERN's user trailer label: UHL1 again.</summary>
    Utl1,
}

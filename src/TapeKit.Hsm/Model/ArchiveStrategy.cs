namespace TapeKit.Hsm.Model;

/// <summary>How a file is written to tape (docs/hsm/overview.md#policies).</summary>
public enum ArchiveStrategy
{
    /// <summary>Packed with other small files into one aggregation (one tape file).</summary>
    Aggregate,
    /// <summary>Its own tape file (a one-member aggregation of format <see cref="AggregationPayloadFormat.None"/>).</summary>
    Direct,
}

/// <summary>The payload format of an aggregation.</summary>
public enum AggregationPayloadFormat
{
    /// <summary>A plain payload: a direct tape file holding one user file.</summary>
    None,
    /// <summary>IL (ALB 01.00): block-aligned, self-describing blocks; suited to large members.</summary>
    Il,
    /// <summary>Tar: members on 512-byte boundaries with a manifest; the default for small files.</summary>
    Tar,
}

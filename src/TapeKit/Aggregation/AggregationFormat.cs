namespace TapeKit.Aggregation;

/// <summary>The payload formats of an aggregation (ALB tape file, docs/formats/README.md).</summary>
public enum AggregationFormat
{
    /// <summary>IL 01.00: a 1024-byte header in every block, every member on a block boundary (F5).</summary>
    Il,

    /// <summary>A GNU tar archive in fixed tape blocks, with a <c>TAPEKIT-MANIFEST.json</c> last member (F6).</summary>
    Tar,
}

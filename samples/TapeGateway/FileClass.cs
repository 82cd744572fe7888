namespace TapeGateway;

/// <summary>
/// A file class and its migration policy (CASTOR: a file class and its tape pool): small files are aggregated into ALB
/// tape files, large ones written one AUL file each, and a class may ask for an unlabelled (NL) pool instead.
/// </summary>
public sealed class FileClass
{
    /// <summary>The class name files are tagged with.</summary>
    public string Name { get; set; } = "";

    /// <summary>The tape pool the class writes to.</summary>
    public string Pool { get; set; } = "";

    /// <summary>Files below this size are aggregated (when the gateway aggregates); the others get an AUL file each.</summary>
    public long AggregateBelow { get; set; } = 16L << 20;

    /// <summary>The payload format of the class's aggregations: <c>il</c> (CASTOR's own) or <c>tar</c>.</summary>
    public string Format { get; set; } = "il";

    /// <summary>Whether the class's pool is of unlabelled (NL) tapes: one tape file per file, no labels, no aggregation.</summary>
    public bool Unlabelled { get; set; }

    /// <summary>Tape copies each file of the class gets, each on another tape of the pool.</summary>
    public int Copies { get; set; } = 1;

    /// <summary>The demo's share of generated files in this class.</summary>
    public double DemoShare { get; set; }
}

/// <summary>A tape pool: its name, how many cartridges it gets at set-up, and whether they are labelled.</summary>
public sealed class TapePoolOptions
{
    /// <summary>The pool's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Cartridges created (and prelabelled, unless unlabelled) when the gateway is first set up.</summary>
    public int Tapes { get; set; } = 4;

    /// <summary>The first letter of the pool's VSNs.</summary>
    public string VsnPrefix { get; set; } = "A";

    /// <summary>Unlabelled (NL) cartridges.</summary>
    public bool Unlabelled { get; set; }
}

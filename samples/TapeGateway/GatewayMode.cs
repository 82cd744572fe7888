using TapeKit.Layout;

namespace TapeGateway;

/// <summary>How recalls are served.</summary>
public enum RecallStrategy
{
    /// <summary>First come, first served: each request mounts its tape on demand (CASTOR before its recall policies).</summary>
    Fifo,

    /// <summary>TapeKit's recall planner: per-tape queues, due by age or volume, read in block order, locate or read-ahead.</summary>
    Planner,
}

/// <summary>How the gateway writes and reads: the CASTOR-classic way or TapeKit's.</summary>
/// <param name="Name">The mode's name in reports.</param>
/// <param name="Aggregate">Aggregate small files into ALB tape files (else one tape file per file).</param>
/// <param name="Marks">The tape mark policy of migration sessions.</param>
/// <param name="Recalls">How recalls are served.</param>
public sealed record GatewayMode(string Name, bool Aggregate, TapeMarkPolicy Marks, RecallStrategy Recalls)
{
    /// <summary>CASTOR-classic: one AUL file per file, every tape mark synchronous, FIFO recalls mounted on demand.</summary>
    public static GatewayMode Classic { get; } = new("classic", Aggregate: false, TapeMarkPolicy.SynchronousMarks, RecallStrategy.Fifo);

    /// <summary>TapeKit: ALB/IL aggregations and AUL files for large files, buffered marks, the recall planner.</summary>
    public static GatewayMode TapeKit { get; } = new("tapekit", Aggregate: true, TapeMarkPolicy.CtaDefault, RecallStrategy.Planner);

    /// <summary>The mode named <paramref name="name"/>.</summary>
    /// <param name="name"><c>classic</c> or <c>tapekit</c>.</param>
    public static GatewayMode Parse(string name) => name switch
    {
        "classic" => Classic,
        "tapekit" => TapeKit,
        _ => throw new ArgumentException($"unknown mode '{name}' (known: classic, tapekit)."),
    };
}

using TapeKit.Hsm.Recall;

namespace TapeGateway;

/// <summary>The gateway: where it lives, its tape library, pools, file classes and policies (appsettings.json, section "Gateway").</summary>
public sealed class GatewayOptions
{
    /// <summary>The directory holding the name server, the tape catalogue and the virtual tape library.</summary>
    public string Root { get; set; } = "gateway";

    /// <summary>The media profile of the cartridges (LTO-7 … TS1170); its timing is the virtual drive's.</summary>
    public string Media { get; set; } = "LTO-9";

    /// <summary>Drives in the library; sessions get them from the drive scheduler.</summary>
    public int Drives { get; set; } = 2;

    /// <summary>The tape pools.</summary>
    public List<TapePoolOptions> Pools { get; set; } = [];

    /// <summary>The file classes; a file of an unknown class takes the first.</summary>
    public List<FileClass> Classes { get; set; } = [];

    /// <summary>
    /// Files per migration stream: the disk pool hands the candidates to the gateway in streams of this many files, and
    /// each stream goes to the next tape of its pool, the way parallel migration streams spread a pool's tapes.
    /// </summary>
    public int StreamFiles { get; set; } = 1000;

    /// <summary>At most this many members in one aggregation.</summary>
    public int MaxAggregationFiles { get; set; } = 1000;

    /// <summary>At most this many payload bytes in one aggregation.</summary>
    public long MaxAggregationBytes { get; set; } = 2L << 30;

    /// <summary>How long a cartridge stays in its drive after its session.</summary>
    public TimeSpan DismountDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The recall policy: per-tape queues, when a queue is due, the remount guard, locate or read-ahead.</summary>
    public RecallOptions Recall { get; set; } = new();

    /// <summary>
    /// The seed of the disk pool's virtual file contents: the pool generates each file's bytes from it and the file id,
    /// so migrations read them and recalls check every byte against them without a disk holding the originals.
    /// </summary>
    public int PayloadSeed { get; set; } = 1;

    /// <summary>How often the daemon looks for work.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The class named <paramref name="name"/>, or the first.</summary>
    /// <param name="name">The class name.</param>
    public FileClass ClassOf(string name) => Classes.FirstOrDefault(c => c.Name == name) ?? Classes[0];

    /// <summary>The pool named <paramref name="name"/>.</summary>
    /// <param name="name">The pool name.</param>
    public TapePoolOptions PoolOf(string name) =>
        Pools.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"No tape pool '{name}' is configured.", nameof(name));
}

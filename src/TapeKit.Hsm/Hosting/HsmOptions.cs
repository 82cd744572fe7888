using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Recall;

namespace TapeKit.Hsm.Hosting;

/// <summary>All HSM settings; bind from the configuration section <see cref="SectionName"/>.</summary>
public sealed class HsmOptions
{
    /// <summary>The configuration section: <c>TapeKit:Hsm</c>.</summary>
    public const string SectionName = "TapeKit:Hsm";

    /// <summary>The disk libraries (routing keys); policies are validated against them when not empty.</summary>
    public List<string> DiskLibraries { get; set; } = [];

    /// <summary>The policy set.</summary>
    public PolicySet Policies { get; set; } = new();

    /// <summary>Dispatcher settings.</summary>
    public DispatcherOptions Dispatcher { get; set; } = new();

    /// <summary>Bus settings of the in-process bus.</summary>
    public MessageBusOptions Bus { get; set; } = new();

    /// <summary>Purge policy settings.</summary>
    public PurgeOptions Purge { get; set; } = new();

    /// <summary>Recall and mount policy settings.</summary>
    public RecallOptions Recall { get; set; } = new();

    /// <summary>
    /// This process's stable instance name (e.g. <c>host/role</c>); empty: none. When set, the first resolution of an
    /// HSM service begins a new incarnation of it in the catalogue (<see cref="Instances.InstanceStartup.BeginAsync"/>:
    /// a new epoch, registered as the <see cref="Instances.InstanceIncarnation"/> singleton), and the worker ids of the
    /// registered services name that incarnation: the dispatcher's consumer (<c>dispatcher@name#epoch</c>, unless
    /// <see cref="DispatcherOptions.ConsumerId"/> is set) and each disk library's migrator
    /// (<c>migratorId-diskLibrary@name#epoch</c>). A restarted process then recovers its predecessor's work at once
    /// (<see cref="Instances.InstanceStartup.RecoverAsync"/>) instead of waiting for its leases to expire. Two processes
    /// over one catalogue need two names.
    /// </summary>
    public string InstanceName { get; set; } = "";

    /// <summary>A seed for the random source of back-off jitter (P7: replay); <see langword="null"/> = unseeded.</summary>
    public int? RandomSeed { get; set; }
}

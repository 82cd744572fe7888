namespace TapeKit.Hsm.Messaging;

/// <summary>The names and bindings of the HSM topology (docs/hsm/overview.md#messaging).</summary>
public static class HsmTopology
{
    /// <summary>The events exchange.</summary>
    public const string EventsExchange = "tapekit.hsm.events";

    /// <summary>The routing key of events for the dispatcher.</summary>
    public const string DispatcherKey = "dispatcher";

    /// <summary>The dispatcher's event queue.</summary>
    public const string DispatcherEventsQueue = "tapekit.hsm.dispatcher.events";

    /// <summary>The commands exchange (direct; routing key = disk library).</summary>
    public const string CommandsExchange = "tapekit.hsm.commands";

    /// <summary>The replies exchange (routing key = dispatcher id).</summary>
    public const string RepliesExchange = "tapekit.hsm.replies";

    /// <summary>The notification exchange (routing key <c>host</c>).</summary>
    public const string NotifyExchange = "tapekit.hsm.notify";

    /// <summary>The routing key of host notifications.</summary>
    public const string HostKey = "host";

    /// <summary>The command queue of a disk library.</summary>
    /// <param name="diskLibrary">The disk library name.</param>
    public static string CommandQueue(string diskLibrary) => "tapekit.hsm.dl." + diskLibrary;

    /// <summary>The reply queue of a dispatcher.</summary>
    /// <param name="dispatcherId">The dispatcher id.</param>
    public static string ReplyQueue(string dispatcherId) => "tapekit.hsm.replies." + dispatcherId;

    /// <summary>The topology of one dispatcher and its disk libraries (C2: one command queue per disk library).</summary>
    /// <param name="dispatcherId">The dispatcher id.</param>
    /// <param name="diskLibraries">The disk libraries.</param>
    /// <param name="notifyQueue">The host's notification queue, or <see langword="null"/> for none.</param>
    public static BusTopology For(string dispatcherId, IEnumerable<string> diskLibraries, string? notifyQueue = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dispatcherId);
        ArgumentNullException.ThrowIfNull(diskLibraries);
        var bindings = new List<QueueBinding>
        {
            new(EventsExchange, DispatcherKey, DispatcherEventsQueue),
            new(RepliesExchange, dispatcherId, ReplyQueue(dispatcherId)),
        };
        bindings.AddRange(diskLibraries.Distinct(StringComparer.Ordinal).Select(dl => new QueueBinding(CommandsExchange, dl, CommandQueue(dl))));
        if (notifyQueue is not null)
        {
            bindings.Add(new QueueBinding(NotifyExchange, HostKey, notifyQueue));
        }

        return new BusTopology(bindings);
    }
}

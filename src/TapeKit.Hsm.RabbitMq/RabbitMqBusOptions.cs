namespace TapeKit.Hsm.RabbitMq;

/// <summary>Settings of the RabbitMQ bus. Bind from <c>TapeKit:Hsm:RabbitMq</c> (<see cref="SectionName"/>).</summary>
public sealed class RabbitMqBusOptions
{
    /// <summary>The configuration section: <c>TapeKit:Hsm:RabbitMq</c>.</summary>
    public const string SectionName = "TapeKit:Hsm:RabbitMq";

    /// <summary>
    /// The broker as an AMQP URI, <c>amqp://user:password@host:5672/vhost</c> (<c>amqps://</c> for TLS); the virtual host
    /// is the URI's path, percent-encoded (<c>%2F</c> is the default vhost <c>/</c>).
    /// </summary>
    public string Uri { get; set; } = "amqp://localhost:5672/";

    /// <summary>The virtual host, when it is not given by <see cref="Uri"/>; empty: the URI's (or <c>/</c>).</summary>
    public string VirtualHost { get; set; } = "";

    /// <summary>
    /// The connection's name as the broker lists it (<c>rabbitmqctl list_connections client_properties</c>); empty:
    /// <c>tapekit-hsm@</c> and the machine name.
    /// </summary>
    public string ConnectionName { get; set; } = "";

    /// <summary>
    /// Prefixed to every exchange and queue name on the broker (empty by default), so that several HSMs or test runs can
    /// share one virtual host; a virtual host of their own is the cleaner separation.
    /// </summary>
    public string NamePrefix { get; set; } = "";

    /// <summary>
    /// Dead-letter a message instead of delivering it a further time after this many deliveries (5). It is also the
    /// quorum queues' <c>x-delivery-limit</c> (this value minus one: the broker counts returns, not deliveries), fixed
    /// when a queue is first declared: declaring an existing queue with another value fails.
    /// </summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>
    /// The default message lease (60 s). RabbitMQ has no leases: the delivery stays with this process's channel until it
    /// is settled; once its lease has passed, the next receive of its queue in this process returns it to the queue
    /// (see docs/hsm/rabbitmq-bus.md).
    /// </summary>
    public TimeSpan DefaultLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the bus asks the broker what it cannot be told (1 s): whether other processes published to a queue that
    /// <c>WaitAsync</c> waits on, and whether delayed messages became due.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for the broker's confirmation of a publish (30 s); then the publish fails.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most publishes awaiting the broker's confirmation on the bus's publishing channel (1 024); from half of them
    /// on, the client delays further publishes. A batch (<see cref="RabbitMqMessageBus.PublishManyAsync"/>) and concurrent
    /// publishers keep that many in flight, so that the broker confirms them together.
    /// </summary>
    public int MaxUnconfirmedPublishes { get; set; } = 1024;

    /// <summary>The AMQP heartbeat (30 s): a connection that stays silent for two of them counts as lost.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The pause between attempts to reconnect after the connection was lost (2 s).</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the settings; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!System.Uri.TryCreate(Uri, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new ArgumentException($"TapeKit:Hsm:RabbitMq:Uri '{Redacted(Uri)}' is not an amqp:// or amqps:// URI.", nameof(Uri));
        }

        if (MaxDeliveries < 1)
        {
            throw new ArgumentException($"TapeKit:Hsm:RabbitMq:MaxDeliveries is {MaxDeliveries}; it must be at least 1.", nameof(MaxDeliveries));
        }

        if (MaxUnconfirmedPublishes < 1)
        {
            throw new ArgumentException($"TapeKit:Hsm:RabbitMq:MaxUnconfirmedPublishes is {MaxUnconfirmedPublishes}; it must be at least 1.", nameof(MaxUnconfirmedPublishes));
        }

        foreach ((string name, TimeSpan value) in new[]
        {
            (nameof(DefaultLease), DefaultLease), (nameof(PollInterval), PollInterval), (nameof(PublishTimeout), PublishTimeout),
            (nameof(Heartbeat), Heartbeat), (nameof(ReconnectInterval), ReconnectInterval),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"TapeKit:Hsm:RabbitMq:{name} is {value}; it must be positive.", name);
            }
        }
    }

    /// <summary>The URI without its password, for messages.</summary>
    /// <param name="uri">An AMQP URI.</param>
    internal static string Redacted(string uri) =>
        System.Uri.TryCreate(uri, UriKind.Absolute, out Uri? u) && u.UserInfo.Contains(':', StringComparison.Ordinal)
            ? new UriBuilder(u) { Password = "***" }.Uri.ToString()
            : uri;
}

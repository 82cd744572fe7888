using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.RabbitMq;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// The RabbitMQ broker named by <c>TAPEKIT_RABBITMQ</c> (an amqp:// URI of a throwaway virtual host). Each test uses
/// names of its own (<see cref="RabbitMqBusOptions.NamePrefix"/>) and deletes its queues and exchanges afterwards.
/// Without the variable the tests that need it are skipped with the reason — except when <c>CI=true</c>, where they
/// fail: <c>.ci/run</c> starts a broker and sets the variable.
/// </summary>
public static class RabbitMqBroker
{
    /// <summary>The environment variable that names the broker.</summary>
    public const string Variable = "TAPEKIT_RABBITMQ";

    /// <summary>Why the tests are skipped.</summary>
    public const string NotConfigured = "RabbitMQ not configured: set TAPEKIT_RABBITMQ";

    private static readonly string? Server = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    /// <summary>Whether a broker is configured.</summary>
    public static bool IsConfigured => Server is not null;

    /// <summary>The broker's URI; skips the test (fails it when <c>CI=true</c>) without one.</summary>
    public static string Uri => Server ?? throw Unconfigured(NotConfigured);

    /// <summary>A name prefix no other test uses.</summary>
    public static string NewPrefix() => $"test.{Guid.NewGuid():N}.";

    /// <summary>Bus settings for a test: its prefix, the conformance kit's delivery limit and lease, a quick reconnect.</summary>
    /// <param name="prefix">The test's name prefix.</param>
    /// <param name="bus">The kit's bus settings, if any.</param>
    public static RabbitMqBusOptions Options(string prefix, MessageBusOptions? bus = null) => new()
    {
        Uri = Uri,
        NamePrefix = prefix,
        ConnectionName = "tapekit-test-" + Guid.NewGuid().ToString("N"),
        MaxDeliveries = bus?.MaxDeliveries ?? 5,
        DefaultLease = bus?.DefaultLease ?? TimeSpan.FromSeconds(60),
        ReconnectInterval = TimeSpan.FromMilliseconds(200),
        PublishTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A plain connection, for what a test does behind the bus's back.</summary>
    public static async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new System.Uri(Uri), AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    /// <summary>The ready messages of a broker queue, through a channel of its own (<see langword="null"/>: no such queue).</summary>
    /// <param name="connection">A plain connection.</param>
    /// <param name="brokerQueue">The broker's queue name.</param>
    public static async Task<uint?> CountAsync(IConnection connection, string brokerQueue)
    {
        await using IChannel channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(brokerQueue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes every queue and exchange a test made under its prefix (nothing without a broker).</summary>
    /// <param name="prefix">The test's name prefix.</param>
    /// <param name="queues">The logical queues.</param>
    /// <param name="exchanges">The logical exchanges.</param>
    public static async Task DeleteAsync(string prefix, IEnumerable<string> queues, IEnumerable<string> exchanges)
    {
        if (Server is null)
        {
            return;
        }

        var names = new RabbitMqNames(prefix);
        await using IConnection connection = await ConnectAsync();
        foreach (string name in queues.SelectMany(names.AllQueues))
        {
            await DeleteQuietlyAsync(connection, channel => channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false));
        }

        foreach (string name in exchanges.Select(names.Exchange).Append(names.DeadLetterExchange))
        {
            await DeleteQuietlyAsync(connection, channel => channel.ExchangeDeleteAsync(name));
        }
    }

    /// <summary>Deletes on a channel of its own; something already gone (404) is fine.</summary>
    private static async Task DeleteQuietlyAsync(IConnection connection, Func<IChannel, Task> delete)
    {
        await using IChannel channel = await connection.CreateChannelAsync();
        try
        {
            await delete(channel);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
        }
    }

    /// <summary>
    /// Has the broker close the connection of that name, as a broker restart or an operator would
    /// (<c>rabbitmqctl close_connection</c>): the client sees a forced close and recovers. Skips (fails when
    /// <c>CI=true</c>) where <c>rabbitmqctl</c> cannot reach the broker.
    /// </summary>
    /// <param name="connectionName">The connection's client-provided name.</param>
    public static async Task CloseConnectionAsync(string connectionName)
    {
        // The connection shows up in the broker's list a moment after it opened.
        for (int attempt = 0; attempt < 50; attempt++)
        {
            // 3.10 lists the client-provided name inside client_properties ({"connection_name","…"}).
            string list = await RabbitMqCtlAsync("--silent", "list_connections", "pid", "client_properties");
            string? pid = list.Split('\n').FirstOrDefault(line => line.Contains($"\"{connectionName}\"", StringComparison.Ordinal))?.Split('\t')[0].Trim();
            if (pid is not null)
            {
                await RabbitMqCtlAsync("close_connection", pid, "closed by a TapeKit test");
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"rabbitmqctl does not list a connection named {connectionName}.");
    }

    /// <summary>
    /// Restarts the broker's application (<c>rabbitmqctl stop_app</c>, <c>start_app</c>): every connection drops, the
    /// durable queues and their messages stay, and clients reconnect. Returns once the broker accepts connections.
    /// </summary>
    public static async Task RestartAsync()
    {
        await RabbitMqCtlAsync("stop_app");
        await RabbitMqCtlAsync("start_app");
        await RabbitMqCtlAsync("await_startup", "--timeout", "60");
    }

    private static Task<string> RabbitMqCtlAsync(params string[] arguments) => ServerCommand.RunAsync("rabbitmqctl", arguments);

    private static Exception Unconfigured(string why) => Environment.GetEnvironmentVariable("CI") == "true"
        ? new InvalidOperationException($"{why}. With CI=true the RabbitMQ tests never skip: .ci/run starts a broker and sets {Variable}.")
        : new SkipException(why);
}

using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>A publish as the broker sees it, with the logical address it was made to.</summary>
/// <param name="Exchange">The logical exchange.</param>
/// <param name="RoutingKey">The logical routing key.</param>
/// <param name="Message">The message.</param>
/// <param name="NotBefore">When a delayed message becomes due; <see langword="null"/> when it is visible at once.</param>
/// <param name="BrokerExchange">The broker's exchange.</param>
/// <param name="BrokerKey">The broker's routing key (level or holding queue).</param>
/// <param name="Properties">The AMQP properties.</param>
/// <param name="Body">The body.</param>
/// <param name="Doing">What for, in messages.</param>
internal sealed record OutgoingMessage(
    string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore, string BrokerExchange, string BrokerKey, BasicProperties Properties,
    ReadOnlyMemory<byte> Body, string Doing);

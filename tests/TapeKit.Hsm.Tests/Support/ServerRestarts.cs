namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// The test classes that may restart a shared server (PostgreSQL, RabbitMQ). xUnit runs this collection on its own
/// after every parallel one, so a restart never cuts off another test class's connections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestarts
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Server restarts";
}

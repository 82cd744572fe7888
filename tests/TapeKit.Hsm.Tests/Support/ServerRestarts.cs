namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// Tests that restart the PostgreSQL server or the RabbitMQ broker: they run alone, after the others, so that no other
/// test sees its connections dropped by a restart it did not ask for.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestarts
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Server restarts";
}

namespace TapeKit.Bench.HsmThroughput;

/// <summary>One figure of the table: a part (queue or lifecycle), a provider, a worker count, the runs and their median.</summary>
/// <param name="Part"><c>queue</c> (messages/s) or <c>lifecycle</c> (files/s).</param>
/// <param name="Provider">sqlite, postgres, rabbitmq (lifecycle: PostgreSQL catalogue + RabbitMQ bus).</param>
/// <param name="Workers">The worker count.</param>
/// <param name="Runs">Each run's rate.</param>
/// <param name="Median">The median rate.</param>
internal sealed record ThroughputResult(string Part, string Provider, int Workers, IReadOnlyList<double> Runs, double Median);

using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>Multi-drive simulations in simulated time (spec/tape-devices.md §6.1).</summary>
public sealed class SimulationSchedulerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Two_drives_stream_in_parallel_and_the_robot_serves_mounts_in_order() =>
        TwoDriveStreaming.RunAndCheck(_root, drive => new TwoDriveStreaming.Writer(
            block =>
            {
                drive.WriteBlock(block);
                return Task.CompletedTask;
            },
            () =>
            {
                drive.Dispose();
                return ValueTask.CompletedTask;
            }));

    [Fact]
    public void Host_delays_order_actors_by_time_then_id_and_failures_surface()
    {
        var clock = new VirtualClock();
        var scheduler = new SimulationScheduler(clock);
        var order = new List<string>();
        scheduler.Spawn(async a =>
        {
            await a.Delay(TimeSpan.FromSeconds(2));
            order.Add("a@2");
            await a.Delay(TimeSpan.FromSeconds(2));
            order.Add("a@4");
        });
        scheduler.Spawn(async b =>
        {
            await b.Delay(TimeSpan.FromSeconds(2));
            order.Add("b@2");
            await b.Delay(TimeSpan.FromSeconds(1));
            order.Add("b@3");
        });
        scheduler.Run();
        Assert.Equal(["a@2", "b@2", "b@3", "a@4"], order);
        Assert.Equal(4_000_000_000, clock.Nanoseconds);

        var failing = new SimulationScheduler(clock);
        failing.Spawn(async c =>
        {
            await c.Delay(TimeSpan.Zero);
            throw new InvalidOperationException("boom");
        });
        Assert.Contains("boom", Assert.Throws<AggregateException>(failing.Run).InnerExceptions.Single().Message, StringComparison.Ordinal);
    }
}

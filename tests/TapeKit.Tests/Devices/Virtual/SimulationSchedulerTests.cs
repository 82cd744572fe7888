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
    public void Two_drives_stream_in_parallel_and_the_robot_serves_mounts_in_order()
    {
        var clock = new VirtualClock();
        using var library = VirtualTapeLibrary.Open(_root, clock: clock);
        library.CreateCartridge("A00001", options: new VirtualCartridgeOptions { Capacity = 10_000_000_000 });
        library.CreateCartridge("A00002", options: new VirtualCartridgeOptions { Capacity = 10_000_000_000 });
        var scheduler = new SimulationScheduler(clock);
        var finished = new long[2];
        var mounted = new long[2];
        for (int i = 0; i < 2; i++)
        {
            int drive = i;
            scheduler.Spawn(async actor =>
            {
                library.Mount(drive == 0 ? "A00001" : "A00002", drive);
                await actor.Settle();
                mounted[drive] = actor.Now;
                using var handle = library.OpenDrive(drive);
                var block = new byte[400_000];
                for (int b = 0; b < 100; b++)
                {
                    handle.WriteBlock(block);
                    await actor.Settle();
                }

                finished[drive] = actor.Now;
            });
        }

        scheduler.Run();
        Assert.Equal(10_000_000_000 + 17_000_000_000, mounted[0]);
        Assert.Equal(20_000_000_000 + 17_000_000_000, mounted[1]); // the robot was busy with the first mount
        Assert.Equal(mounted[0] + 100_000_000, finished[0]); // 40 MB at 400 MB/s
        Assert.Equal(mounted[1] + 100_000_000, finished[1]); // in parallel with drive 0, not after it
        Assert.Equal(finished[1] + 2_500_000_000, clock.Nanoseconds); // closing the handle writes the synchronising filemark of T12
    }

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

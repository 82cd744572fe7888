using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>
/// Two drives in simulated time, each mounting its own cartridge and streaming 100 blocks of 400 kB, then closing: the
/// figures of spec/tape-devices.md §6.1, whichever way the blocks reach the drive.
/// </summary>
internal static class TwoDriveStreaming
{
    /// <summary>How a test's drive writes a block and is closed.</summary>
    /// <param name="Write">Writes one block.</param>
    /// <param name="Close">Closes the drive (the synchronising filemark of T12).</param>
    public sealed record Writer(Func<byte[], Task> Write, Func<ValueTask> Close);

    /// <summary>Runs the two drives with <paramref name="open"/> wrapping each opened drive, and checks the simulated times.</summary>
    public static void RunAndCheck(string root, Func<ITapeDrive, Writer> open)
    {
        var clock = new VirtualClock();
        using var library = VirtualTapeLibrary.Open(root, clock: clock);
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
                Writer writer = open(library.OpenDrive(drive));
                var block = new byte[400_000];
                for (int b = 0; b < 100; b++)
                {
                    await writer.Write(block);
                    await actor.Settle();
                }

                finished[drive] = actor.Now;
                await writer.Close();
            });
        }

        scheduler.Run();
        Assert.Equal(10_000_000_000 + 17_000_000_000, mounted[0]);
        Assert.Equal(20_000_000_000 + 17_000_000_000, mounted[1]); // the robot was busy with the first mount
        Assert.Equal(mounted[0] + 100_000_000, finished[0]); // 40 MB at 400 MB/s
        Assert.Equal(mounted[1] + 100_000_000, finished[1]); // in parallel with drive 0, not after it
        Assert.Equal(finished[1] + 2_500_000_000, clock.Nanoseconds); // closing the handle writes the synchronising filemark of T12
    }
}

using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Tests.Devices.Virtual;

namespace TapeKit.Tests.Devices;

/// <summary>The drive's own thread (spec/tape-devices.md §3.5): cancellation of a running command, the guard, inline workers.</summary>
public sealed class TapeDriveWorkerTests : IDisposable
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
    public async Task Cancelling_a_running_command_stops_it_at_its_next_drive_call()
    {
        using var rig = new StRig();
        await using var worker = new TapeDriveWorker(rig.Drive.OpenHandle());
        using var tenWritten = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        using var cancel = new CancellationTokenSource();
        int written = 0;
        Task running = worker.InvokeAsync(d =>
        {
            var block = new byte[4096];
            for (int i = 0; i < 100; i++)
            {
                if (i == 10)
                {
                    tenWritten.Set();
                    go.Wait();
                }

                d.WriteBlock(block);
                written++;
            }
        }, cancel.Token);

        Assert.True(tenWritten.Wait(TimeSpan.FromSeconds(20)));
        cancel.Cancel(); // From the caller's thread, while the command runs on the drive's.
        go.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(running.IsCanceled);
        Assert.Equal(10, written);
        Assert.Equal(10, await worker.InvokeAsync(d => d.ReadPosition())); // The drive is usable; nothing after block 10 was written.
    }

    [Fact]
    public async Task A_drive_kept_past_its_command_refuses_every_call()
    {
        using var rig = new StRig();
        await using var worker = new TapeDriveWorker(rig.Drive.OpenHandle());
        ITapeDrive escaped = await worker.InvokeAsync(d => d);

        Assert.Throws<InvalidOperationException>(() => escaped.WriteBlock(new byte[10]));
        Assert.Throws<InvalidOperationException>(() => escaped.Rewind());
        Assert.Equal(0, await worker.InvokeAsync(d => d.ReadPosition()));
    }

    [Fact]
    public async Task A_worker_runs_commands_on_one_named_thread_that_is_not_the_thread_pool()
    {
        using var rig = new StRig();
        await using var worker = new TapeDriveWorker(rig.Drive.OpenHandle());
        var seen = new List<(int Id, string? Name, bool Pool)>();
        for (int i = 0; i < 5; i++)
        {
            seen.Add(await worker.InvokeAsync(_ => (Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread)));
        }

        Assert.Single(seen.Distinct());
        Assert.Equal(("tape " + worker.DeviceName, false), (seen[0].Name, seen[0].Pool));
        Assert.False(worker.IsInline);
    }

    [Fact]
    public async Task An_inline_worker_runs_on_its_caller_and_honours_a_cancelled_token()
    {
        using var rig = new StRig();
        using var worker = TapeDriveWorker.Inline(rig.Drive.OpenHandle());
        int caller = Environment.CurrentManagedThreadId;
        Task<int> ran = worker.InvokeAsync(d =>
        {
            d.WriteBlock(new byte[10]);
            return Environment.CurrentManagedThreadId;
        });

        Assert.True(ran.IsCompletedSuccessfully); // Completed before InvokeAsync returned.
        Assert.Equal(caller, await ran);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Task skipped = worker.InvokeAsync(d => d.WriteBlock(new byte[10]), cancel.Token);
        Assert.True(skipped.IsCanceled);
        Assert.Equal(1, await worker.InvokeAsync(d => d.ReadPosition()));
    }

    [Fact]
    public void Inline_workers_keep_a_two_drive_simulation_in_simulated_time() =>
        // The figures of SimulationSchedulerTests, with every drive call made through a worker.
        TwoDriveStreaming.RunAndCheck(_root, drive =>
        {
            TapeDriveWorker worker = TapeDriveWorker.Inline(drive);
            return new TwoDriveStreaming.Writer(block => worker.InvokeAsync(d => d.WriteBlock(block)), worker.DisposeAsync);
        });
}

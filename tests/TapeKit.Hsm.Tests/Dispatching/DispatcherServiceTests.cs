using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Dispatching;

public sealed class DispatcherServiceTests
{
    [Fact]
    public async Task The_run_loop_reconciles_at_start_then_wakes_on_its_timers_and_stops_when_cancelled()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        // Written before the dispatcher runs; the events are relayed by the loop.
        for (int i = 0; i < 3; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        using var cts = new CancellationTokenSource();
        Task loop = Task.Run(() => w.Service.RunAsync(cts.Token));
        await WaitUntilAsync(async () => (await ListStateAsync(w)) == FileListState.Filling);

        // The age rule closes the list at +2 min; the loop sleeps on the virtual clock until then.
        // The loop may create its timer just after the advance (it reads the clock, then waits): nudging the virtual clock
        // a second at a time wakes it either way, and the list still closes only by its age rule.
        w.Time.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(async () => (await ListStateAsync(w)) == FileListState.Active, () => w.Time.Advance(TimeSpan.FromSeconds(1)));
        // The command is committed with the list's move and relayed at the end of the same pump.
        await WaitUntilAsync(async () => (await w.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-A"))).Ready == 1);

        await cts.CancelAsync();
        try
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // Cancellation may surface from inside a pump; both endings are a clean stop.
        }

        Assert.True(loop.IsCompleted);
    }

    private static async Task<FileListState?> ListStateAsync(HsmWorld w)
    {
        await using ICatalogTransaction txn = await w.Catalog.BeginAsync();
        IReadOnlyList<FileListRecord> lists = await txn.QueryListsAsync(new ListQuery());
        return lists.Count == 1 ? lists[0].State : null;
    }

    /// <summary>Waits for a background loop to reach a condition; bounded, never a fixed sleep.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Action? nudge = null)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the loop did not reach the expected state within 10 s");
            nudge?.Invoke();
            await Task.Yield();
        }
    }
}

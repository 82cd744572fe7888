using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Librarian;

/// <summary>
/// The Librarian's background loop: every period the checker (<see cref="ReplicaLibrarian.CheckAsync"/>: late nodes
/// offline, CREATING → STALLED, stalled ones deleted) and then the planner (<see cref="ReplicaLibrarian.PlanAsync"/>:
/// re-replication, surplus retirement, repairs). A store error is logged and the next period tries again.
/// </summary>
/// <param name="librarian">The Librarian.</param>
/// <param name="counters">Where runs are counted.</param>
/// <param name="period">The period.</param>
/// <param name="time">The clock.</param>
/// <param name="log">The log.</param>
public sealed class LibrarianLoop(ReplicaLibrarian librarian, LibrarianCounters counters, TimeSpan period, TimeProvider time, ILogger<LibrarianLoop> log)
    : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _ = await librarian.CheckAsync(stoppingToken);
                counters.Check();
                _ = await librarian.PlanAsync(stoppingToken);
                counters.Plan();
            }
            catch (CatalogStoreException e)
            {
                log.LogWarning("The checker or planner failed and runs again next period: {Message}", e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(period, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Hosting;
using TapeKit.Hsm.Leadership;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// One dispatcher active at a time: advisory-lock leadership on a session of its own, an epoch per term, and the
/// leader's commits fenced by that epoch — in several "processes" (catalogues of their own over one schema).
/// </summary>
public sealed class PostgresLeaderElectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const string Election = "test.election";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly List<IAsyncDisposable> _opened = [];

    [SkippableFact]
    public async Task Of_two_candidates_one_leads_and_when_its_session_is_killed_the_other_leads_and_the_old_leader_is_fenced()
    {
        PostgresCatalog catalogA = await OpenCatalogAsync(), catalogB = await OpenCatalogAsync();
        var campaignA = new LeaderCampaign(new PostgresLeaderElection(catalogA, Election), "dispatcher@host-a#1", TimeSpan.FromMilliseconds(50));
        var campaignB = new LeaderCampaign(new PostgresLeaderElection(catalogB, Election), "dispatcher@host-b#1", TimeSpan.FromMilliseconds(50));
        var fencedA = new LeaderFencedCatalog(catalogA, campaignA);
        var fencedB = new LeaderFencedCatalog(catalogB, campaignB);
        using var end = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        ILeaderTerm termA = await campaignA.WinAsync(end.Token);
        Task<ILeaderTerm> bWins = campaignB.WinAsync(end.Token).AsTask();
        await Task.Delay(500);
        Assert.False(bWins.IsCompleted, "two candidates lead at once");
        await fencedA.RunAsync(txn => InsertTapeAsync(txn, "V00001"));
        await Assert.ThrowsAsync<LeadershipLostException>(async () => await fencedB.RunAsync(txn => InsertTapeAsync(txn, "V00009")));

        // A's unit of work is under way when the server ends A's leadership session.
        ICatalogTransaction inFlight = await fencedA.BeginAsync();
        await InsertTapeAsync(inFlight, "V00002");
        await TerminateAsync(((PostgresLeaderTerm)termA).SessionProcessId);

        ILeaderTerm termB = await bWins.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(termB.Epoch > termA.Epoch);
        Assert.Equal("dispatcher@host-b#1", termB.CandidateId);

        // A has not noticed yet, or has: either way none of its commits lands any more.
        LeadershipLostException fenced = await Assert.ThrowsAsync<LeadershipLostException>(async () => await inFlight.CommitAsync());
        Assert.Equal(termA.Epoch, fenced.Epoch);
        await inFlight.DisposeAsync();
        await WaitUntilAsync(() => termA.Lost.IsCancellationRequested, "A never learned that its term ended");
        await Assert.ThrowsAsync<LeadershipLostException>(async () => await fencedA.RunAsync(txn => InsertTapeAsync(txn, "V00003")));
        await fencedB.RunAsync(txn => InsertTapeAsync(txn, "V00004"));

        IReadOnlyList<TapeRecord> tapes = await catalogA.ReadAsync(txn => txn.QueryTapesAsync());
        Assert.Equal(["V00001", "V00004"], tapes.Select(t => t.Vsn).Order(StringComparer.Ordinal));

        // A campaigns again: it waits while B leads, and wins with a later epoch once B resigns.
        Task<ILeaderTerm> aWinsAgain = campaignA.WinAsync(end.Token).AsTask();
        await Task.Delay(300);
        Assert.False(aWinsAgain.IsCompleted, "two candidates lead at once");
        await campaignB.ResignAsync();
        Assert.True((await aWinsAgain.WaitAsync(TimeSpan.FromSeconds(20))).Epoch > termB.Epoch);
        await campaignA.ResignAsync();
    }

    [SkippableFact]
    public async Task A_commit_that_checked_the_old_term_lands_before_the_next_term_begins()
    {
        PostgresCatalog catalogA = await OpenCatalogAsync(), catalogB = await OpenCatalogAsync();
        var electionB = new PostgresLeaderElection(catalogB, Election);
        ILeaderTerm termA = (await new PostgresLeaderElection(catalogA, Election).TryAcquireAsync("a"))!;
        Assert.NotNull(termA);
        Assert.Null(await electionB.TryAcquireAsync("b"));

        // A's transaction decided that A leads; then A's session ends.
        await using ICatalogTransaction txn = await catalogA.BeginAsync();
        Assert.True(await termA.IsCurrentAsync(txn));
        await InsertTapeAsync(txn, "V00005");
        await TerminateAsync(((PostgresLeaderTerm)termA).SessionProcessId);

        // B gets the lock but its term begins only after A's checked transaction ended.
        Task<ILeaderTerm?> bAcquires = electionB.TryAcquireAsync("b").AsTask();
        await Task.Delay(500);
        Assert.False(bAcquires.IsCompleted, "the next term began while a commit of the old one was pending");
        await txn.CommitAsync();
        ILeaderTerm termB = (await bAcquires.WaitAsync(TimeSpan.FromSeconds(20)))!;
        Assert.True(termB.Epoch > termA.Epoch);
        Assert.NotNull(await catalogB.ReadAsync(t => t.GetTapeAsync("V00005")));
        await using ICatalogTransaction late = await catalogA.BeginAsync();
        Assert.False(await termA.IsCurrentAsync(late));
        await termA.DisposeAsync();
        await termB.DisposeAsync();
    }

    [SkippableFact]
    public async Task Of_two_dispatcher_services_one_works_and_the_other_takes_over_when_it_stops()
    {
        ServiceProvider a = BuildDispatcherHost("host-a"), b = BuildDispatcherHost("host-b");
        _opened.Add(a);
        _opened.Add(b);
        DispatcherService serviceA = a.GetRequiredService<DispatcherService>(), serviceB = b.GetRequiredService<DispatcherService>();
        Assert.NotNull(serviceA.Leadership);
        await a.GetRequiredService<IMessageBus>().DeclareAsync(HsmTopology.For("dispatcher", HsmWorld.DiskLibraries));

        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        Task runA = serviceA.RunAsync(stopA.Token);
        await WaitUntilAsync(() => serviceA.Leadership!.Term is not null, "the first dispatcher never led");
        Task runB = serviceB.RunAsync(stopB.Token);
        await Task.Delay(500);
        Assert.Null(serviceB.Leadership!.Term);

        // The leader's process stops: it resigns, and the standby leads with a later epoch.
        long epochA = serviceA.Leadership!.Term!.Epoch;
        await stopA.CancelAsync();
        await StoppedAsync(runA);
        Assert.Null(serviceA.Leadership.Term);
        await WaitUntilAsync(() => serviceB.Leadership.Term is not null, "the standby never took over");
        Assert.True(serviceB.Leadership.Term!.Epoch > epochA);
        await stopB.CancelAsync();
        await StoppedAsync(runB);
    }

    [SkippableFact]
    public async Task A_leading_dispatcher_service_survives_lost_connections_and_a_server_restart_and_leads_again()
    {
        ServiceProvider a = BuildDispatcherHost("host-a");
        _opened.Add(a);
        DispatcherService service = a.GetRequiredService<DispatcherService>();
        await a.GetRequiredService<IMessageBus>().DeclareAsync(HsmTopology.For("dispatcher", HsmWorld.DiskLibraries));
        using var stop = new CancellationTokenSource();
        Task run = service.RunAsync(stop.Token);
        await WaitUntilAsync(() => service.Leadership!.Term is not null, "the dispatcher never led");

        // First the pooled sessions end (the leadership session lives on), then, three times, every session, as in a
        // server restart. The lost connections are met as transient errors and the lost term is given up and won again;
        // none of it ends the loop.
        foreach (string sessions in new[] { "application_name = 'TapeKit.Hsm'", "TRUE", "TRUE", "TRUE" })
        {
            long before = service.Leadership!.Term!.Epoch;
            await using (NpgsqlConnection admin = await database.OpenConnectionAsync())
            {
                await using var kill = new NpgsqlCommand($"""
                    SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND {sessions}) AS t
                    """, admin);
                Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
            }

            await Task.Delay(500);
            await WaitUntilAsync(() => run.IsCompleted || service.Leadership.Term is { } t && t.Epoch >= before && !t.Lost.IsCancellationRequested,
                "the dispatcher never led again");
            await Task.Delay(1000);
            Assert.False(run.IsCompleted, run.Exception?.ToString() ?? "the run loop ended");
            Assert.NotNull(service.Leadership.Term);
        }

        await stop.CancelAsync();
        await StoppedAsync(run);
    }

    [SkippableFact]
    public async Task Without_a_leader_election_the_dispatcher_service_does_not_campaign()
    {
        await using ServiceProvider sp = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddMetrics()
            .AddTapeKitHsm(o => o.DiskLibraries = [.. HsmWorld.DiskLibraries])
            .AddTapeKitHsmPostgres(o =>
            {
                o.ConnectionString = database.ConnectionString;
                o.Schema = _schema;
            })
            .AddTapeKitHsmPostgresBus()
            .BuildServiceProvider();
        Assert.Null(sp.GetRequiredService<DispatcherService>().Leadership);
        Assert.IsType<PostgresMessageBus>(sp.GetRequiredService<IMessageBus>());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in Enumerable.Reverse(_opened))
        {
            await d.DisposeAsync();
        }
    }

    private ServiceProvider BuildDispatcherHost(string host) => new ServiceCollection()
        .AddSingleton<TimeProvider>(TimeProvider.System)
        .AddMetrics()
        .AddTapeKitHsm(o =>
        {
            o.DiskLibraries = [.. HsmWorld.DiskLibraries];
            o.Policies = HsmWorld.Policies();
            o.InstanceName = host;
            o.Dispatcher.PollInterval = TimeSpan.FromMilliseconds(200);
            o.Dispatcher.LeaderCampaignInterval = TimeSpan.FromMilliseconds(50);
        })
        .AddTapeKitHsmPostgres(o =>
        {
            o.ConnectionString = database.ConnectionString;
            o.Schema = _schema;
            o.LeadershipCheckInterval = TimeSpan.FromMilliseconds(100);
        })
        .AddTapeKitHsmPostgresBus()
        .AddTapeKitHsmPostgresLeaderElection()
        .BuildServiceProvider();

    private async ValueTask<PostgresCatalog> OpenCatalogAsync()
    {
        PostgresCatalog catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions
        {
            ConnectionString = database.ConnectionString, Schema = _schema, LeadershipCheckInterval = TimeSpan.FromMilliseconds(100),
        }, _time);
        _opened.Add(catalog);
        return catalog;
    }

    private static async ValueTask InsertTapeAsync(ICatalogTransaction txn, string vsn) =>
        await txn.InsertTapeAsync(new TapeRecord { Vsn = vsn, Pool = "p", CapacityEstimate = 1_000_000 });

    private async Task TerminateAsync(int processId)
    {
        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT pg_terminate_backend({processId.ToString(CultureInfo.InvariantCulture)}, 5000)", admin);
        Assert.Equal(true, await cmd.ExecuteScalarAsync());
    }

    /// <summary>Waits for a cancelled run loop to end; ending by its cancellation is how it stops.</summary>
    private static async Task StoppedAsync(Task run)
    {
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (int i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), failure);
    }
}

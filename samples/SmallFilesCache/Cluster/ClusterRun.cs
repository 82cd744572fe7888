using Npgsql;
using TapeKit.Hsm;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.RabbitMq;

namespace SmallFilesCache.Cluster;

/// <summary>
/// The processes of a cluster demo, from the front end's side: it writes the site's configuration, starts the
/// dispatcher at once and the migrators (one per disk library, two for the first) when the archive phase begins, waits
/// for the catalogue to show each phase done, and stops them all at the end. With a <see cref="ClusterChaos"/> it kills
/// and restarts them meanwhile. The PostgreSQL schema and the RabbitMQ names are the run's own, dropped afterwards.
/// </summary>
public sealed class ClusterRun : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly string _configPath;
    private readonly CancellationTokenSource _stopChaos = new();
    private Task? _chaosTask;

    private ClusterRun(SiteOptions options, string configPath, ChaosOptions? chaos)
    {
        Options = options;
        _configPath = configPath;
        string logs = Path.Combine(options.Root, "cluster", "logs");
        string host = Environment.MachineName;
        _nodes.Add(new NodeProcess($"{host}/dispatcher", SiteRole.Dispatcher, null, configPath, logs));
        foreach ((DiskLibraryOptions dl, int index) in options.DiskLibraries.Select((d, i) => (d, i)))
        {
            // Two migrators serve the first disk library: they compete for its commands and its drives.
            for (int n = 0; n < (index == 0 ? 2 : 1); n++)
            {
                _nodes.Add(new NodeProcess($"{host}/migrator-{dl.Name}-{(char)('a' + n)}", SiteRole.Migrator, dl.Name, configPath, logs));
            }
        }

        Chaos = chaos is null ? null : new ClusterChaos(_nodes, chaos);
    }

    /// <summary>The site every process opens.</summary>
    public SiteOptions Options { get; }

    /// <summary>The fault campaign, when the run has one.</summary>
    public ClusterChaos? Chaos { get; }

    /// <summary>Processes of the site, the front end included.</summary>
    public int Processes => _nodes.Count + 1;

    /// <summary>
    /// Prepares a clustered run of <paramref name="options"/>: engines from the arguments, a schema and a name prefix of
    /// its own, the shared tape library, and the
    /// configuration file every node reads. The front end's own options are returned in <see cref="Options"/>.
    /// </summary>
    /// <param name="options">The demo's site.</param>
    /// <param name="postgres">The PostgreSQL connection string.</param>
    /// <param name="rabbitMq">The RabbitMQ URI, or <see langword="null"/> for the PostgreSQL queue.</param>
    /// <param name="chaos">The fault campaign, or <see langword="null"/>.</param>
    public static ClusterRun Prepare(SiteOptions options, string postgres, string? rabbitMq, ChaosOptions? chaos)
    {
        ArgumentNullException.ThrowIfNull(options);
        string run = Guid.NewGuid().ToString("N")[..12];
        options.Postgres = postgres;
        options.PostgresSchema = "sfa_demo_" + run;
        options.RabbitMq = rabbitMq ?? "";
        options.RabbitMqPrefix = rabbitMq is null ? "" : $"sfa-demo-{run}.";
        options.SharedTapeLibrary = true;
        options.PollInterval = TimeSpan.FromMilliseconds(250);
        // A quarter second is how often the nodes poll, not how long a session may wait for its drive: granted through the
        // PostgreSQL scheduler on a loaded machine, a drive took longer, every list came back Busy, and the lists of one
        // disk library were written in two sessions on two tapes when they were sent again (0.60 drive efficiency, an
        // archive phase of 63 s instead of 10 s, seen on 7 December 2026 with CI running beside the demo).
        options.MountWait = TimeSpan.FromSeconds(30);
        // A killed node's work comes back when it restarts (a new epoch fences its claims and frees its queue leases),
        // not by lease expiry: the leases only need to outlast a busy node's start and its heartbeats.
        options.WorkLease = TimeSpan.FromMinutes(2);
        options.MessageLease = TimeSpan.FromMinutes(1);
        string config = Path.Combine(options.Root, "cluster", "site.json");
        SiteConfigFile.Write(config, options);
        options.InstanceName = $"{Environment.MachineName}/frontend";
        return new ClusterRun(options, config, chaos);
    }

    /// <summary>Starts the dispatcher process.</summary>
    public void StartDispatcher()
    {
        _ = _nodes.Single(n => n.Role == SiteRole.Dispatcher).Start();
        _chaosTask = Chaos?.RunAsync(_stopChaos.Token);
    }

    /// <summary>
    /// Starts the migrator processes: the first of each disk library, then — once it has claimed the lists waiting in
    /// its queue, or after a minute — the others. Two migrators that receive one disk library's lists at the same moment
    /// split them into two write sessions on one tape (the loser answers <c>Busy</c> and writes its share later), one
    /// synchronising mark more; starting them apart compares the cluster with the single process like for like, and the
    /// second is there for the work that comes next (and for the first's crashes).
    /// </summary>
    /// <param name="site">The front end's site (its bus tells when a queue's commands are taken).</param>
    /// <param name="ct">Cancels the wait.</param>
    public async Task StartMigratorsAsync(CacheSite site, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);

        // The operator's flush leaves the last lists FILLED: the dispatcher process sends them on its next tick and a
        // relay publishes their commands. A migrator started before that writes the lists it finds and leaves the late
        // ones to the second migrator of its disk library, which opens another tape (a third archive mount, 0.60 drive
        // efficiency instead of 0.75, seen with RabbitMQ, where publishing lags the catalogue). So the migrators start
        // once every list's command is in its queue.
        await WaitAsync("sending", site, async txn => await AllListsQueuedAsync(txn, site.Bus, ct), TimeSpan.FromMinutes(2), ct);

        List<NodeProcess> first = [.. _nodes.Where(n => n.Role == SiteRole.Migrator).GroupBy(n => n.DiskLibrary).Select(g => g.First())];
        foreach (NodeProcess node in first)
        {
            _ = node.Start();
        }

        DateTimeOffset until = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        foreach (NodeProcess node in first)
        {
            string queue = TapeKit.Hsm.Messaging.HsmTopology.CommandQueue(node.DiskLibrary!);
            while (DateTimeOffset.UtcNow < until)
            {
                try
                {
                    // Taken means claimed, not only received: a claim that met a concurrent change of its list row goes back to
                    // the queue a second later, and the second migrator, started in between, would write that list on
                    // another tape or, finding the pool's tape reserved, answer Busy and write it in a later session.
                    if ((await site.Bus.GetStatsAsync(queue, ct)).Ready == 0
                        && await site.Catalog.ReadAsync(async txn => (await txn.QueryListsAsync(new ListQuery
                        {
                            Kind = FileListKind.Archive, States = [FileListState.Filled, FileListState.Active], DiskLibrary = node.DiskLibrary,
                        })).All(l => l.State == FileListState.Active && l.Owner is not null), ct))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A server restarting: look again.
                }

                await Task.Delay(250, ct);
            }
        }

        foreach (NodeProcess node in _nodes.Where(n => n.Role == SiteRole.Migrator))
        {
            _ = node.Start();
        }
    }

    /// <summary>Whether no archive list waits to be sent and each disk library's queue holds a command for every list sent to it.</summary>
    private static async ValueTask<bool> AllListsQueuedAsync(ICatalogTransaction txn, IMessageBus bus, CancellationToken ct)
    {
        IReadOnlyList<FileListRecord> lists = await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = ListQuery.LiveStates });
        if (lists.Any(l => l.State == FileListState.Filled || (l.State == FileListState.Filling && l.MemberCount > 0)))
        {
            return false;
        }

        foreach (IGrouping<string, FileListRecord> sent in lists.Where(l => l.State == FileListState.Active && l.Owner is null).GroupBy(l => l.DiskLibrary, StringComparer.Ordinal))
        {
            if ((await bus.GetStatsAsync(HsmTopology.CommandQueue(sent.Key), ct)).Ready < sent.Count())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds, reading the catalogue every quarter second; a read that fails (the
    /// server restarting) is tried again. Fails with the nodes' last log lines when <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="what">The phase, for the error.</param>
    /// <param name="site">The front end's site.</param>
    /// <param name="done">The condition.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="ct">Cancels the wait.</param>
    public async Task WaitAsync(string what, CacheSite site, Func<ICatalogTransaction, ValueTask<bool>> done, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        DateTimeOffset until = DateTimeOffset.UtcNow + timeout;
        string? lastError = null;
        while (true)
        {
            Supervise();
            if (_chaosTask is { IsFaulted: true } failed)
            {
                // The campaign could not do what it was asked (a server restart command failed): the run says so now,
                // not when its wait times out.
                throw new InvalidOperationException($"The fault campaign failed during '{what}': {failed.Exception!.GetBaseException().Message}", failed.Exception);
            }

            try
            {
                await site.RelayAsync(notifications: true, ct);
                if (await site.Catalog.ReadAsync(done, ct))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lastError = e.Message;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"The cluster did not finish '{what}' within {timeout.TotalSeconds:0} s{(lastError is null ? "" : $" (last error: {lastError})")}. "
                    + await LiveListsAsync(site) + KeepLogs() + "\n"
                    + string.Join("\n", _nodes.Select(n => $"--- {n}:\n{n.LogTail()}")));
            }

            await Task.Delay(250, ct);
        }
    }

    /// <summary>The live lists as the catalogue has them (what a stuck phase waits for), for the timeout's message.</summary>
    private static async Task<string> LiveListsAsync(CacheSite site)
    {
        try
        {
            IReadOnlyList<FileListRecord> lists = await site.Catalog.ReadAsync(txn => txn.QueryListsAsync(new ListQuery { States = ListQuery.LiveStates }), CancellationToken.None);
            return $"Live lists ({lists.Count}):" + string.Concat(lists.Select(l =>
                $"\n  {l.ListId:N} {l.Kind} {l.DiskLibrary} {l.State} attempt {l.Attempt} owner {l.Owner ?? "-"} lease until {l.LeaseUntil:HH:mm:ss} " +
                $"not before {l.NotBefore:HH:mm:ss} busy {l.BusyCount} failures {l.FailureCount} last reply {l.LastReply ?? "-"}"));
        }
        catch (Exception e) when (e is HsmException or InvalidOperationException)
        {
            return $"The live lists could not be read: {e.Message}";
        }
    }

    /// <summary>Copies the nodes' whole logs out of the site root (which the run removes) and says where they are.</summary>
    private string KeepLogs()
    {
        string kept = Path.Combine(Path.GetTempPath(), $"tapekit-cluster-logs-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(kept);
            foreach (string log in Directory.EnumerateFiles(Path.Combine(Options.Root, "cluster", "logs")))
            {
                File.Copy(log, Path.Combine(kept, Path.GetFileName(log)));
            }

            return $"\nThe nodes' whole logs are kept in {kept}.";
        }
        catch (IOException e)
        {
            return $"\nThe nodes' logs could not be kept: {e.Message}";
        }
    }

    /// <summary>Node processes that exited on their own and were started again (as a service manager would).</summary>
    public int UnplannedRestarts { get; private set; }

    /// <summary>Starts again every node that was started and has exited on its own (a crash, its watchdog).</summary>
    private void Supervise()
    {
        foreach (NodeProcess node in _nodes.Where(n => n.Starts > 0 && !n.Running && !(Chaos?.IsRestarting(n) ?? false)))
        {
            UnplannedRestarts += node.Start() ? 1 : 0;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the catalogue until it gets through a server restart.</summary>
    /// <param name="action">The action.</param>
    /// <param name="ct">Cancels it.</param>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (attempt < 120 && (e is not OperationCanceledException || !ct.IsCancellationRequested))
            {
                await Task.Delay(500, ct);
            }
        }
    }

    /// <summary>
    /// What the run left behind that nobody explained: dead letters in any queue of the site, and files archived more
    /// (or less) than once — one <c>ON_TAPE</c> aggregation copy for each archived file.
    /// </summary>
    /// <param name="site">The front end's site.</param>
    /// <param name="ct">Cancels the check.</param>
    public async Task<IReadOnlyList<string>> AuditAsync(CacheSite site, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        var problems = new List<string>();
        var queues = new List<string> { HsmTopology.DispatcherEventsQueue, HsmTopology.ReplyQueue(CacheSite.DispatcherId), CacheSite.NotifyQueue };
        queues.AddRange(Options.DiskLibraries.Select(d => HsmTopology.CommandQueue(d.Name)));
        foreach (string queue in queues)
        {
            foreach (DeadLetter dead in await site.Bus.GetDeadLettersAsync(queue, ct))
            {
                problems.Add($"dead letter in {queue}: {dead.Message.Type} {dead.Message.MessageId:N} after {dead.DeliveryCount} deliveries: {dead.Reason}");
            }
        }

        await using ICatalogTransaction txn = await site.Catalog.BeginAsync(ct);
        var copies = new Dictionary<long, int>();
        foreach (TapeRecord tape in await txn.QueryTapesAsync())
        {
            foreach (AggregationRecord aggregation in (await txn.GetAggregationsOnTapeAsync(tape.Vsn)).Where(a => a.State == AggregationState.OnTape))
            {
                foreach (AggregationMemberRecord member in await txn.GetAggregationMembersAsync(aggregation.AggregationId))
                {
                    copies[member.FileId] = copies.GetValueOrDefault(member.FileId) + 1;
                }
            }
        }

        foreach (FileRecord file in await txn.QueryFilesAsync(new FileQuery { ArchiveStatus = ArchiveStatus.Archived }))
        {
            int n = copies.GetValueOrDefault(file.FileId);
            if (n != 1)
            {
                problems.Add($"file {file.FileId} ({file.ExternalId}) is archived with {n} tape copies, not 1");
            }
        }

        problems.AddRange(copies.Where(c => c.Value > 1).Select(c => $"file {c.Key} has {c.Value} ON_TAPE copies"));
        return problems.Distinct().ToList();
    }

    /// <summary>Stops every process (SIGTERM, then SIGKILL after a grace) and the fault campaign.</summary>
    public async Task StopAsync()
    {
        await _stopChaos.CancelAsync();
        if (_chaosTask is not null)
        {
            try
            {
                await _chaosTask;
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(_nodes.Select(n => n.StopAsync(TimeSpan.FromSeconds(15))));
    }

    /// <summary>The nodes' reports (write sessions, drive time), every incarnation of every migrator.</summary>
    public IReadOnlyList<NodeReport> Reports() => NodeReport.ReadAll(Options.Root);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (NodeProcess node in _nodes)
        {
            node.Dispose();
        }

        _stopChaos.Dispose();
        // The run's schema goes with it.
        try
        {
            await using var connection = new NpgsqlConnection(Options.Postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Options.PostgresSchema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // Left for the operator: the schema name says which run it was.
        }

        // And its RabbitMQ queues: each quorum queue holds broker resources (file handles among them) while it exists.
        if (!string.IsNullOrEmpty(Options.RabbitMq))
        {
            try
            {
                await using RabbitMqMessageBus bus = await RabbitMqMessageBus.ConnectAsync(
                    new RabbitMqBusOptions { Uri = Options.RabbitMq, NamePrefix = Options.RabbitMqPrefix, ConnectionName = "sfa-demo-cleanup" }, TimeProvider.System);
                await bus.DeleteTopologyAsync(HsmTopology.For(CacheSite.DispatcherId, Options.DiskLibraries.Select(d => d.Name), CacheSite.NotifyQueue));
            }
            catch (HsmException)
            {
                // Left for the operator: the queues carry the run's prefix.
            }
        }
    }
}

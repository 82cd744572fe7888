using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// What only a server shows: migrations run once under racing openers, PostgreSQL's errors reach hosts as the HSM's
/// exceptions (a deadlock and a lost connection are transient and retried), an in-doubt commit is resolved by asking the
/// server, and the maintained aggregates and invariant I4 hold under many concurrent writers.
/// </summary>
public sealed class PostgresCatalogTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    [SkippableFact]
    public async Task Racing_openers_migrate_a_schema_once_and_a_newer_schema_is_refused()
    {
        string schema = PostgresDatabase.NewSchemaName();
        var options = new PostgresHsmOptions { ConnectionString = database.ConnectionString, Schema = schema };
        PostgresCatalog[] opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await PostgresCatalog.OpenAsync(options, _time))));
        Assert.All(opened, c => Assert.Equal(PostgresSchema.LatestVersion, c.SchemaVersion));
        foreach (PostgresCatalog c in opened)
        {
            await c.DisposeAsync();
        }

        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        Assert.Equal((long)PostgresSchema.LatestVersion, await ScalarAsync(admin, $"SELECT COUNT(*) FROM \"{schema}\".schema_version"));
        _ = await ScalarAsync(admin, $"INSERT INTO \"{schema}\".schema_version (version) VALUES ({PostgresSchema.LatestVersion + 1})");
        PostgresSchemaException e = await Assert.ThrowsAsync<PostgresSchemaException>(async () => await PostgresCatalog.OpenAsync(options, _time));
        Assert.Contains($"schema version {PostgresSchema.LatestVersion + 1}", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_unreachable_server_is_a_transient_unavailable_store()
    {
        string unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 }.ToString();
        CatalogStoreException e = await Assert.ThrowsAsync<CatalogStoreException>(async () =>
            await PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = unreachable }, _time));
        Assert.Equal(CatalogStoreErrorKind.Unavailable, e.Kind);
        Assert.True(e.IsTransient);
        Assert.IsAssignableFrom<NpgsqlException>(e.InnerException);
    }

    [SkippableFact]
    public async Task A_deadlock_is_a_transient_serialization_failure()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        await InsertTapesAsync(catalog, "V00001", "V00002");
        await using ICatalogTransaction a = await catalog.BeginAsync();
        await using ICatalogTransaction b = await catalog.BeginAsync();
        TapeRecord one = (await a.GetTapeAsync("V00001"))!, two = (await a.GetTapeAsync("V00002"))!;
        _ = await a.UpdateTapeAsync(one with { ReadErrors = 1 });
        _ = await b.UpdateTapeAsync(two with { ReadErrors = 1 });

        // Each now waits for the row the other holds: the server aborts one of them after its deadlock timeout.
        Task<TapeRecord> aWaits = Task.Run(async () => await a.UpdateTapeAsync(two with { WriteErrors = 1 }));
        await WaitUntilBlockedAsync();
        Task<TapeRecord> bWaits = Task.Run(async () => await b.UpdateTapeAsync(one with { WriteErrors = 1 }));

        // The server rolls the victim back at once, releasing its locks: the survivor's write applies.
        await Task.WhenAll(aWaits, bWaits).ContinueWith(_ => { }, TaskScheduler.Default);
        Task<TapeRecord> victim = Assert.Single(new[] { aWaits, bWaits }, t => t.IsFaulted);
        Task<TapeRecord> survivor = victim == aWaits ? bWaits : aWaits;
        CatalogStoreException e = await Assert.ThrowsAsync<CatalogStoreException>(async () => await victim);
        Assert.Equal(CatalogStoreErrorKind.SerializationFailure, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Equal(PostgresErrorCodes.DeadlockDetected, Assert.IsType<PostgresException>(e.InnerException).SqlState);
        Assert.Equal(1, (await survivor).WriteErrors);

        // The victim's transaction is finished for good: it can only be disposed.
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await (victim == aWaits ? a : b).GetTapeAsync("V00001"));
    }

    [SkippableFact]
    public async Task Units_of_work_that_deadlock_are_retried_until_both_apply()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        await InsertTapesAsync(catalog, "V00001", "V00002");
        var bothHoldTheirFirstRow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int attempts = 0, holding = 0;
        Task Unit(string first, string second) => Task.Run(async () => await catalog.RunAsync(async txn =>
        {
            bool firstAttempt = Interlocked.Increment(ref attempts) <= 2;
            _ = await txn.UpdateTapeAsync((await txn.GetTapeAsync(first))! with { ReadErrors = (await txn.GetTapeAsync(first))!.ReadErrors + 1 });
            if (firstAttempt)
            {
                if (Interlocked.Increment(ref holding) == 2)
                {
                    bothHoldTheirFirstRow.SetResult();
                }

                await bothHoldTheirFirstRow.Task;
            }

            _ = await txn.UpdateTapeAsync((await txn.GetTapeAsync(second))! with { WriteErrors = (await txn.GetTapeAsync(second))!.WriteErrors + 1 });
        }));

        await Task.WhenAll(Unit("V00001", "V00002"), Unit("V00002", "V00001"));
        Assert.True(attempts >= 3, $"{attempts} attempts: one unit must have been aborted and run again");
        foreach (string vsn in new[] { "V00001", "V00002" })
        {
            TapeRecord t = (await catalog.ReadAsync(txn => txn.GetTapeAsync(vsn)))!;
            Assert.Equal((1, 1), (t.ReadErrors, t.WriteErrors));
        }
    }

    [SkippableFact]
    public async Task A_lost_connection_is_transient_and_the_unit_of_work_runs_again_on_a_new_one()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        await InsertTapesAsync(catalog, "V00001");
        await using (ICatalogTransaction txn = await catalog.BeginAsync())
        {
            await TerminateAsync(((PostgresCatalogTransaction)txn).ProcessId);
            CatalogStoreException e = await Assert.ThrowsAsync<CatalogStoreException>(async () => await txn.GetTapeAsync("V00001"));
            Assert.Equal(CatalogStoreErrorKind.Unavailable, e.Kind);
            Assert.True(e.IsTransient);
        }

        int attempts = 0;
        await catalog.RunAsync(async txn =>
        {
            TapeRecord t = (await txn.GetTapeAsync("V00001"))!;
            if (++attempts == 1)
            {
                // The server ends this session (as a restart would) between the read and the write.
                await TerminateAsync(((PostgresCatalogTransaction)txn).ProcessId);
            }

            _ = await txn.UpdateTapeAsync(t with { MountCount = t.MountCount + 1 });
        });
        Assert.Equal(2, attempts);
        Assert.Equal(1, (await catalog.ReadAsync(txn => txn.GetTapeAsync("V00001")))!.MountCount);
    }

    [SkippableFact]
    public async Task When_the_server_ends_every_session_a_unit_of_work_needs_at_most_one_retry()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        await InsertTapesAsync(catalog, "V00001");
        const int Pooled = 12;
        await Task.WhenAll(Enumerable.Range(0, Pooled).Select(i => Task.Run(async () => await catalog.RunAsync(async txn =>
        {
            _ = await txn.GetTapeAsync("V00001");
            await Task.Delay(200);
        }))));

        // As a server restart does: every session of the database ends, the idle pooled ones included.
        await using (NpgsqlConnection admin = await database.OpenConnectionAsync())
        {
            long ended = (long)(await ScalarAsync(admin, """
                SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t
                """))!;
            Assert.True(ended >= Pooled, $"{ended} sessions ended");
        }

        int attempts = 0;
        await catalog.RunAsync(async txn =>
        {
            attempts++;
            _ = await txn.GetTapeAsync("V00001");
        });
        Assert.InRange(attempts, 1, 2);
    }

    [SkippableFact]
    public async Task An_in_doubt_commit_is_resolved_by_asking_the_server()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        var cause = new NpgsqlException("connection lost during COMMIT (simulated)");
        await catalog.ResolveInDoubtCommitAsync(await TransactionIdAsync(commit: true), cause);

        CatalogStoreException e = await Assert.ThrowsAsync<CatalogStoreException>(async () =>
            await catalog.ResolveInDoubtCommitAsync(await TransactionIdAsync(commit: false), cause));
        Assert.Equal(CatalogStoreErrorKind.Unavailable, e.Kind);
        Assert.Contains("rolled back", e.Message, StringComparison.Ordinal);
        Assert.Same(cause, e.InnerException);
    }

    [SkippableFact]
    public async Task Constraint_violations_are_catalogue_constraint_errors_and_leave_the_transaction_usable()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        await using ICatalogTransaction txn = await catalog.BeginAsync();
        var member = new AggregationMemberRecord(AggregationId: 77, Index: 0, FileId: 12345, PayloadOffset: 0, BlockIndex: 0, OffsetInBlock: 0, BlockCount: 1);
        CatalogConstraintException e = await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.AddAggregationMembersAsync([member]));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, Assert.IsType<PostgresException>(e.InnerException!.InnerException).SqlState);
        Assert.Contains("aggregation 77", e.Message, StringComparison.Ordinal);
        await InsertTapesAsync(txn, "V00003");
        await txn.CommitAsync();
        Assert.NotNull(await catalog.ReadAsync(t => t.GetTapeAsync("V00003")));
    }

    [SkippableFact]
    public async Task Maintained_counts_stay_exact_under_many_concurrent_writers()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        var selector = new PolicySelector(HsmWorld.Policies());
        const int Writers = 16, FilesEach = 10;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < FilesEach; i++)
            {
                FileRecord f = await WriteCacheCatalog.CreateAsync(catalog, selector, new HsmFileAttributes { StorageGroup = "sgA", Size = 10 + i }, $"/ns/{w}/{i}", $"c/{w}/{i}");
                if (i % 2 == 0)
                {
                    _ = await WriteCacheCatalog.CompleteAsync(catalog, f.FileId, f.Size, [new Checksum("adler32", "00000001")]);
                }

                if (i % 5 == 0)
                {
                    await catalog.RunAsync(async txn => await txn.UpdateFileAsync((await txn.GetFileAsync(f.FileId))! with { DeletedAt = txn.Now }));
                }
            }
        })));

        IReadOnlyList<FileRecord> rows = await catalog.ReadAsync(txn => txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true }));
        FileCount[] expected = [.. rows.GroupBy(f => (f.CacheStatus, f.ArchiveStatus, f.IsDeleted))
            .OrderBy(g => StateNames.Of(g.Key.CacheStatus), StringComparer.Ordinal).ThenBy(g => StateNames.Of(g.Key.ArchiveStatus), StringComparer.Ordinal).ThenBy(g => g.Key.IsDeleted)
            .Select(g => new FileCount(g.Key.CacheStatus, g.Key.ArchiveStatus, g.Key.IsDeleted, g.Count(), g.Sum(f => f.Size)))];
        Assert.Equal(Writers * FilesEach, rows.Count);
        Assert.Equal(expected, await catalog.ReadAsync(txn => txn.CountFilesAsync()));
    }

    [SkippableFact]
    public async Task Racing_appends_of_one_file_to_live_archive_lists_admit_exactly_one()
    {
        await using PostgresCatalog catalog = await database.OpenCatalogAsync(_time);
        FileRecord f = await WriteCacheCatalog.CreateAsync(catalog, new PolicySelector(HsmWorld.Policies()), new HsmFileAttributes { StorageGroup = "sgA", Size = 1 }, "/ns/i4", "i4");
        FileListRecord[] lists = [.. Enumerable.Range(0, 12).Select(_ => new FileListRecord
        {
            ListId = Guid.NewGuid(), Kind = FileListKind.Archive, PolicyKey = "k", DiskLibrary = "DL-A", Limits = ListLimits.Default,
            State = FileListState.Filling, CreatedAt = _time.GetUtcNow(),
        })];
        await catalog.RunAsync(async txn =>
        {
            foreach (FileListRecord l in lists)
            {
                await txn.InsertListAsync(l);
            }
        });

        bool[] admitted = await Task.WhenAll(lists.Select(l => Task.Run(async () =>
        {
            try
            {
                await catalog.RunAsync(txn => txn.AddListMemberAsync(l.ListId, f.FileId));
                return true;
            }
            catch (CatalogConstraintException)
            {
                return false;
            }
        })));
        Assert.Equal(1, admitted.Count(a => a));
        Guid holder = lists[Array.IndexOf(admitted, true)].ListId;
        Assert.Equal(holder, await catalog.ReadAsync(txn => txn.FindLiveListOfFileAsync(f.FileId, FileListKind.Archive)));
    }

    [SkippableFact]
    public async Task The_di_extension_registers_a_migrated_catalogue()
    {
        string schema = PostgresDatabase.NewSchemaName();
        await using ServiceProvider sp = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddTapeKitHsmPostgres(o =>
            {
                o.ConnectionString = database.ConnectionString;
                o.Schema = schema;
            })
            .BuildServiceProvider();
        var catalog = Assert.IsType<PostgresCatalog>(sp.GetRequiredService<ICatalog>());
        Assert.Same(catalog, sp.GetRequiredService<PostgresCatalog>());
        Assert.Equal(PostgresSchema.LatestVersion, catalog.SchemaVersion);
        Assert.Equal(schema, catalog.Options.Schema);
        Assert.Equal(_time.GetUtcNow(), await catalog.ReadAsync(txn => ValueTask.FromResult(txn.Now)));
        Assert.Empty(await catalog.ReadOutboxAsync(10));
    }

    [SkippableFact]
    public async Task Resolving_the_catalogue_from_a_thread_whose_context_is_blocked_does_not_deadlock()
    {
        string connectionString = database.ConnectionString; // Here, so that without a server the test skips on its own thread.
        string schema = PostgresDatabase.NewSchemaName();
        await using ServiceProvider sp = new ServiceCollection()
            .AddTapeKitHsmPostgres(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
            })
            .BuildServiceProvider();
        Assert.True(BlockedContext.TryRun(sp.GetRequiredService<ICatalog>, TimeSpan.FromSeconds(30), out ICatalog? catalog), "opening the catalogue did not return within 30 s");
        Assert.IsType<PostgresCatalog>(catalog);
    }

    private static async Task InsertTapesAsync(ICatalog catalog, params string[] vsns) =>
        await catalog.RunAsync(async txn => await InsertTapesAsync(txn, vsns));

    private static async Task InsertTapesAsync(ICatalogTransaction txn, params string[] vsns)
    {
        foreach (string vsn in vsns)
        {
            await txn.InsertTapeAsync(new TapeRecord { Vsn = vsn, Pool = "p", CapacityEstimate = 1_000_000 });
        }
    }

    /// <summary>Waits until a session of the database waits for a lock.</summary>
    private async Task WaitUntilBlockedAsync()
    {
        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        for (int i = 0; i < 200; i++)
        {
            if ((long)(await ScalarAsync(admin, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))! > 0)
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("No session came to wait for a lock.");
    }

    private async Task TerminateAsync(int processId)
    {
        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        Assert.Equal(true, await ScalarAsync(admin, $"SELECT pg_terminate_backend({processId.ToString(CultureInfo.InvariantCulture)}, 5000)"));
    }

    /// <summary>The id of a transaction that wrote something and then committed or rolled back.</summary>
    private async Task<ulong> TransactionIdAsync(bool commit)
    {
        await using NpgsqlConnection c = await database.OpenConnectionAsync();
        await using NpgsqlTransaction txn = await c.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_current_xact_id()::text", c, txn);
        ulong id = ulong.Parse((string)(await cmd.ExecuteScalarAsync())!, CultureInfo.InvariantCulture);
        if (commit)
        {
            await txn.CommitAsync();
        }
        else
        {
            await txn.RollbackAsync();
        }

        return id;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }
}

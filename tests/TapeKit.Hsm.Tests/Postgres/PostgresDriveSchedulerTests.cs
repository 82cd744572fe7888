using System.Reflection;
using System.Runtime.ExceptionServices;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>The drive scheduler of several processes over one PostgreSQL catalogue, where statements of one transaction see other commits.</summary>
public sealed class PostgresDriveSchedulerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly List<IAsyncDisposable> _opened = [];

    [SkippableFact]
    public async Task A_grant_another_process_commits_between_the_look_for_it_and_the_renewal_is_taken_not_failed()
    {
        PostgresCatalog a = await OpenCatalogAsync(), b = await OpenCatalogAsync();
        var options = new DriveSchedulerOptions { Library = "L" };
        var other = new DriveScheduler(b, options);
        await other.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = null });
        int raced = 0;
        var scheduler = new DriveScheduler(RenewalRace.Around(a, async () =>
        {
            // Once: the other process's scheduling round grants the request, and takes it out of the queue, now.
            if (Interlocked.Increment(ref raced) == 1)
            {
                Assert.Equal(1, await other.ScheduleAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            }
        }), options);

        Guid request = await scheduler.EnqueueAsync(new MountRequest { Vsn = "A00001", Pool = "p", Mode = MountMode.Read, Requester = "migrator-a" });
        DriveGrant? grant = await scheduler.PollAsync(request);

        Assert.True(raced >= 1, "the race did not run");
        Assert.NotNull(grant); // before the fix: "Mount request … is no longer queued", and the drive leased to nobody
        Assert.Equal((request, 0, "A00001"), (grant.RequestId, grant.Drive, grant.Vsn));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in Enumerable.Reverse(_opened))
        {
            await d.DisposeAsync();
        }
    }

    private async ValueTask<PostgresCatalog> OpenCatalogAsync()
    {
        PostgresCatalog catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = database.ConnectionString, Schema = _schema }, TimeProvider.System);
        _opened.Add(catalog);
        return catalog;
    }

    /// <summary>A catalogue whose transactions run a race just before each mount request renewal.</summary>
    public class RenewalRace : DispatchProxy
    {
        private object _target = null!;
        private Func<Task> _race = null!;

        /// <summary>Wraps <paramref name="catalog"/>.</summary>
        public static ICatalog Around(ICatalog catalog, Func<Task> race) => Wrap<ICatalog>(catalog, race);

        /// <inheritdoc/>
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
#pragma warning disable CA2012 // A proxy returns the call's ValueTask boxed, as the interface's caller awaits it once.
            return targetMethod.Name switch
            {
                nameof(ICatalog.BeginAsync) => WrapTransactionAsync((ValueTask<ICatalogTransaction>)Forward(targetMethod, args)!),
                nameof(ICatalogTransaction.RenewMountRequestAsync) => RaceThenRenewAsync(targetMethod, args),
                _ => Forward(targetMethod, args),
            };
#pragma warning restore CA2012
        }

        private static T Wrap<T>(object target, Func<Task> race)
            where T : class
        {
            T proxy = Create<T, RenewalRace>();
            var wrapper = (RenewalRace)(object)proxy;
            wrapper._target = target;
            wrapper._race = race;
            return proxy;
        }

        private object? Forward(MethodInfo method, object?[]? args)
        {
            try
            {
                return method.Invoke(_target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }

        private async ValueTask<ICatalogTransaction> WrapTransactionAsync(ValueTask<ICatalogTransaction> begun) => Wrap<ICatalogTransaction>(await begun, _race);

        private async ValueTask<bool> RaceThenRenewAsync(MethodInfo method, object?[]? args)
        {
            await _race();
            return await (ValueTask<bool>)Forward(method, args)!;
        }
    }
}

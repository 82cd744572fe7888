using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Tests.Policies;

public sealed class ListClosingRuleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static FileListRecord List(int count, long bytes, DateTimeOffset? first = null) => new()
    {
        ListId = Guid.NewGuid(), Kind = FileListKind.Archive, PolicyKey = "k", DiskLibrary = "DL", State = FileListState.Filling,
        Limits = new ListLimits(100, 100, 3, 1000, TimeSpan.FromMinutes(10)), MemberCount = count, MemberBytes = bytes, FirstMemberAt = first ?? T0,
    };

    [Fact]
    public void Bytes_and_count_are_never_exceeded_but_an_empty_list_takes_any_member()
    {
        Assert.True(ListClosingRule.WouldOverflow(List(1, 900), 101));
        Assert.False(ListClosingRule.WouldOverflow(List(1, 900), 100));
        Assert.True(ListClosingRule.WouldOverflow(List(3, 10), 1));
        Assert.False(ListClosingRule.WouldOverflow(List(0, 0), 5000));
    }

    [Fact]
    public void Reasons_fire_at_the_limits_and_age_is_exact()
    {
        Assert.Equal(CloseReason.Bytes, ListClosingRule.ReasonToClose(List(1, 1000), T0));
        Assert.Equal(CloseReason.Count, ListClosingRule.ReasonToClose(List(3, 10), T0));
        Assert.Null(ListClosingRule.ReasonToClose(List(1, 10), T0 + TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1)));
        Assert.Equal(CloseReason.Age, ListClosingRule.ReasonToClose(List(1, 10), T0 + TimeSpan.FromMinutes(10)));
        Assert.Equal(T0 + TimeSpan.FromMinutes(10), ListClosingRule.DueAt(List(1, 10)));
        Assert.Null(ListClosingRule.ReasonToClose(List(0, 0), T0 + TimeSpan.FromDays(1)));
    }
}

public sealed class BackoffPolicyTests
{
    [Fact]
    public void Ceilings_grow_by_the_factor_up_to_the_cap_and_jitter_stays_below()
    {
        var b = new BackoffPolicy(new BackoffOptions(), new Random(7));
        Assert.Equal(TimeSpan.FromSeconds(30), b.Ceiling(1));
        Assert.Equal(TimeSpan.FromSeconds(60), b.Ceiling(2));
        Assert.Equal(TimeSpan.FromMinutes(30), b.Ceiling(10));
        Assert.Equal(TimeSpan.FromMinutes(30), b.Ceiling(1000));
        for (int i = 1; i < 50; i++)
        {
            TimeSpan d = b.Next(i);
            Assert.InRange(d, TimeSpan.Zero, b.Ceiling(i));
        }

        Assert.Equal(TimeSpan.FromSeconds(10), b.AfterBusy(null));
        Assert.Equal(TimeSpan.FromSeconds(45), b.AfterBusy(TimeSpan.FromSeconds(45)));
        Assert.Throws<ArgumentException>(() => new BackoffPolicy(new BackoffOptions { Base = TimeSpan.Zero }, new Random()));
    }

    [Fact]
    public void The_same_seed_gives_the_same_delays()
    {
        var a = new BackoffPolicy(new BackoffOptions(), new Random(3));
        var b = new BackoffPolicy(new BackoffOptions(), new Random(3));
        Assert.Equal(Enumerable.Range(1, 10).Select(a.Next), Enumerable.Range(1, 10).Select(b.Next));
    }
}

public sealed class PurgePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static PurgeCandidate C(long id, long size, int ageMinutes, bool speculative = false, bool pinned = false,
        bool trusted = true, CacheStatus cache = CacheStatus.Cached, ArchiveStatus archive = ArchiveStatus.Archived) =>
        new(id, size, cache, archive, trusted, pinned, Now - TimeSpan.FromMinutes(ageMinutes), speculative);

    [Fact]
    public void Eligibility_needs_cached_archived_trusted_unpinned_and_old_enough()
    {
        var p = new PurgePolicy(new PurgeOptions());
        Assert.True(p.IsEligible(C(1, 1, 60), Now));
        Assert.False(p.IsEligible(C(1, 1, 59), Now));
        Assert.False(p.IsEligible(C(1, 1, 90, pinned: true), Now));
        Assert.False(p.IsEligible(C(1, 1, 90, trusted: false), Now));
        Assert.False(p.IsEligible(C(1, 1, 90, archive: ArchiveStatus.None), Now));
        Assert.False(p.IsEligible(C(1, 1, 90, cache: CacheStatus.PurgingRequested), Now));
    }

    [Fact]
    public void Above_the_high_watermark_it_purges_speculative_then_oldest_then_largest_down_to_the_low_watermark()
    {
        var p = new PurgePolicy(new PurgeOptions { PurgeListSize = 2 });
        PurgeCandidate[] all = [C(1, 50, 100), C(2, 50, 300), C(3, 60, 300), C(4, 10, 70, speculative: true), C(5, 999, 10)];
        PurgePlan plan = p.Plan(new AreaUsage(950, 1000), all, Now);
        // 950 used, low watermark 800: 150 bytes to free; 10 + 60 + 50 = 120 is not enough, the fourth copy makes 170.
        Assert.Equal([4L, 3L, 2L, 1L], plan.FileIds);
        Assert.Equal(170, plan.BytesToFree);
        Assert.Equal([2, 2], plan.Batches.Select(b => b.Count));
        Assert.Equal([4L, 3L], p.Plan(new AreaUsage(870, 1000), all, Now, force: true).FileIds);
        Assert.Empty(p.Plan(new AreaUsage(850, 1000), all, Now).FileIds);
        Assert.Contains("back-pressure", p.Plan(new AreaUsage(850, 1000), all, Now, force: true).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_watermarks_every_eligible_copy_is_purged()
    {
        var p = new PurgePolicy(new PurgeOptions { HighWatermark = null, LowWatermark = null });
        Assert.Equal([2L, 1L], p.Plan(new AreaUsage(1, 1000), [C(1, 5, 100), C(2, 5, 200), C(3, 5, 1)], Now).FileIds);
        Assert.Throws<ArgumentException>(() => new PurgePolicy(new PurgeOptions { HighWatermark = 0.5, LowWatermark = 0.8 }));
        Assert.Throws<ArgumentException>(() => new PurgePolicy(new PurgeOptions { HighWatermark = null }));
    }
}

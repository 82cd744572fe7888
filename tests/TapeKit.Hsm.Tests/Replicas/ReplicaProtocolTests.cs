using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>The pieces of §7.4 on their own: the report budget, digests, batching, and the spread-out checksum scan.</summary>
public sealed class ReplicaProtocolTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_budget_paces_many_returning_nodes_to_its_rate()
    {
        var budget = new ReportBudget(20, 20, _time);
        DateTimeOffset start = _time.GetUtcNow();
        var admitted = new List<DateTimeOffset>();
        var next = new Dictionary<string, DateTimeOffset>();
        var left = Enumerable.Range(0, 200).ToDictionary(i => $"n{i}", _ => 3); // 200 nodes, 3 reports each
        while (left.Values.Any(v => v > 0))
        {
            foreach (string node in left.Keys.ToList())
            {
                if (left[node] == 0 || next.GetValueOrDefault(node) > _time.GetUtcNow())
                {
                    continue;
                }

                if (budget.TryAdmit(node, out DateTimeOffset retry))
                {
                    admitted.Add(_time.GetUtcNow());
                    left[node]--;
                    next[node] = left[node] > 0 ? budget.Book(node) : DateTimeOffset.MaxValue;
                }
                else
                {
                    next[node] = retry;
                }
            }

            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(600, admitted.Count);
        // Over any window of w seconds at most burst + rate·w reports pass.
        for (int i = 0; i < admitted.Count; i++)
        {
            int inSecond = admitted.Skip(i).TakeWhile(t => t < admitted[i].AddSeconds(1)).Count();
            Assert.True(inSecond <= 20 + 20, $"{inSecond} reports within one second from {admitted[i] - start}");
        }

        TimeSpan total = admitted[^1] - start;
        Assert.InRange(total.TotalSeconds, (600 - 20) / 20.0 - 0.1, 600 / 20.0 + 1);
        Assert.True(budget.Refused <= 200, $"{budget.Refused} refusals: a node turned away is booked, and comes back on its slot");
    }

    [Fact]
    public void A_booking_is_honoured_and_an_early_report_is_told_when_to_come_back()
    {
        var budget = new ReportBudget(2, 1, _time);
        Assert.True(budget.TryAdmit("a", out _));
        DateTimeOffset slot = budget.Book("a");
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(500), slot);
        Assert.Equal(slot, budget.Book("a")); // booking again keeps the slot
        Assert.False(budget.TryAdmit("b", out DateTimeOffset retry));
        Assert.Equal(slot.AddMilliseconds(500), retry); // b is booked behind a's booking
        Assert.False(budget.TryAdmit("c", out DateTimeOffset retryC));
        Assert.Equal(slot.AddMilliseconds(1000), retryC); // and c behind b: turned away together, back one by one
        Assert.False(budget.TryAdmit("a", out DateTimeOffset early));
        Assert.Equal(slot, early);
        _time.SetUtcNow(slot);
        Assert.True(budget.TryAdmit("a", out _));
    }

    [Fact]
    public void Digests_spread_files_over_buckets_and_add_and_remove_are_inverse()
    {
        var counts = new int[ReplicaDigest.BucketCount];
        for (long id = 1; id <= 409_600; id++)
        {
            counts[ReplicaDigest.BucketOf(id)]++;
        }

        Assert.InRange(counts.Min(), 50, 100);
        Assert.InRange(counts.Max(), 100, 160);

        ReplicaDigest a = ReplicaDigest.Of(Enumerable.Range(1, 1000).Select(i => new ReplicaDigestEntry(i, i % 7 == 0)));
        ReplicaDigest b = ReplicaDigest.FromBuckets(a.Counts, a.Hashes);
        Assert.Empty(a.DifferingBuckets(b));
        b.Add(new ReplicaDigestEntry(5000, false));
        b.Remove(new ReplicaDigestEntry(3, false));
        b.Remove(new ReplicaDigestEntry(7, true));
        b.Add(new ReplicaDigestEntry(7, false)); // same file, other state: its bucket differs too
        Assert.Equal(new[] { 5000L, 3, 7 }.Select(ReplicaDigest.BucketOf).Distinct().Order(), a.DifferingBuckets(b));
        b.Remove(new ReplicaDigestEntry(5000, false));
        b.Add(new ReplicaDigestEntry(3, false));
        b.Remove(new ReplicaDigestEntry(7, false));
        b.Add(new ReplicaDigestEntry(7, true));
        Assert.Empty(a.DifferingBuckets(b));
        Assert.Equal(1000, b.TotalCount);
        Assert.Throws<ArgumentException>(() => ReplicaDigest.FromBuckets([1], [1]));
    }

    [Fact]
    public void Changes_are_batched_once_per_file_in_numbered_reports()
    {
        List<ReplicaReportEntry> changes = [.. Enumerable.Range(1, 2500).Select(i => new ReplicaReportEntry(i, ReportedReplicaState.Corrupted))];
        changes.Add(new ReplicaReportEntry(10, ReportedReplicaState.Missing)); // a later change of file 10 replaces the earlier
        IReadOnlyList<NodeReport> reports = ReplicaReporting.Batch("n", 41, changes, 1000);
        Assert.Equal([42L, 43L, 44L], reports.Select(r => r.Sequence));
        Assert.Equal([1000, 1000, 500], reports.Select(r => r.Entries.Count));
        Assert.Equal([true, true, false], reports.Select(r => r.MorePending));
        Assert.Equal(ReportedReplicaState.Missing, reports[0].Entries.Single(e => e.FileId == 10).State);
    }

    [Fact]
    public void A_checksum_scan_covers_every_copy_once_per_period_in_random_order_spaced_out()
    {
        var schedule = new ChecksumScanSchedule(TimeSpan.FromDays(1), TimeSpan.FromSeconds(10), new Random(7));
        DateTimeOffset start = _time.GetUtcNow();
        long[] copies = [.. Enumerable.Range(1, 1000).Select(i => (long)i)];
        IReadOnlyList<(long Item, DateTimeOffset At)> plan = schedule.PlanPeriod(copies, start);
        Assert.Equal(copies.Order(), plan.Select(p => p.Item).Order());
        Assert.NotEqual(copies, plan.Select(p => p.Item));
        Assert.All(plan.Zip(plan.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(86.4), p.Second.At - p.First.At));
        Assert.InRange(plan[0].At, start, start.AddSeconds(86.4));
        Assert.True(plan[^1].At < start.AddDays(1));

        // Another node (another seed) checks in another order; the same seed replays the same plan.
        Assert.NotEqual(plan.Select(p => p.Item), new ChecksumScanSchedule(TimeSpan.FromDays(1), TimeSpan.FromSeconds(10), new Random(8)).PlanPeriod(copies, start).Select(p => p.Item));
        Assert.Equal(plan, new ChecksumScanSchedule(TimeSpan.FromDays(1), TimeSpan.FromSeconds(10), new Random(7)).PlanPeriod(copies, start));

        // More copies than the period holds at the minimum interval: the interval wins, the period stretches.
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.IntervalFor(100_000));
        IReadOnlyList<(int Item, DateTimeOffset At)> big = schedule.PlanPeriod(Enumerable.Range(0, 100_000).ToArray(), start);
        Assert.All(big.Zip(big.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(10), p.Second.At - p.First.At));
    }
}

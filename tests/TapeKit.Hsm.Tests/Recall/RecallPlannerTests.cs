using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;

namespace TapeKit.Hsm.Tests.Recall;

public sealed class RecallPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static RecallCopy Copy(string vsn, int copyNb, long aggregation, int fseq, long firstBlock, long blockIndex, long aggBytes = 10_000_000_000,
        int aggMembers = 100, bool damaged = false, int offset = 0) =>
        new(copyNb, new MemberLocator(new TapeFileLocator(vsn, fseq, firstBlock), aggregation, (int)blockIndex, blockIndex, offset, 0), aggBytes, aggMembers, damaged);

    private static RecallRequest Req(long file, long size, TimeSpan age, RequestPriority p, params RecallCopy[] copies) =>
        new(Guid.CreateVersion7(), file, size, "DL-A", p, Now - age, copies);

    [Fact]
    public void Copy_choice_prefers_a_mounted_tape_then_a_healthy_one_then_the_lowest_copy_number()
    {
        RecallRequest r = Req(1, 10, TimeSpan.Zero, RequestPriority.Normal,
            Copy("T1", 1, 1, 1, 10, 0), Copy("T2", 2, 2, 1, 10, 0), Copy("T3", 3, 3, 1, 10, 0, damaged: true));
        var tapes = new Dictionary<string, RecallTapeStatus> { ["T1"] = new("T1", TapeState.Full), ["T2"] = new("T2", TapeState.Full) };
        Assert.Equal("T1", RecallPlanner.ChooseCopy(r, tapes)!.Vsn);
        tapes["T2"] = new("T2", TapeState.Full, MountedForRead: true);
        Assert.Equal("T2", RecallPlanner.ChooseCopy(r, tapes)!.Vsn);
        tapes["T2"] = new("T2", TapeState.Full);
        tapes["T1"] = new("T1", TapeState.NeedsAttention);
        Assert.Equal("T2", RecallPlanner.ChooseCopy(r, tapes)!.Vsn);
        tapes["T1"] = new("T1", TapeState.Broken);
        tapes["T2"] = new("T2", TapeState.Disabled);
        Assert.Null(RecallPlanner.ChooseCopy(r, tapes));
    }

    [Fact]
    public void Requests_are_grouped_per_tape_and_disk_library()
    {
        var tapes = new Dictionary<string, RecallTapeStatus>();
        (IReadOnlyList<RecallQueue> queues, IReadOnlyList<RecallRequest> unreadable) = RecallPlanner.BuildQueues(
        [
            Req(1, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 1, 1, 10, 0)),
            Req(2, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T2", 1, 2, 1, 10, 0)),
            Req(3, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 1, 1, 10, 5)),
            Req(4, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 1, 1, 10, 5, damaged: true)),
        ], tapes);
        Assert.Equal(["T1", "T2"], queues.Select(q => q.Vsn));
        Assert.Equal(2, queues[0].QueuedFiles);
        Assert.Equal(4, Assert.Single(unreadable).FileId);
    }

    [Fact]
    public void A_queue_is_due_by_bytes_files_or_age_after_the_fill_wait()
    {
        var planner = new RecallPlanner(new RecallOptions { MinQueuedBytes = 1000, MinQueuedFiles = 3 });
        RecallQueue Q(params RecallRequest[] r) => new("T1", "DL-A", [.. r.Select(x => new QueuedRecall(x, x.Copies[0]))]);
        RecallCopy c = Copy("T1", 1, 1, 1, 10, 0);
        Assert.False(planner.Decide(Q(Req(1, 10, TimeSpan.FromMinutes(1), RequestPriority.Normal, c)), null, Now, 0, true).Due);
        Assert.True(planner.Decide(Q(Req(1, 1000, TimeSpan.Zero, RequestPriority.Normal, c)), null, Now, 0, true).Due);
        Assert.True(planner.Decide(Q(Req(1, 1, TimeSpan.Zero, RequestPriority.Normal, c), Req(2, 1, TimeSpan.Zero, RequestPriority.Normal, c), Req(3, 1, TimeSpan.Zero, RequestPriority.Normal, c)), null, Now, 0, true).Due);
        // Old enough (30 min for Normal) and nothing new for FillWait (10 min).
        Assert.True(planner.Decide(Q(Req(1, 1, TimeSpan.FromMinutes(31), RequestPriority.Normal, c)), null, Now, 0, true).Due);
        // Old enough but a request arrived 1 min ago: wait to fill, unless FillWaitMax passed.
        Assert.False(planner.Decide(Q(Req(1, 1, TimeSpan.FromMinutes(31), RequestPriority.Normal, c), Req(2, 1, TimeSpan.FromMinutes(1), RequestPriority.Normal, c)), null, Now, 0, true).Due);
        Assert.True(planner.Decide(Q(Req(1, 1, TimeSpan.FromHours(2), RequestPriority.Normal, c), Req(2, 1, TimeSpan.FromMinutes(1), RequestPriority.Normal, c)), null, Now, 0, true).Due);
        Assert.True(planner.Decide(Q(Req(1, 1, TimeSpan.Zero, RequestPriority.Urgent, c)), null, Now, 0, true).Eligible);
    }

    [Fact]
    public void The_remount_guard_blocks_except_for_urgent_requests_and_back_pressure_blocks_all()
    {
        var planner = new RecallPlanner(new RecallOptions { MinQueuedFiles = 1 });
        RecallCopy c = Copy("T1", 1, 1, 1, 10, 0);
        var recent = new RecallTapeStatus("T1", TapeState.Full, LastUnmountedAt: Now - TimeSpan.FromMinutes(30));
        MountDecision normal = planner.Decide(new RecallQueue("T1", "DL-A", [new(Req(1, 1, TimeSpan.Zero, RequestPriority.Normal, c), c)]), recent, Now, 0, true);
        Assert.True(normal.Due);
        Assert.False(normal.Eligible);
        Assert.True(normal.RemountGuardBlocked);
        MountDecision urgent = planner.Decide(new RecallQueue("T1", "DL-A", [new(Req(1, 1, TimeSpan.Zero, RequestPriority.Urgent, c), c)]), recent, Now, 0, true);
        Assert.True(urgent.Eligible);
        Assert.True(urgent.RemountGuardBypassed);
        Assert.False(planner.Decide(new RecallQueue("T1", "DL-A", [new(Req(1, 1, TimeSpan.Zero, RequestPriority.Urgent, c), c)]), null, Now, 0.95, true).Eligible);
        Assert.False(planner.Decide(new RecallQueue("T1", "DL-A", [new(Req(1, 1, TimeSpan.Zero, RequestPriority.Urgent, c), c)]), new RecallTapeStatus("T1", TapeState.Full, MountedForWrite: true), Now, 0, true).Eligible);
        Assert.False(planner.Decide(new RecallQueue("T1", "DL-A", [new(Req(1, 1, TimeSpan.Zero, RequestPriority.Urgent, c), c)]), null, Now, 0, driveAvailable: false).Eligible);
    }

    [Fact]
    public void Ranking_is_priority_then_oldest_then_bytes_and_a_mounted_tape_wins_ties()
    {
        var planner = new RecallPlanner(new RecallOptions { MinQueuedFiles = 1 });
        MountDecision D(string vsn, RequestPriority p, TimeSpan age, long bytes)
        {
            RecallCopy c = Copy(vsn, 1, 1, 1, 10, 0);
            return planner.Decide(new RecallQueue(vsn, "DL-A", [new(Req(1, bytes, age, p, c), c)]), null, Now, 0, true);
        }

        var tapes = new Dictionary<string, RecallTapeStatus> { ["T4"] = new("T4", TapeState.Full, MountedForRead: true) };
        IReadOnlyList<MountDecision> ranked = RecallPlanner.Rank(
            [D("T1", RequestPriority.Normal, TimeSpan.FromHours(1), 5), D("T2", RequestPriority.High, TimeSpan.FromMinutes(3), 5),
             D("T3", RequestPriority.Normal, TimeSpan.FromHours(2), 5), D("T4", RequestPriority.Normal, TimeSpan.FromHours(1), 5)], tapes);
        Assert.Equal(["T2", "T3", "T4", "T1"], ranked.Select(d => d.Queue.Vsn));
    }

    [Fact]
    public void A_stage_list_is_in_block_order_with_whole_reads_for_a_large_share_and_positioned_reads_otherwise()
    {
        var planner = new RecallPlanner(new RecallOptions { WholeReadBelowBytes = 0 });
        RecallRequest[] requests =
        [
            // Aggregation 20 (fseq 2, first block 5000): 1 of 100 members requested → positioned.
            Req(1, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 20, 2, 5000, 70)),
            Req(2, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 20, 2, 5000, 7)),
            // Aggregation 10 (fseq 1, first block 100): 2 of 3 members requested → whole.
            Req(3, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 10, 1, 100, 9, aggMembers: 3)),
            Req(4, 10, TimeSpan.Zero, RequestPriority.Normal, Copy("T1", 1, 10, 1, 100, 2, aggMembers: 3)),
        ];
        StagePlan plan = planner.PlanBatch(new RecallQueue("T1", "DL-A", [.. requests.Select(r => new QueuedRecall(r, r.Copies[0]))]));
        Assert.Equal([(10L, ReadMode.Whole, 100L), (20L, ReadMode.Positioned, 5007L), (20L, ReadMode.Positioned, 5070L)],
            plan.Items.Select(i => (i.AggregationId, i.Mode, i.StartBlockId)));
        Assert.Equal([4L, 3L], plan.Items[0].Members.Select(m => m.FileId));
        Assert.Equal(4, plan.FileCount);
        Assert.Contains(plan.Explanation, e => e.Contains("whole read", StringComparison.Ordinal));
    }

    [Fact]
    public void Small_aggregations_are_read_whole_and_batches_respect_the_fetch_limits_by_priority()
    {
        var planner = new RecallPlanner(new RecallOptions { FetchMaxFiles = 2, FetchMaxBytes = 1000 });
        RecallRequest[] requests =
        [
            Req(1, 10, TimeSpan.FromMinutes(5), RequestPriority.Low, Copy("T1", 1, 1, 1, 10, 1, aggBytes: 1000)),
            Req(2, 10, TimeSpan.FromMinutes(1), RequestPriority.High, Copy("T1", 1, 2, 2, 900, 3, aggBytes: 1000)),
            Req(3, 10, TimeSpan.FromMinutes(9), RequestPriority.Normal, Copy("T1", 1, 3, 3, 1900, 1, aggBytes: 1000)),
        ];
        StagePlan plan = planner.PlanBatch(new RecallQueue("T1", "DL-A", [.. requests.Select(r => new QueuedRecall(r, r.Copies[0]))]));
        Assert.Equal([2L, 3L], plan.Items.Select(i => i.AggregationId));
        Assert.All(plan.Items, i => Assert.Equal(ReadMode.Whole, i.Mode));
    }
}

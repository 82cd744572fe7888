using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Tests.StateMachines;

public sealed class HsmStateMachinesTests
{
    [Theory]
    [InlineData("C2", CacheStatus.Created, FileCacheEvent.WriteFinished, CacheStatus.Cached)]
    [InlineData("C4", CacheStatus.Purged, FileCacheEvent.CacheMissed, CacheStatus.StagingRequested)]
    [InlineData("C8", CacheStatus.Staging, FileCacheEvent.StageRequeued, CacheStatus.StagingRequested)]
    [InlineData("C15", CacheStatus.Cached, FileCacheEvent.WriteCopyRemoved, CacheStatus.Purged)]
    [InlineData("C17", CacheStatus.Cached, FileCacheEvent.LostBeforeArchive, CacheStatus.Failed)]
    public void Cache_rules_lead_where_the_spec_says(string id, CacheStatus from, FileCacheEvent e, CacheStatus to)
    {
        TransitionRule<CacheStatus, FileCacheEvent> rule = HsmStateMachines.FileCache.Find(from, e)!;
        Assert.Equal(id, rule.Id);
        Assert.Equal(to, rule.To);
    }

    [Fact]
    public void The_tables_have_every_numbered_rule_of_the_spec()
    {
        string[] cache = [.. HsmStateMachines.FileCache.Rules.Select(r => r.Id).Distinct()];
        Assert.Equal(Enumerable.Range(2, 18).Where(i => i != 3).Select(i => $"C{i}"), cache.OrderBy(c => int.Parse(c[1..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["A1", "A2", "A3", "A4", "A5"], HsmStateMachines.FileArchive.Rules.Select(r => r.Id).Distinct().Order());
        Assert.Equal(["L10", "L11", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9"], HsmStateMachines.FileList.Rules.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["G2", "G3", "G4", "G5", "G6", "G7"], HsmStateMachines.Aggregation.Rules.Select(r => r.Id).Distinct().Order());
    }

    [Fact]
    public void Every_pair_outside_the_table_is_illegal_and_the_exception_names_entity_state_and_event()
    {
        int illegal = 0;
        foreach (CacheStatus from in Enum.GetValues<CacheStatus>())
        {
            foreach (FileCacheEvent e in Enum.GetValues<FileCacheEvent>())
            {
                if (HsmStateMachines.FileCache.Find(from, e) is not null)
                {
                    continue;
                }

                illegal++;
                IllegalTransitionException x = Assert.Throws<IllegalTransitionException>(() => HsmStateMachines.FileCache.Apply("42", from, e, HsmActor.Operator));
                Assert.Equal("file.cache", x.Machine);
                Assert.Equal("42", x.EntityId);
                Assert.Equal(StateNames.Of(from), x.From);
                Assert.Equal(e.ToString(), x.Event);
                Assert.Contains("42", x.Message, StringComparison.Ordinal);
            }
        }

        Assert.True(illegal > 100);
    }

    [Fact]
    public void A_rule_applied_by_the_wrong_actor_is_illegal()
    {
        IllegalTransitionException x = Assert.Throws<IllegalTransitionException>(() =>
            HsmStateMachines.FileArchive.Apply("7", ArchiveStatus.Archiving, FileArchiveEvent.Committed, HsmActor.Dispatcher));
        Assert.Contains("A2", x.Message, StringComparison.Ordinal);
        Assert.Equal("Dispatcher", x.Actor);
    }

    [Fact]
    public void The_sweeper_may_make_an_owner_s_transitions_but_not_the_dispatcher_s_own_rule_set_for_others()
    {
        Assert.True(HsmStateMachines.FileArchive.IsAllowed(ArchiveStatus.Archiving, FileArchiveEvent.Released, HsmActor.Sweeper));
        Assert.True(HsmStateMachines.Aggregation.IsAllowed(AggregationState.Written, AggregationEvent.Failed, HsmActor.Sweeper));
        Assert.False(HsmStateMachines.FileCache.IsAllowed(CacheStatus.Created, FileCacheEvent.WriteFinished, HsmActor.Sweeper));
    }

    [Fact]
    public void Two_rules_for_one_pair_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new TransitionTable<ArchiveStatus, FileArchiveEvent>("x",
        [
            new("A1", ArchiveStatus.None, FileArchiveEvent.Claimed, ArchiveStatus.Archiving, [HsmActor.Migrator]),
            new("A9", ArchiveStatus.None, FileArchiveEvent.Claimed, ArchiveStatus.Failed, [HsmActor.Migrator]),
        ]));
    }

    [Theory]
    [InlineData(CacheStatus.StagingRequested, "STAGING_REQUESTED")]
    [InlineData(CacheStatus.Cached, "CACHED")]
    [InlineData(CacheStatus.PurgingRequested, "PURGING_REQUESTED")]
    public void State_names_are_enstore_s_capitals_and_round_trip(CacheStatus value, string text)
    {
        Assert.Equal(text, StateNames.Of(value));
        Assert.Equal(value, StateNames.Parse<CacheStatus>(text));
    }

    [Fact]
    public void Parsing_an_unknown_state_name_fails()
    {
        Assert.Throws<FormatException>(() => StateNames.Parse<CacheStatus>("HALF_CACHED"));
        Assert.Throws<FormatException>(() => StateNames.Parse<CacheStatus>("42"));
    }
}

using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Tests.Policies;

public sealed class PolicySelectorTests
{
    private static PolicySet Enstore() => new()
    {
        Version = 12,
        Rules =
        [
            new PolicyRule
            {
                Name = "lqcd-hisq-cpio", Order = 1, DiskLibrary = "CD-DiskSF", Format = AggregationPayloadFormat.Il,
                Match = new() { ["library"] = "CD-10KCF1", ["storageGroup"] = "lqcd", ["fileFamily"] = "lqcd-FNAL-HISQ", ["wrapper"] = "cpio_odc" },
                SmallFileThreshold = 4_000_000_000, MaxMemberSize = 4_000_000_000, MaxBytes = 4_000_000_000, MaxFilesPerAggregation = 10_000,
                MaxWaitingTime = TimeSpan.FromHours(24),
            },
            new PolicyRule { Name = "default", Order = 9, DiskLibrary = "CD-DiskSF" },
        ],
    };

    private static HsmFileAttributes Lqcd(long size = 1000) => new()
    {
        Library = "CD-10KCF1", StorageGroup = "lqcd", FileFamily = "lqcd-FNAL-HISQ", Wrapper = "cpio_odc", Size = size,
    };

    [Fact]
    public void The_policy_key_is_rule_library_and_matched_values_as_in_the_spec_example()
    {
        PolicyDecision d = new PolicySelector(Enstore()).Decide(Lqcd());
        Assert.Equal("lqcd-hisq-cpio|CD-10KCF1|lqcd|lqcd-FNAL-HISQ|cpio_odc", d.PolicyKey);
        Assert.Equal(ArchiveStrategy.Aggregate, d.Strategy);
        Assert.Equal(AggregationPayloadFormat.Il, d.Format);
        Assert.Equal(12, d.PolicyVersion);
        Assert.Equal(TimeSpan.FromHours(24), d.Limits.MaxWaitingTime);
    }

    [Fact]
    public void Patterns_are_anchored_and_missing_attributes_are_empty()
    {
        var selector = new PolicySelector(Enstore());
        Assert.Equal("default", selector.Decide(Lqcd() with { StorageGroup = "lqcdX" }).RuleName);
        Assert.Equal("default", selector.Decide(Lqcd() with { Wrapper = "" }).RuleName);
        Assert.Equal("lqcd-hisq-cpio", selector.Decide(Lqcd()).RuleName);
    }

    [Fact]
    public void The_first_match_in_explicit_order_wins_not_the_position_in_the_list()
    {
        PolicySet set = Enstore();
        set.Rules.Insert(0, new PolicyRule { Name = "late", Order = 5, DiskLibrary = "other", Match = new() { ["storageGroup"] = "lq.*" } });
        var selector = new PolicySelector(set);
        Assert.Equal("lqcd-hisq-cpio", selector.Decide(Lqcd()).RuleName);
        Assert.Equal("late", selector.Decide(Lqcd() with { Wrapper = "cern" }).RuleName);
    }

    [Theory]
    [InlineData(999, ArchiveStrategy.Aggregate)]
    [InlineData(1000, ArchiveStrategy.Direct)]
    public void Size_routing_aggregates_strictly_smaller_files(long size, ArchiveStrategy expected)
    {
        var set = new PolicySet { Rules = [new PolicyRule { Name = "d", DiskLibrary = "DL", SmallFileThreshold = 1000, MaxMemberSize = 1000 }] };
        PolicyDecision d = new PolicySelector(set).Decide(new HsmFileAttributes { Size = size });
        Assert.Equal(expected, d.Strategy);
        Assert.Equal(expected == ArchiveStrategy.Direct ? AggregationPayloadFormat.None : AggregationPayloadFormat.Tar, d.Format);
        Assert.Equal(expected == ArchiveStrategy.Direct, d.PolicyKey.EndsWith("|direct", StringComparison.Ordinal));
    }

    [Fact]
    public void CollocateBy_refines_the_key_with_host_attributes()
    {
        var set = new PolicySet { Rules = [new PolicyRule { Name = "d", DiskLibrary = "DL", CollocateBy = ["dataset"] }] };
        var selector = new PolicySelector(set);
        string k1 = selector.Decide(new HsmFileAttributes().With("dataset", "run1")).PolicyKey;
        string k2 = selector.Decide(new HsmFileAttributes().With("dataset", "run2")).PolicyKey;
        Assert.NotEqual(k1, k2);
        Assert.EndsWith("|run2", k2, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_traces_every_rule_tried_with_values_patterns_and_results()
    {
        PolicyExplanation e = new PolicySelector(Enstore()).Explain(Lqcd() with { Wrapper = "cern" });
        Assert.Equal(2, e.Rules.Count);
        Assert.False(e.Rules[0].Matched);
        Assert.Contains(e.Rules[0].Attributes, a => a is { Attribute: "wrapper", Value: "cern", Pattern: "cpio_odc", Matched: false });
        Assert.True(e.Rules[1].Matched);
        Assert.Equal("default", e.MatchedRule);
        Assert.Contains("aggregate", e.SizeRouting, StringComparison.Ordinal);
        Assert.Contains("→ rule default", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_fails_fast_naming_every_bad_rule_and_field()
    {
        var set = new PolicySet
        {
            Rules =
            [
                new PolicyRule { Name = "a", DiskLibrary = "DL", MaxMemberSize = 2000, SmallFileThreshold = 1000 },
                new PolicyRule { Name = "a", DiskLibrary = "", Match = new() { ["wrapper"] = "(" } },
                new PolicyRule { Name = "c", DiskLibrary = "nowhere", MaxFilesPerAggregation = 0, MaxWaitingTime = TimeSpan.Zero, Format = AggregationPayloadFormat.None },
            ],
        };
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() =>
            new PolicySelector(set, new PolicyEnvironment { DiskLibraries = new HashSet<string> { "DL" } }));
        Assert.Contains(e.Errors, m => m.Contains("Rule 'a': MaxMemberSize 2000 exceeds SmallFileThreshold 1000", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("the name is used twice", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("DiskLibrary is empty", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("'wrapper' does not compile", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("'nowhere' does not exist", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("MaxFilesPerAggregation must be positive", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("MaxWaitingTime must be positive", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("Format must be Il or Tar", StringComparison.Ordinal));
    }

    [Fact]
    public void A_set_must_end_with_a_catch_all()
    {
        var set = new PolicySet { Rules = [new PolicyRule { Name = "a", DiskLibrary = "DL", Match = new() { ["storageGroup"] = "x" } }] };
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => new PolicySelector(set));
        Assert.Contains("catch-all", Assert.Single(e.Errors), StringComparison.Ordinal);
        Assert.Throws<PolicyValidationException>(() => new PolicySelector(new PolicySet()));
    }

    [Fact]
    public void MaxBytes_is_limited_to_five_percent_of_the_smallest_cartridge_of_the_pool()
    {
        var set = new PolicySet { Rules = [new PolicyRule { Name = "d", DiskLibrary = "DL", TapePool = "p", MaxBytes = 1_000_000_001 }] };
        var env = new PolicyEnvironment { TapePoolCapacities = new Dictionary<string, long> { ["p"] = 20_000_000_000 } };
        Assert.Contains("exceeds 5", Assert.Single(Assert.Throws<PolicyValidationException>(() => new PolicySelector(set, env)).Errors), StringComparison.Ordinal);
        set.Rules[0].MaxBytes = 1_000_000_000;
        Assert.Empty(new PolicySelector(set, env).Warnings);
    }

    [Fact]
    public void A_rule_shadowed_by_identical_patterns_is_warned_about()
    {
        var set = new PolicySet
        {
            Rules =
            [
                new PolicyRule { Name = "first", DiskLibrary = "DL", Match = new() { ["storageGroup"] = "x" } },
                new PolicyRule { Name = "second", DiskLibrary = "DL", Match = new() { ["storageGroup"] = "x" } },
                new PolicyRule { Name = "all", DiskLibrary = "DL" },
            ],
        };
        Assert.Contains("can never match", Assert.Single(new PolicySelector(set).Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_counts_what_a_candidate_set_would_change_without_touching_anything()
    {
        var old = new PolicySelector(Enstore());
        FileRecord[] files =
        [
            File(1, old, Lqcd()),
            File(2, old, Lqcd() with { Wrapper = "cern" }),
            File(3, old, Lqcd(size: 5_000_000_000)),
        ];
        PolicySet next = Enstore();
        next.Version = 13;
        next.Rules[1].DiskLibrary = "CD-DiskSF2";
        PolicyDiff diff = await PolicyDryRun.CompareAsync(new PolicySelector(next), files.ToAsyncEnumerable());
        Assert.Equal(3, diff.FilesEvaluated);
        Assert.Equal(13, diff.CandidateVersion);
        RuleDiff dflt = Assert.Single(diff.Rules, r => r.Rule == "default");
        Assert.Equal(1, dflt.DiskLibraryChanges);
        Assert.Equal([2L], dflt.SampleFileIds);
        RuleDiff lqcd = Assert.Single(diff.Rules, r => r.Rule == "lqcd-hisq-cpio");
        Assert.Equal(2, lqcd.Files);
        Assert.Equal(0, lqcd.DiskLibraryChanges + lqcd.KeyChanges + lqcd.StrategyChanges + lqcd.LimitChanges);
    }

    private static FileRecord File(long id, PolicySelector s, HsmFileAttributes a) =>
        new() { FileId = id, Size = a.Size, Attributes = a, Decision = s.Decide(a) };
}

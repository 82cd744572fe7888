using FsCheck.Fluent;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Support;

public sealed class PropertyRunTests(ITestOutputHelper output)
{
    [Fact]
    public void A_false_property_fails_and_names_its_replay_seed()
    {
        var failing = Prop.ForAll<int>(x => x < 50);
        var failure = Assert.ThrowsAny<Exception>(() => PropertyRun.Check(output, failing, maxTest: 1000));
        Assert.Contains(PropertyRun.ReplayVariable, failure.Message, StringComparison.Ordinal);
    }
}

using System.Reflection;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Leadership;

namespace TapeKit.Hsm.Tests.Leadership;

/// <summary>The leader's fenced transaction is a pass-through: no call falls back on the interface's per-row default bodies.</summary>
public sealed class LeaderFencedTransactionTests
{
    [Fact]
    public void Every_catalogue_call_goes_to_the_inner_transaction_itself()
    {
        Type fenced = typeof(LeaderFencedCatalog).Assembly.GetType("TapeKit.Hsm.Leadership.LeaderFencedTransaction", throwOnError: true)!;
        InterfaceMapping map = fenced.GetInterfaceMap(typeof(ICatalogTransaction));
        string[] inherited = [.. map.TargetMethods.Where(m => m.DeclaringType != fenced).Select(m => m.Name).Order(StringComparer.Ordinal)];

        // A default body (the batch calls) would run one inner statement per row: a round trip each on a catalogue server.
        Assert.Empty(inherited);
        Assert.Contains(map.TargetMethods, m => m.Name == nameof(ICatalogTransaction.GetFilesAsync) && m.DeclaringType == fenced);
    }
}

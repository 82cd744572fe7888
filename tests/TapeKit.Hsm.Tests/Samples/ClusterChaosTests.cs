using SmallFilesCache;
using SmallFilesCache.Cluster;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The cluster demo's fault campaign itself: what it does when a server restart command fails.</summary>
public sealed class ClusterChaosTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-chaos-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_failed_restart_command_ends_the_campaign_and_the_killed_node_is_started_again()
    {
        // A node whose configuration does not exist: it starts and exits at once, which is all the campaign needs.
        using var node = new NodeProcess("test/migrator", SiteRole.Migrator, "dl1", Path.Combine(_root, "missing.json"), Path.Combine(_root, "logs"));
        Assert.True(node.Start());
        var chaos = new ClusterChaos([node], new ChaosOptions
        {
            Kills = 3,
            Seed = 7,
            MinIntervalMs = 1,
            MaxIntervalMs = 2,
            RestartPostgres = "echo refused >&2; exit 3",
            RestartPostgresAfterKill = 1,
        })
        { Armed = true };

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => chaos.RunAsync(CancellationToken.None));

        Assert.Contains("exited with 3: refused", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, chaos.Kills);
        Assert.Empty(chaos.ServerRestarts);
        Assert.Equal(2, node.Starts); // Killed, then started again although the campaign failed.
        Assert.False(chaos.IsRestarting(node));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

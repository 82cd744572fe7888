using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Cli;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// A recall that failed for good in a running site, listed and retried by an operator with the <c>tapekit</c> tool on
/// the site's catalogue while the site runs, is then served by that site without a restart.
/// </summary>
public sealed class SmallFilesCacheFailedRecallRetryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-sfa-recall-retry-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_recall_failed_on_an_unpublishable_path_is_retried_with_the_tool_and_served_by_the_running_site()
    {
        const int seed = 11;
        long[] sizes = [4000, 90_000];
        string db = Path.Combine(_root, "catalogue.db");
        await using CacheSite site = await CacheSite.OpenAsync(Demo.DemoSite(_root), TimeProvider.System, NullLoggerFactory.Instance);
        DiskMoverResult[] written = await DiskMover.WriteManyAsync(site, [.. sizes.Select((size, i) => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = "expA", Size = size }, $"/expA/retry{i}.dat", (offset, chunk) => Payload.Fill(seed, i, offset, chunk.Span)))]);
        long[] ids = [.. written.Select(w => (w.Record ?? throw w.Error!).FileId)];
        await site.PumpAsync();
        await site.FlushListsAsync();
        await site.MigrateAsync();
        Assert.Equal(sizes.Length, (await site.PurgeAsync()).Sum(r => r.FilesPurged));
        await site.DismountIdleAsync();

        // Something else now occupies the first file's cache path: its recall cannot be published and fails for good.
        FileRecord blocked = await SiteFiles.GetAsync(site, ids[0]);
        string cachePath = Path.Combine(site.Libraries[blocked.Decision.DiskLibrary].CacheRoot, blocked.CachePath);
        Directory.CreateDirectory(Path.Combine(cachePath, "someone-elses"));
        Assert.All(await RecallCatalog.RequestManyAsync(site.Catalog, ids), o => Assert.Equal(RecallRequestOutcome.Queued, o));
        await site.RecallAsync();
        Assert.Equal(CacheStatus.Cached, (await SiteFiles.GetAsync(site, ids[1])).CacheStatus);
        FileRecord failed = await SiteFiles.GetAsync(site, ids[0]);
        Assert.Equal(CacheStatus.Failed, failed.CacheStatus);
        Assert.StartsWith("PublishFailed:", failed.FailureReason, StringComparison.Ordinal);

        // The operator finds it with the tool, and a client's request stays refused until it is retried.
        CliRun list = Cli("hsm", "recall", "failed", "--db", db, "--json");
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        using (JsonDocument json = JsonDocument.Parse(list.Stdout))
        {
            JsonElement only = Assert.Single(json.RootElement.GetProperty("files").EnumerateArray());
            Assert.Equal(ids[0], only.GetProperty("fileId").GetInt64());
            Assert.True(only.GetProperty("retryable").GetBoolean());
        }

        Assert.Equal(RecallRequestOutcome.Refused, await RecallCatalog.RequestAsync(site.Catalog, ids[0]));
        Directory.Delete(cachePath, recursive: true);
        CliRun retry = Cli("hsm", "recall", "retry", "--db", db, "--reason", "removed the directory at the cache path", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(retry.ExitCode == ExitCodes.Success, retry.Stderr);

        await site.RecallAsync();
        FileRecord served = await SiteFiles.GetAsync(site, ids[0]);
        Assert.Equal(CacheStatus.Cached, served.CacheStatus);
        Assert.Null(served.FailureReason);
        byte[] expected = new byte[sizes[0]];
        Payload.Fill(seed, 0, 0, expected);
        Assert.Equal(expected, await File.ReadAllBytesAsync(cachePath));
        Assert.Empty(await TapeKit.Hsm.Diagnostics.HsmInvariants.CheckAsync(site.Catalog, TimeSpan.FromMinutes(10)));
        Assert.Equal(ExitCodes.Success, Cli("hsm", "check", "--db", db).ExitCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static CliRun Cli(params string[] args)
    {
        using var output = new MemoryStream();
        using var error = new StringWriter();
        int code = TapeKitCli.Run(args, new CliConsole(Stream.Null, output, error, OutputIsTerminal: false));
        return new CliRun(code, System.Text.Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private sealed record CliRun(int ExitCode, string Stdout, string Stderr);
}

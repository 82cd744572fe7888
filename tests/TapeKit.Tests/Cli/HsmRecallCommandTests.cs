using System.Text.Json;
using TapeKit.Cli;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Tests.Cli;

public sealed class HsmRecallCommandTests : IDisposable
{
    private const string Policy = """
        { "Version": 1, "Rules": [ { "Name": "default", "DiskLibrary": "DL-A" } ] }
        """;

    private readonly TempDirectory _dir = new();
    private readonly PolicySelector _selector = HsmStores.Selector(Policy);

    public void Dispose() => _dir.Dispose();

    /// <summary>A store with two retryable failed recalls, one failed before archiving, one deleted, one purged.</summary>
    private async Task<(string Db, long Unreadable, long Unpublished, long NeverArchived, long Deleted, long Purged)> SiteWithFailuresAsync()
    {
        string db = _dir.File("hsm.db");
        await using SqliteHsmStore store = await HsmStores.CreateAsync(db);
        long unreadable = await FailedAsync(store, ArchiveStatus.Archived, "NoReadableCopy: every copy's tape is disabled");
        long unpublished = await FailedAsync(store, ArchiveStatus.Archived, "PublishFailed: the verified copy could not be renamed to cache/x");
        long neverArchived = await FailedAsync(store, ArchiveStatus.None, "the disk mover's write failed");
        long deleted = await FailedAsync(store, ArchiveStatus.Archived, "NoReadableCopy", delete: true);
        long purged = (await HsmStores.InsertAsync(store, _selector, "sg", 100, CacheStatus.Purged, ArchiveStatus.Archived, copiesOnTape: 1)).FileId;
        return (db, unreadable, unpublished, neverArchived, deleted, purged);
    }

    private async Task<long> FailedAsync(SqliteHsmStore store, ArchiveStatus archive, string reason, bool delete = false)
    {
        FileRecord file = await HsmStores.InsertAsync(store, _selector, "sg", 100, CacheStatus.Failed, archive, copiesOnTape: archive == ArchiveStatus.Archived ? 1 : 0);
        await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
        await txn.UpdateFileAsync(file with { FailureReason = reason, DeletedAt = delete ? txn.Now : null });
        await txn.CommitAsync();
        return file.FileId;
    }

    [Fact]
    public async Task Failed_lists_the_failed_files_not_deleted_with_their_reasons_and_changes_nothing()
    {
        var site = await SiteWithFailuresAsync();
        byte[] before = File.ReadAllBytes(site.Db);

        CliRun text = CliRun.Of("hsm", "recall", "failed", "--db", site.Db);
        Assert.Equal(ExitCodes.Success, text.ExitCode);
        Assert.Equal(
            [
                $"file {site.Unreadable} /ns/sg/raw (DL-A, ARCHIVED): NoReadableCopy: every copy's tape is disabled",
                $"file {site.Unpublished} /ns/sg/raw (DL-A, ARCHIVED): PublishFailed: the verified copy could not be renamed to cache/x",
                $"file {site.NeverArchived} /ns/sg/raw (DL-A, NONE, not retryable): the disk mover's write failed",
                $"{site.Db}: 3 failed recalls, 2 retryable.",
            ],
            text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, text.Stderr);

        CliRun run = CliRun.Of("hsm", "recall", "failed", "--db", site.Db, "--json");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        JsonElement root = json.RootElement;
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        JsonElement[] files = [.. root.GetProperty("files").EnumerateArray()];
        Assert.Equal([site.Unreadable, site.Unpublished, site.NeverArchived], files.Select(f => f.GetProperty("fileId").GetInt64()));
        Assert.Equal([true, true, false], files.Select(f => f.GetProperty("retryable").GetBoolean()));
        Assert.Equal("NONE", files[2].GetProperty("archiveStatus").GetString());
        Assert.Equal("DL-A", files[0].GetProperty("diskLibrary").GetString());
        Assert.StartsWith("PublishFailed:", files[1].GetProperty("failureReason").GetString(), StringComparison.Ordinal);

        Assert.Equal(before, File.ReadAllBytes(site.Db));
    }

    [Fact]
    public async Task Retry_requests_the_named_failed_recalls_again_with_the_operators_reason_and_is_harmless_to_repeat()
    {
        var site = await SiteWithFailuresAsync();

        CliRun run = CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "tape T00001 re-enabled after cleaning", site.Unreadable.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            [$"file {site.Unreadable} /ns/sg/raw: requested again (STAGING_REQUESTED)", $"{site.Db}: 1 recall requested again."],
            run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, run.Stderr);

        await using (SqliteHsmStore store = await HsmStores.OpenReadOnlyAsync(site.Db))
        {
            FileRecord file = (await store.Catalog.ReadAsync(txn => txn.GetFileAsync(site.Unreadable)))!;
            Assert.Equal(CacheStatus.StagingRequested, file.CacheStatus);
            Assert.Null(file.FailureReason);
            TransitionRecord retry = (await store.Catalog.ReadAsync(txn => txn.GetTransitionsAsync("file.cache", site.Unreadable.ToString(System.Globalization.CultureInfo.InvariantCulture))))[^1];
            Assert.Equal(("FAILED", "STAGING_REQUESTED", "C19", HsmActor.Operator, "tape T00001 re-enabled after cleaning"), (retry.From, retry.To, retry.Rule, retry.Actor, retry.Reason));
            FileRecord untouched = (await store.Catalog.ReadAsync(txn => txn.GetFileAsync(site.Unpublished)))!;
            Assert.Equal(CacheStatus.Failed, untouched.CacheStatus);
        }

        // The same command again: the recall is already requested, nothing to do, still success.
        CliRun again = CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "again", "--json", site.Unreadable.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        using JsonDocument json = JsonDocument.Parse(again.StdoutBytes);
        Assert.Equal(0, json.RootElement.GetProperty("requested").GetInt32());
        JsonElement file0 = Assert.Single(json.RootElement.GetProperty("files").EnumerateArray());
        Assert.Equal("alreadyRequested", file0.GetProperty("outcome").GetString());
        Assert.Equal("STAGING_REQUESTED", file0.GetProperty("cacheStatus").GetString());
    }

    [Fact]
    public async Task Retry_names_each_file_it_cannot_retry_exits_3_and_still_retries_the_others()
    {
        var site = await SiteWithFailuresAsync();
        string[] ids = [.. new[] { site.Unpublished, site.NeverArchived, site.Deleted, site.Purged, 999_999 }.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        CliRun run = CliRun.Of(["hsm", "recall", "retry", "--db", site.Db, "--reason", "directory removed", "--json", .. ids]);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        Assert.Equal(1, json.RootElement.GetProperty("requested").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("refused").GetInt32());
        Assert.Equal(["queued", "refused", "refused", "refused", "refused"],
            json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("outcome").GetString()));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("files")[4].GetProperty("cacheStatus").ValueKind);
        Assert.Equal(
            [
                $"tapekit: file {site.NeverArchived}: failed before it was archived (NONE): there is no copy on tape to read; nothing to retry.",
                $"tapekit: file {site.Deleted}: deleted; nothing to retry.",
                $"tapekit: file {site.Purged}: PURGED, not FAILED; nothing to retry.",
                "tapekit: file 999999: no such file in the catalogue; nothing to retry.",
            ],
            run.StderrLines);

        await using SqliteHsmStore store = await HsmStores.OpenReadOnlyAsync(site.Db);
        Assert.Equal(CacheStatus.StagingRequested, (await store.Catalog.ReadAsync(txn => txn.GetFileAsync(site.Unpublished)))!.CacheStatus);
        Assert.Equal(CacheStatus.Failed, (await store.Catalog.ReadAsync(txn => txn.GetFileAsync(site.NeverArchived)))!.CacheStatus);
        Assert.Equal(CacheStatus.Purged, (await store.Catalog.ReadAsync(txn => txn.GetFileAsync(site.Purged)))!.CacheStatus);
    }

    [Fact]
    public async Task Retry_all_requests_every_retryable_failed_recall_and_only_those()
    {
        var site = await SiteWithFailuresAsync();

        CliRun run = CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "library door closed", "--all");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.EndsWith($"{site.Db}: 2 recalls requested again.\n", run.Stdout, StringComparison.Ordinal);

        CliRun left = CliRun.Of("hsm", "recall", "failed", "--db", site.Db);
        Assert.Equal(
            [$"file {site.NeverArchived} /ns/sg/raw (DL-A, NONE, not retryable): the disk mover's write failed", $"{site.Db}: 1 failed recall, 0 retryable."],
            left.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Nothing left to retry is not an error.
        CliRun none = CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "again", "--all");
        Assert.Equal(ExitCodes.Success, none.ExitCode);
        Assert.Equal($"{site.Db}: 0 recalls requested again.\n", none.Stdout);
    }

    [Fact]
    public async Task Retry_refuses_a_bad_command_line_a_missing_store_and_a_file_that_is_not_a_store_creating_nothing()
    {
        var site = await SiteWithFailuresAsync();
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "x").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", "x", "--all", "1").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "--reason", " ", "1").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "recall", "retry", "--db", site.Db, "1").ExitCode);

        string missing = _dir.File("missing.db");
        CliRun absent = CliRun.Of("hsm", "recall", "retry", "--db", missing, "--reason", "x", "--all");
        Assert.Equal(ExitCodes.DeviceOrIo, absent.ExitCode);
        Assert.Equal([$"tapekit: {missing}: no such HSM store (the file does not exist)."], absent.StderrLines);
        Assert.False(File.Exists(missing));

        string junk = _dir.File("junk.db");
        File.WriteAllText(junk, new string('x', 8192));
        CliRun notStore = CliRun.Of("hsm", "recall", "retry", "--db", junk, "--reason", "x", "--all");
        Assert.Equal(ExitCodes.InvalidInput, notStore.ExitCode);
        Assert.Contains("not a TapeKit HSM store", notStore.Stderr, StringComparison.Ordinal);
        Assert.Equal(new string('x', 8192), File.ReadAllText(junk));
    }
}

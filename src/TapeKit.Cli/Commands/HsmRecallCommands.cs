using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TapeKit.Cli.Hsm;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit hsm recall failed|retry</c>: the operator's view of recalls that failed for good (<c>FAILED</c>: no
/// readable copy, every copy damaged, a cache path that could not be published) and the retry of those whose cause
/// the operator has dealt with (C19, docs/hsm/rules.md).
/// </summary>
/// <remarks>
/// Choices TapeKit made where the contract is silent:
/// <list type="bullet">
/// <item><c>failed</c> opens the store read-only, as <c>hsm check</c> does, and lists every <c>FAILED</c> file not
/// deleted, oldest id first; only those that are <c>ARCHIVED</c> can be retried (one that failed before it was archived
/// has nothing on tape to read).</item>
/// <item><c>retry</c> is the one <c>hsm</c> command that writes. It opens only an existing store of this build's schema
/// (never creates or migrates one) and writes each retry as its own transaction, so it can run next to a live HSM,
/// whose planner finds the requests at its next pass. A file already requested again or back in the cache is not an
/// error (running the same retry twice is harmless); a file that is unknown, deleted, not failed or not archived is
/// named on stderr and the command exits 3 after the others are retried.</item>
/// </list>
/// </remarks>
public static class HsmRecallCommands
{
    /// <summary>Builds the <c>hsm recall</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var recall = new Command("recall", "Recalls that failed for good: list them, and request them again once their cause is dealt with (C19).");
        recall.Subcommands.Add(Failed(console));
        recall.Subcommands.Add(Retry(console));
        return recall;
    }

    private static Command Failed(CliConsole console)
    {
        var db = new Option<string>("--db") { Description = "The SQLite HSM store, opened read-only (never created, migrated or written).", Required = true };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON: { db, files: [ { fileId, externalId, namespacePath, diskLibrary, archiveStatus, retryable, failureReason, lastAccessAt } ], count }.",
        };
        var command = new Command("failed", "List the files whose recall failed for good (FAILED, not deleted), with the reason; 'retryable' ones are ARCHIVED and can be requested again.");
        command.Options.Add(db);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            using SqliteHsmStore store = CliHsmStores.OpenReadOnly(path);
            IEnumerable<FileRecord> failed = FailedFiles(store, archiveStatus: null);
            int count = 0, retryable = 0;
            if (parse.GetValue(json))
            {
                CliOutput.Json(console, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("db", path);
                    w.WriteStartArray("files");
                    foreach (FileRecord f in failed)
                    {
                        count++;
                        w.WriteStartObject();
                        w.WriteNumber("fileId", f.FileId);
                        w.WriteString("externalId", f.ExternalId);
                        w.WriteString("namespacePath", f.NamespacePath);
                        w.WriteString("diskLibrary", f.Decision.DiskLibrary);
                        w.WriteString("archiveStatus", StateNames.Of(f.ArchiveStatus));
                        w.WriteBoolean("retryable", RecallCatalog.IsRetryable(f));
                        w.WriteString("failureReason", f.FailureReason);
                        if (f.LastAccessAt is { } at)
                        {
                            w.WriteString("lastAccessAt", at);
                        }
                        else
                        {
                            w.WriteNull("lastAccessAt");
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteNumber("count", count);
                    w.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            using StreamWriter stdout = CliOutput.Text(console);
            foreach (FileRecord f in failed)
            {
                count++;
                retryable += RecallCatalog.IsRetryable(f) ? 1 : 0;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"file {f.FileId} {f.NamespacePath} ({f.Decision.DiskLibrary}, {StateNames.Of(f.ArchiveStatus)}{(RecallCatalog.IsRetryable(f) ? string.Empty : ", not retryable")}): {f.FailureReason ?? "no reason recorded"}"));
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {count} failed recall{(count == 1 ? string.Empty : "s")}, {retryable} retryable."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retry(CliConsole console)
    {
        var db = new Option<string>("--db") { Description = "The SQLite HSM store: an existing store of this build's schema (never created or migrated); written one retry per transaction, safe next to a live HSM.", Required = true };
        var reason = new Option<string>("--reason") { Description = "What was done about the cause (a repaired or replaced copy, a freed cache path); kept in each retry's audit row.", Required = true };
        var all = new Option<bool>("--all") { Description = "Retry every retryable failed recall (ARCHIVED, FAILED, not deleted) instead of the files named." };
        var files = new Argument<long[]>("FILE-ID") { Description = "The catalogue ids of the files to recall again (as 'tapekit hsm recall failed' lists them).", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON: { db, reason, requested, refused, files: [ { fileId, outcome: queued|alreadyRequested|cached|refused, cacheStatus, archiveStatus } ] }.",
        };
        var command = new Command("retry", "Request failed recalls again (C19: FAILED to STAGING_REQUESTED, the failure reason cleared) once their cause is dealt with; exit 3 if a named file is not a failed, archived file.");
        command.Options.Add(db);
        command.Options.Add(reason);
        command.Options.Add(all);
        command.Options.Add(json);
        command.Arguments.Add(files);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            string why = parse.GetValue(reason)!;
            long[] ids = parse.GetValue(files) ?? [];
            bool everyRetryable = parse.GetValue(all);
            if (string.IsNullOrWhiteSpace(why))
            {
                throw new CliUsageException("--reason: say what was done about the cause; it is kept in the audit.");
            }

            if (everyRetryable == (ids.Length > 0))
            {
                throw new CliUsageException(everyRetryable
                    ? "--all retries every failed recall: name no FILE-ID with it."
                    : "Name the FILE-IDs to retry, or give --all.");
            }

            var results = new List<(long FileId, RecallRequestOutcome Outcome, FileRecord? File)>();
            using (SqliteHsmStore store = CliHsmStores.OpenForUpdate(path))
            {
                IEnumerable<long> targets = everyRetryable
                    ? [.. FailedFiles(store, ArchiveStatus.Archived).Select(f => f.FileId)]
                    : ids.Distinct();
                foreach (long id in targets)
                {
                    RecallRequestOutcome outcome = CliHsmStores.Sync(RecallCatalog.RetryFailedAsync(store.Catalog, id, why));
                    FileRecord? after = CliHsmStores.Sync(store.Catalog.ReadAsync(txn => txn.GetFileAsync(id)));
                    results.Add((id, outcome, after));
                }
            }

            int requested = results.Count(r => r.Outcome == RecallRequestOutcome.Queued);
            var refused = results.Where(r => r.Outcome == RecallRequestOutcome.Refused).ToList();
            if (parse.GetValue(json))
            {
                CliOutput.Json(console, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("db", path);
                    w.WriteString("reason", why);
                    w.WriteNumber("requested", requested);
                    w.WriteNumber("refused", refused.Count);
                    w.WriteStartArray("files");
                    foreach ((long id, RecallRequestOutcome outcome, FileRecord? file) in results)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("fileId", id);
                        w.WriteString("outcome", JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString()));
                        WriteStatus(w, "cacheStatus", file is null ? null : StateNames.Of(file.CacheStatus));
                        WriteStatus(w, "archiveStatus", file is null ? null : StateNames.Of(file.ArchiveStatus));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                using StreamWriter stdout = CliOutput.Text(console);
                foreach ((long id, RecallRequestOutcome outcome, FileRecord? file) in results.Where(r => r.Outcome != RecallRequestOutcome.Refused))
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file {id} {file?.NamespacePath}: {Describe(outcome)}"));
                }

                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: {requested} recall{(requested == 1 ? string.Empty : "s")} requested again{(refused.Count > 0 ? $", {refused.Count} refused" : string.Empty)}."));
            }

            foreach ((long id, _, FileRecord? file) in refused)
            {
                console.Error.WriteLine($"tapekit: file {id}: {WhyNotRetryable(file)}; nothing to retry.");
            }

            return refused.Count == 0 ? ExitCodes.Success : ExitCodes.InvalidInput;
        });
        return command;
    }

    /// <summary>The <c>FAILED</c> files not deleted, ascending by id, a page at a time.</summary>
    private static IEnumerable<FileRecord> FailedFiles(SqliteHsmStore store, ArchiveStatus? archiveStatus) =>
        store.Catalog.StreamFilesAsync(new FileQuery { CacheStatus = CacheStatus.Failed, ArchiveStatus = archiveStatus }).ToBlockingEnumerable();

    private static string Describe(RecallRequestOutcome outcome) => outcome switch
    {
        RecallRequestOutcome.Queued => "requested again (STAGING_REQUESTED)",
        RecallRequestOutcome.AlreadyRequested => "already requested or being recalled; nothing to do",
        RecallRequestOutcome.Cached => "in the cache; nothing to do",
        _ => "refused",
    };

    private static string WhyNotRetryable(FileRecord? file) => file switch
    {
        null => "no such file in the catalogue",
        { IsDeleted: true } => "deleted",
        { CacheStatus: CacheStatus.Failed } => $"failed before it was archived ({StateNames.Of(file.ArchiveStatus)}): there is no copy on tape to read",
        _ => $"{StateNames.Of(file.CacheStatus)}, not FAILED",
    };

    private static void WriteStatus(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}

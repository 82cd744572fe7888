using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TapeKit.Cli.Hsm;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit hsm check</c> and <c>tapekit hsm policy explain|diff</c> (the CLI contract, docs/cli.md; invariants docs/hsm/rules.md#invariants-i1i4, policies docs/hsm/overview.md#policies):
/// read-only diagnostics of an SQLite HSM store and of policy files.
/// </summary>
/// <remarks>
/// Choices TapeKit made where the contract is silent:
/// <list type="bullet">
/// <item><c>check</c> opens the store read-only (never creates, migrates or writes it, so it runs next to a live HSM);
/// a missing file is exit 5, a file that is not a store of this build's schema exit 3. Violations are printed one per
/// line on stdout (exit 3, with one summary line on stderr). <c>--list-timer</c> is I2's <c>ListTimerInterval</c>,
/// 60 s by default (a few dispatcher polls).</item>
/// <item>A policy file is the JSON of <see cref="PolicyFile"/>; an invalid one is exit 3 naming the rule and field.
/// Validation warnings (a rule that can never match) go to stderr.</item>
/// <item><c>policy diff</c> decides every file of the catalogue under both sets — by default the files not deleted and
/// not yet archived (docs/hsm/overview.md#policies "by default those not yet archived"), with <c>--all</c> the archived ones too — and writes
/// nothing. It also counts files whose stored decision differs from what <c>--old</c> decides.</item>
/// </list>
/// </remarks>
public static class HsmCommands
{
    /// <summary>I2's default grace, in seconds.</summary>
    public const double DefaultListTimerSeconds = 60;

    private const int PageSize = 10_000;
    private const int SamplesPerChange = 5;

    /// <summary>Builds the <c>hsm</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var hsm = new Command("hsm", "HSM diagnostics: catalogue invariants, policy explain/dry-run, and failed recalls (list, retry).");
        hsm.Subcommands.Add(Check(console));
        var policy = new Command("policy", "Explain a policy decision, or dry-run a policy change over a catalogue. " + PolicyFile.FormatHelp);
        policy.Subcommands.Add(Explain(console));
        policy.Subcommands.Add(Diff(console));
        hsm.Subcommands.Add(policy);
        hsm.Subcommands.Add(HsmRecallCommands.Create(console));
        return hsm;
    }

    private static Command Check(CliConsole console)
    {
        var db = new Option<string>("--db") { Description = "The SQLite HSM store, opened read-only (never created, migrated or written).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON: { db, ok, scope, listTimerSeconds, files, deleted, cacheStatus: { STATE: count }, archiveStatus: { STATE: count }, violations: [ sentence ] }." };
        var full = new Option<bool>("--full")
        {
            Description = "Audit every file. Without it the check reads the files whose states still move and the live lists (its cost follows the live work); the counts are always of every file.",
        };
        var timer = new Option<double>("--list-timer")
        {
            Description = "I2's grace in seconds: a CACHED, NONE file that arrived this recently may be in no archive list yet.",
            DefaultValueFactory = _ => DefaultListTimerSeconds,
        };
        var command = new Command("check", "Check the catalogue invariants I1–I4 (and claim and list consistency); exit 3 when any is violated.");
        command.Options.Add(db);
        command.Options.Add(json);
        command.Options.Add(timer);
        command.Options.Add(full);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            InvariantScope scope = parse.GetValue(full) ? InvariantScope.Full : InvariantScope.Live;
            double seconds = parse.GetValue(timer);
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                throw new CliUsageException($"--list-timer {seconds.ToString(CultureInfo.InvariantCulture)}: give a number of seconds, 0 or more.");
            }

            IReadOnlyList<string> violations;
            IReadOnlyList<FileCount> counts;
            using (SqliteHsmStore store = CliHsmStores.OpenReadOnly(path))
            {
                violations = CliHsmStores.Sync(HsmInvariants.CheckAsync(store.Catalog, TimeSpan.FromSeconds(seconds), scope));
                counts = CliHsmStores.Sync(store.Catalog.ReadAsync(txn => txn.CountFilesAsync()));
            }

            var cache = Count(counts, f => StateNames.Of(f.CacheStatus));
            var archive = Count(counts, f => StateNames.Of(f.ArchiveStatus));
            long files = counts.Sum(c => c.Files);
            long deleted = counts.Where(c => c.Deleted).Sum(c => c.Files);
            if (parse.GetValue(json))
            {
                CliOutput.Json(console, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("db", path);
                    w.WriteBoolean("ok", violations.Count == 0);
                    w.WriteString("scope", scope == InvariantScope.Full ? "full" : "live");
                    w.WriteNumber("listTimerSeconds", seconds);
                    w.WriteNumber("files", files);
                    w.WriteNumber("deleted", deleted);
                    WriteCounts(w, "cacheStatus", cache);
                    WriteCounts(w, "archiveStatus", archive);
                    w.WriteStartArray("violations");
                    foreach (string v in violations)
                    {
                        w.WriteStringValue(v);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                using StreamWriter stdout = CliOutput.Text(console);
                foreach (string v in violations)
                {
                    stdout.WriteLine(v);
                }

                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: {files} files ({deleted} deleted); cache {Summary(cache)}; archive {Summary(archive)}; {(violations.Count == 0 ? "I1–I4 hold" : $"{violations.Count} violations")}."));
            }

            if (violations.Count == 0)
            {
                return ExitCodes.Success;
            }

            console.Error.WriteLine($"tapekit: {path}: {violations.Count} invariant violation{(violations.Count == 1 ? string.Empty : "s")}.");
            return ExitCodes.InvalidInput;
        });
        return command;
    }

    private static Command Explain(CliConsole console)
    {
        var policy = new Option<string>("--policy") { Description = "The policy file (JSON, described by 'tapekit hsm policy --help'; - for standard input).", Required = true };
        var attrs = new Option<string[]>("--attr")
        {
            Description = "A file attribute as name=value (repeatable): storageGroup, fileFamily, wrapper, library, size (bytes), or any host attribute.",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON: { policy, version, attributes, rules: [ { rule, matched, attributes: [ { attribute, value, pattern, matched } ] } ], matchedRule, sizeRouting, decision, warnings }." };
        var command = new Command("explain", "Show which rule decides a file with the given attributes, why each earlier rule does not, and the decision.");
        command.Options.Add(policy);
        command.Options.Add(attrs);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(policy)!;
            HsmFileAttributes attributes = ParseAttributes(parse.GetValue(attrs) ?? []);
            (PolicySet set, PolicySelector selector) = PolicyFile.Load(path, console);
            Warn(console, path, selector);
            PolicyExplanation explanation = selector.Explain(attributes);
            if (parse.GetValue(json))
            {
                CliOutput.Json(console, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("policy", path);
                    w.WriteNumber("version", selector.Version);
                    w.WriteStartObject("attributes");
                    foreach ((string name, string value) in NamedAttributes(attributes))
                    {
                        w.WriteString(name, value);
                    }

                    w.WriteNumber("size", attributes.Size);
                    w.WriteEndObject();
                    w.WriteStartArray("rules");
                    foreach (RuleTrace rule in explanation.Rules)
                    {
                        w.WriteStartObject();
                        w.WriteString("rule", rule.Rule);
                        w.WriteBoolean("matched", rule.Matched);
                        w.WriteStartArray("attributes");
                        foreach (AttributeTrace a in rule.Attributes)
                        {
                            w.WriteStartObject();
                            w.WriteString("attribute", a.Attribute);
                            w.WriteString("value", a.Value);
                            w.WriteString("pattern", a.Pattern);
                            w.WriteBoolean("matched", a.Matched);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("matchedRule", explanation.MatchedRule);
                    w.WriteString("sizeRouting", explanation.SizeRouting);
                    w.WritePropertyName("decision");
                    WriteDecision(w, explanation.Decision);
                    WriteStrings(w, "warnings", selector.Warnings);
                    w.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            using StreamWriter stdout = CliOutput.Text(console);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: version {selector.Version}, {set.Rules.Count} rules; file: {string.Join(", ", NamedAttributes(attributes).Select(p => $"{p.Name}='{p.Value}'"))}, size {attributes.Size}"));
            foreach (RuleTrace rule in explanation.Rules)
            {
                if (rule.Matched)
                {
                    stdout.WriteLine(rule.Attributes.Count == 0
                        ? $"  rule {rule.Rule}: matches (catch-all)"
                        : $"  rule {rule.Rule}: matches: {string.Join(", ", rule.Attributes.Select(a => $"{a.Attribute}='{a.Value}' ~ /{a.Pattern}/"))}");
                }
                else
                {
                    stdout.WriteLine($"  rule {rule.Rule}: no match: {string.Join(", ", rule.Attributes.Where(a => !a.Matched).Select(a => $"{a.Attribute}='{a.Value}' does not match /{a.Pattern}/"))}");
                }
            }

            int untried = selector.RuleNames.Count - explanation.Rules.Count;
            string later = untried switch { 0 => string.Empty, 1 => " (the rule after it is not tried)", _ => $" (the {untried} rules after it are not tried)" };
            stdout.WriteLine($"→ rule {explanation.MatchedRule} decides{later}; {explanation.SizeRouting}");
            PolicyDecision d = explanation.Decision;
            foreach ((string name, string value) in DecisionFields(d))
            {
                stdout.WriteLine($"  {name,-22} {value}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff(CliConsole console)
    {
        var oldPolicy = new Option<string>("--old") { Description = "The current policy file (JSON, described by 'tapekit hsm policy --help').", Required = true };
        var newPolicy = new Option<string>("--new") { Description = "The candidate policy file (JSON).", Required = true };
        var db = new Option<string>("--db") { Description = "The SQLite HSM store whose files are evaluated, opened read-only.", Required = true };
        var all = new Option<bool>("--all") { Description = "Also evaluate archived files (default: files not deleted and not yet archived)." };
        var json = new Option<bool>("--json") { Description = "Print JSON: { db, old, new, scope, filesEvaluated, filesChanged, storedDecisionMismatches, changes: [ { files, from, to, keyChanges, limitChanges, sampleFileIds } ], rules: [ … ] }." };
        var command = new Command("diff", "Dry-run a policy change: how many catalogue files the new set would decide differently, and into what. Writes nothing.");
        foreach (Option o in new Option[] { oldPolicy, newPolicy, db, all, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(parse =>
        {
            string oldPath = parse.GetValue(oldPolicy)!, newPath = parse.GetValue(newPolicy)!, dbPath = parse.GetValue(db)!;
            (_, PolicySelector before) = PolicyFile.Load(oldPath, console);
            (_, PolicySelector after) = PolicyFile.Load(newPath, console);
            Warn(console, oldPath, before);
            Warn(console, newPath, after);
            bool everything = parse.GetValue(all);
            var changes = new Dictionary<DecisionChange, ChangeCount>();
            int mismatches = 0, changed = 0;
            PolicyDiff diff;
            using (SqliteHsmStore store = CliHsmStores.OpenReadOnly(dbPath))
            {
                async IAsyncEnumerable<FileRecord> Files()
                {
                    await foreach (FileRecord file in PagedFilesAsync(store.Catalog, everything))
                    {
                        HsmFileAttributes attributes = file.Attributes with { Size = file.Size };
                        PolicyDecision from = before.Decide(attributes), to = after.Decide(attributes);
                        if (!SameDecision(file.Decision, from))
                        {
                            mismatches++;
                        }

                        if (!SameDecision(from, to))
                        {
                            changed++;
                            var key = new DecisionChange(Side.Of(from), Side.Of(to));
                            if (!changes.TryGetValue(key, out ChangeCount? count))
                            {
                                changes[key] = count = new ChangeCount();
                            }

                            count.Files++;
                            count.KeyChanges += from.PolicyKey == to.PolicyKey ? 0 : 1;
                            count.LimitChanges += from.Limits == to.Limits ? 0 : 1;
                            if (count.Samples.Count < SamplesPerChange)
                            {
                                count.Samples.Add(file.FileId);
                            }
                        }

                        yield return file with { Decision = from };
                    }
                }

                diff = CliHsmStores.Sync(PolicyDryRun.CompareAsync(after, Files(), SamplesPerChange));
            }

            var ordered = changes.OrderByDescending(c => c.Value.Files).ThenBy(c => c.Key.From.Rule, StringComparer.Ordinal).ThenBy(c => c.Key.To.Rule, StringComparer.Ordinal).ToList();
            string scope = everything ? "all" : "unarchived";
            if (parse.GetValue(json))
            {
                CliOutput.Json(console, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("db", dbPath);
                    WritePolicyRef(w, "old", oldPath, before);
                    WritePolicyRef(w, "new", newPath, after);
                    w.WriteString("scope", scope);
                    w.WriteNumber("filesEvaluated", diff.FilesEvaluated);
                    w.WriteNumber("filesChanged", changed);
                    w.WriteNumber("storedDecisionMismatches", mismatches);
                    w.WriteStartArray("changes");
                    foreach ((DecisionChange key, ChangeCount count) in ordered)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("files", count.Files);
                        w.WritePropertyName("from");
                        key.From.Write(w);
                        w.WritePropertyName("to");
                        key.To.Write(w);
                        w.WriteNumber("keyChanges", count.KeyChanges);
                        w.WriteNumber("limitChanges", count.LimitChanges);
                        WriteIds(w, "sampleFileIds", count.Samples);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartArray("rules");
                    foreach (RuleDiff r in diff.Rules)
                    {
                        w.WriteStartObject();
                        w.WriteString("rule", r.Rule);
                        w.WriteNumber("files", r.Files);
                        w.WriteNumber("diskLibraryChanges", r.DiskLibraryChanges);
                        w.WriteNumber("keyChanges", r.KeyChanges);
                        w.WriteNumber("strategyChanges", r.StrategyChanges);
                        w.WriteNumber("limitChanges", r.LimitChanges);
                        WriteIds(w, "sampleFileIds", r.SampleFileIds);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            using StreamWriter stdout = CliOutput.Text(console);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{dbPath}: {diff.FilesEvaluated} files evaluated ({(everything ? "all files not deleted" : "not deleted, not yet archived")}); {changed} would change decision from version {before.Version} to {after.Version}."));
            foreach ((DecisionChange key, ChangeCount count) in ordered)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {count.Files} files: {key.Describe()}{(count.KeyChanges > 0 ? $"; {count.KeyChanges} change key" : string.Empty)}{(count.LimitChanges > 0 ? $"; {count.LimitChanges} change limits" : string.Empty)} (e.g. files {string.Join(", ", count.Samples)})"));
            }

            foreach (RuleDiff r in diff.Rules)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  new rule {r.Rule}: decides {r.Files} files; changes disk library of {r.DiskLibraryChanges}, key of {r.KeyChanges}, strategy or format of {r.StrategyChanges}, limits of {r.LimitChanges}"));
            }

            if (mismatches > 0)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  note: {mismatches} files have a stored decision that differs from what {oldPath} decides (made under another policy version)."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses <c>--attr name=value</c> pairs; <c>size</c> is the size in bytes.</summary>
    internal static HsmFileAttributes ParseAttributes(IEnumerable<string> pairs)
    {
        var attributes = new HsmFileAttributes();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliUsageException($"--attr {pair}: expected name=value, e.g. storageGroup=lqcd or size=1048576.");
            }

            string name = pair[..eq], value = pair[(eq + 1)..];
            if (!seen.Add(name))
            {
                throw new CliUsageException($"--attr {name} is given twice.");
            }

            if (name == "size")
            {
                attributes = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long size)
                    ? attributes with { Size = size }
                    : throw new CliUsageException($"--attr size={value}: the size is a whole number of bytes.");
            }
            else
            {
                attributes = attributes.With(name, value);
            }
        }

        return attributes;
    }

    private static IEnumerable<(string Name, string Value)> NamedAttributes(HsmFileAttributes a)
    {
        yield return (HsmFileAttributes.LibraryName, a.Library);
        yield return (HsmFileAttributes.StorageGroupName, a.StorageGroup);
        yield return (HsmFileAttributes.FileFamilyName, a.FileFamily);
        yield return (HsmFileAttributes.WrapperName, a.Wrapper);
        foreach ((string name, string value) in a.Extra)
        {
            yield return (name, value);
        }
    }

    private static IEnumerable<(string Name, string Value)> DecisionFields(PolicyDecision d)
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("policyKey", d.PolicyKey);
        yield return ("diskLibrary", d.DiskLibrary);
        yield return ("strategy", d.Strategy.ToString());
        yield return ("format", d.Format.ToString());
        yield return ("tapePool", d.TapePool);
        yield return ("copyCount", d.CopyCount.ToString(c));
        yield return ("priority", d.Priority.ToString());
        yield return ("policyVersion", d.PolicyVersion.ToString(c));
        yield return ("smallFileThreshold", d.Limits.SmallFileThreshold.ToString(c));
        yield return ("maxMemberSize", d.Limits.MaxMemberSize.ToString(c));
        yield return ("maxFiles", d.Limits.MaxFiles.ToString(c));
        yield return ("maxBytes", d.Limits.MaxBytes.ToString(c));
        yield return ("maxWaitingTime", d.Limits.MaxWaitingTime.ToString("c", c));
    }

    private static void WriteDecision(Utf8JsonWriter w, PolicyDecision d)
    {
        w.WriteStartObject();
        w.WriteString("ruleName", d.RuleName);
        w.WriteString("policyKey", d.PolicyKey);
        w.WriteString("diskLibrary", d.DiskLibrary);
        w.WriteString("strategy", d.Strategy.ToString());
        w.WriteString("format", d.Format.ToString());
        w.WriteString("tapePool", d.TapePool);
        w.WriteNumber("copyCount", d.CopyCount);
        w.WriteString("priority", d.Priority.ToString());
        w.WriteNumber("policyVersion", d.PolicyVersion);
        w.WriteStartObject("limits");
        w.WriteNumber("smallFileThreshold", d.Limits.SmallFileThreshold);
        w.WriteNumber("maxMemberSize", d.Limits.MaxMemberSize);
        w.WriteNumber("maxFiles", d.Limits.MaxFiles);
        w.WriteNumber("maxBytes", d.Limits.MaxBytes);
        w.WriteString("maxWaitingTime", d.Limits.MaxWaitingTime.ToString("c", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePolicyRef(Utf8JsonWriter w, string name, string path, PolicySelector selector)
    {
        w.WriteStartObject(name);
        w.WriteString("policy", path);
        w.WriteNumber("version", selector.Version);
        WriteStrings(w, "warnings", selector.Warnings);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteIds(Utf8JsonWriter w, string name, IEnumerable<long> ids)
    {
        w.WriteStartArray(name);
        foreach (long id in ids)
        {
            w.WriteNumberValue(id);
        }

        w.WriteEndArray();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, long>> counts)
    {
        w.WriteStartObject(name);
        foreach ((string key, long count) in counts)
        {
            w.WriteNumber(key, count);
        }

        w.WriteEndObject();
    }

    private static SortedDictionary<string, long> Count(IEnumerable<FileCount> rows, Func<FileCount, string> key)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (FileCount row in rows)
        {
            string k = key(row);
            counts[k] = counts.GetValueOrDefault(k) + row.Files;
        }

        return counts;
    }

    private static string Summary(SortedDictionary<string, long> counts) =>
        counts.Count == 0 ? "-" : string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}")));

    private static void Warn(CliConsole console, string path, PolicySelector selector)
    {
        foreach (string warning in selector.Warnings)
        {
            console.Error.WriteLine($"tapekit: warning: {path}: {warning}");
        }
    }

    private static bool SameDecision(PolicyDecision a, PolicyDecision b) => a with { PolicyVersion = 0 } == b with { PolicyVersion = 0 };

    /// <summary>Files not deleted (and, unless <paramref name="all"/>, not archived) by pages, each read in its own short transaction.</summary>
    private static async IAsyncEnumerable<FileRecord> PagedFilesAsync(SqliteCatalog catalog, bool all)
    {
        await foreach (FileRecord file in catalog.StreamFilesAsync(new FileQuery(), PageSize))
        {
            if (all || file.ArchiveStatus != ArchiveStatus.Archived)
            {
                yield return file;
            }
        }
    }

    private sealed class ChangeCount
    {
        public int Files;
        public int KeyChanges;
        public int LimitChanges;

        public List<long> Samples { get; } = [];
    }

    private readonly record struct Side(string Rule, string DiskLibrary, ArchiveStrategy Strategy, AggregationPayloadFormat Format, string TapePool, int CopyCount, RequestPriority Priority)
    {
        public static Side Of(PolicyDecision d) => new(d.RuleName, d.DiskLibrary, d.Strategy, d.Format, d.TapePool, d.CopyCount, d.Priority);

        public void Write(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("rule", Rule);
            w.WriteString("diskLibrary", DiskLibrary);
            w.WriteString("strategy", Strategy.ToString());
            w.WriteString("format", Format.ToString());
            w.WriteString("tapePool", TapePool);
            w.WriteNumber("copyCount", CopyCount);
            w.WriteString("priority", Priority.ToString());
            w.WriteEndObject();
        }
    }

    private readonly record struct DecisionChange(Side From, Side To)
    {
        public string Describe()
        {
            var parts = new List<string> { From.Rule == To.Rule ? $"rule {From.Rule} (unchanged)" : $"rule {From.Rule} → {To.Rule}" };
            Add(parts, "diskLibrary", From.DiskLibrary, To.DiskLibrary);
            Add(parts, "strategy", $"{From.Strategy}/{From.Format}", $"{To.Strategy}/{To.Format}");
            Add(parts, "tapePool", From.TapePool, To.TapePool);
            Add(parts, "copyCount", From.CopyCount.ToString(CultureInfo.InvariantCulture), To.CopyCount.ToString(CultureInfo.InvariantCulture));
            Add(parts, "priority", From.Priority.ToString(), To.Priority.ToString());
            return string.Join("; ", parts);
        }

        private static void Add(List<string> parts, string name, string from, string to)
        {
            if (from != to)
            {
                parts.Add($"{name} {from} → {to}");
            }
        }
    }
}

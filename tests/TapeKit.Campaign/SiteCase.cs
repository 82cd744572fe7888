using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SmallFilesCache;
using TapeKit.Campaign.Crash;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Staging;

namespace TapeKit.Campaign;

/// <summary>
/// One in-process case: a fresh site in its own root, a seeded workload (files arriving in the inbox in two waves),
/// faults of one kind, then recovery (the site restarts, faults cleared, space back) and the checks: the catalogue
/// invariants, every file archived once per required copy, nothing reported durable before the faults lost since,
/// and — after a purge of everything — every file recalled byte-identical from some copy.
/// </summary>
internal sealed class SiteCase : IAsyncDisposable
{
    private static readonly string[] DiskLibraries = ["dl1", "dl2"];
    private static readonly ArchiveStep[] CrashSteps = [ArchiveStep.Claimed, ArchiveStep.WriteStarted, ArchiveStep.Written, ArchiveStep.Synced, ArchiveStep.Committed];

    // Between C6 and C7 twice as often: the step whose recovery the campaign once found missing.
    private static readonly StageStep[] StageCrashSteps = [StageStep.Claimed, StageStep.Extracted, StageStep.Extracted, StageStep.Published];

    private readonly CampaignFault _kind;
    private readonly int _seed;
    private readonly Random _random;
    private readonly CrashWorkload _workload;
    private readonly InProcessSite _site;
    private readonly List<string> _failures = [];
    private readonly List<AreaMount> _mounts = [];
    private readonly Queue<(ArchiveStep Step, int Occurrence)> _crashes = new();
    private (StageStep Step, int Occurrence)? _stageCrash;
    private int _faults;
    private int _crashed;
    private bool _restartPending;
    private int _retried;

    private SiteCase(CampaignFault kind, int seed, string root, ILoggerFactory loggers)
    {
        _kind = kind;
        _seed = seed;
        _random = new Random(seed);
        _workload = new CrashWorkload(seed, 8 + _random.Next(9), maxSize: 48 * 1024);
        _site = new InProcessSite(root, loggers) { BeforeRound = BeforeRoundAsync };
    }

    /// <summary>Runs the case of <paramref name="kind"/> with <paramref name="seed"/> in <paramref name="root"/> (removed when the case passes).</summary>
    public static async Task<CaseResult> RunAsync(CampaignFault kind, int seed, string root, ILoggerFactory loggers, CancellationToken ct = default)
    {
        CaseRoot.Fresh(root);
        CaseResult result;
        await using (var c = new SiteCase(kind, seed, root, loggers))
        {
            try
            {
                result = await c.RunAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                c._failures.Add(e is SiteStuckException ? e.Message + " Nothing after it was checked." : $"The case stopped on {e.GetType().Name}: {e.Message}");
                c._failures.AddRange(c._site.RoundErrors.Distinct().Take(3).Select(e => "A round failed: " + e));
                result = new CaseResult(kind, seed, c._faults, c._workload.Count, 0, 0, null, true, c._failures);
            }
        }

        if (!result.Failed)
        {
            Directory.Delete(root, recursive: true);
        }

        return result;
    }

    private async Task<CaseResult> RunAsync(CancellationToken ct)
    {
        int count = _workload.Count, half = count / 2;
        if (_kind == CampaignFault.CacheFull)
        {
            foreach (string dl in DiskLibraries)
            {
                AreaMount area = AreaMount.Mount(Path.Combine(_site.Root, "cache", dl));
                area.Fill(free: (16 + _random.Next(80)) * 1024L);
                _mounts.Add(area);
                _faults++;
            }
        }

        await _site.OpenAsync(CrashPhase.Archive);
        ArmWriteSide();

        // Wave 1, under the write-side faults.
        for (int i = 0; i < half; i++)
        {
            _workload.Drop(_site.Root, i);
        }

        _ = await _site.RunUntilAsync(() => Archived(half) == half, 15, () => _crashed++, ct);
        Dictionary<long, HashSet<long>> durable = DurableNow();

        // Faults on what is committed, then wave 2.
        await DamageCommittedAsync();
        for (int i = half; i < count; i++)
        {
            _workload.Drop(_site.Root, i);
        }

        _ = await _site.RunUntilAsync(() => Archived(count) == count, 8, () => _crashed++, ct);

        // Recovery: the space comes back, the site restarts without faults; timed until every file is archived.
        foreach (AreaMount m in _mounts)
        {
            m.Release();
        }

        _crashes.Clear();
        var recovery = Stopwatch.StartNew();
        await _site.RestartAsync(CrashPhase.Archive);
        bool allArchived = await _site.RunUntilAsync(() => Archived(count) == count && InboxEmpty(), 60, ct: ct);
        double recoverySeconds = recovery.Elapsed.TotalSeconds;
        if (!allArchived)
        {
            _failures.Add($"{count - Archived(count)} of {count} files not archived 60 rounds after the recovery ({InboxLeft()} still in the inbox, {Rejected()} set aside under rejected/).");
        }

        int duplicated = await CheckCatalogueAsync(durable, ct);
        int lost = await RecallEverythingAsync(ct);
        (int failedAggregations, int tapesSetAside, long tapeErrors) = _site.Probe.Evidence();
        bool seen = failedAggregations + tapesSetAside + tapeErrors + _crashed + _site.RoundErrors.Count + _retried + _site.WaitedForSpace > 0;
        if (_failures.Count > 0)
        {
            _failures.AddRange(_site.RoundErrors.Distinct().Take(3).Select(e => "A round failed: " + e));
        }

        return new CaseResult(_kind, _seed, _faults, count, lost, duplicated, recoverySeconds, seen, _failures);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _site.DisposeAsync();
        foreach (AreaMount m in _mounts)
        {
            m.Dispose();
        }
    }

    /// <summary>Faults armed before the first wave: on the drives, the library, or the migrators' step hooks.</summary>
    private void ArmWriteSide()
    {
        VirtualTapeLibrary library = _site.Site.TapeLibrary;
        switch (_kind)
        {
            case CampaignFault.MediaErrorWrite:
                foreach (int d in new[] { 0, 1 })
                {
                    for (int n = 1 + _random.Next(3), i = 0; i < n; i++)
                    {
                        library.Drive(d).Arm($"media-error write {4 + _random.Next(60)}");
                        _faults++;
                    }
                }

                break;
            case CampaignFault.EndOfMedium:
                foreach (int d in new[] { 0, 1 })
                {
                    long end = (192 + _random.Next(1024)) * 1024L;
                    library.Drive(d).Arm($"early-warning at {end - (48 * 1024)}");
                    library.Drive(d).Arm($"end-of-medium at {end}");
                    _faults++;
                }

                break;
            case CampaignFault.DriveFailure:
                library.Drive(_random.Next(2)).Arm($"drive-failure after {2 + _random.Next(40)}");
                _faults++;
                break;
            case CampaignFault.WrongCartridge:
                var slots = library.Inventory().Slots.Where(s => s.Vsn is not null).ToList();
                for (int n = 1 + _random.Next(3), i = 0; i < n; i++)
                {
                    (SlotAddress slot, string? vsn) = slots[_random.Next(slots.Count)];
                    string other = slots.Select(s => s.Vsn!).Where(v => v != vsn).ElementAt(_random.Next(slots.Count - 1));
                    library.Arm(new Fault(FaultKind.WrongCartridge, slot.Number, Vsn: other));
                    _faults++;
                }

                break;
            case CampaignFault.PowerLossBeforeSync or CampaignFault.PowerLossAfterSync or CampaignFault.CrashAtStep:
                for (int n = 1 + _random.Next(_kind == CampaignFault.CrashAtStep ? 4 : 3), i = 0; i < n; i++)
                {
                    ArchiveStep step = _kind switch
                    {
                        CampaignFault.PowerLossBeforeSync => ArchiveStep.Written,
                        CampaignFault.PowerLossAfterSync => ArchiveStep.Synced,
                        _ => CrashSteps[_random.Next(CrashSteps.Length)],
                    };
                    _crashes.Enqueue((step, 1 + _random.Next(2)));
                    _faults++;
                }

                break;
        }
    }

    /// <summary>
    /// Before each round: a site whose power went out dies now (with every process), and the migrators of the open
    /// site get the hook of the next planned crash or power loss.
    /// </summary>
    private Task BeforeRoundAsync(CacheSite site)
    {
        if (_restartPending)
        {
            _restartPending = false;
            throw new SiteCrashException("the power loss");
        }

        var seenSteps = new Dictionary<ArchiveStep, int>();
        int seenStageSteps = 0;
        foreach (DiskLibrary dl in site.Libraries.Values)
        {
            dl.Stager.StepObserver = (step, files) =>
            {
                if (_stageCrash is not { } next || next.Step != step || files.Count == 0 || ++seenStageSteps != next.Occurrence)
                {
                    return;
                }

                _stageCrash = null;
                throw new SiteCrashException($"stage step {step} (occurrence {next.Occurrence})");
            };

            dl.Migrator.StepObserver = (step, list) =>
            {
                if (!_crashes.TryPeek(out var next) || next.Step != step || (seenSteps[step] = seenSteps.GetValueOrDefault(step) + 1) != next.Occurrence)
                {
                    return;
                }

                _ = _crashes.Dequeue();
                if (_kind == CampaignFault.CrashAtStep)
                {
                    throw new SiteCrashException($"step {step} (occurrence {next.Occurrence})");
                }

                // Power goes out a few drive calls from now; every process of the site dies with it at the round's end.
                foreach (int d in new[] { 0, 1 })
                {
                    site.TapeLibrary.Drive(d).Arm($"power-loss after {1 + _random.Next(_kind == CampaignFault.PowerLossBeforeSync ? 4 : 16)}");
                }

                _restartPending = true;
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>Faults on committed copies (tapes of pool-dl1, whose files have two copies): a cartridge lost, blocks silently corrupted.</summary>
    private async Task DamageCommittedAsync()
    {
        if (_kind is not (CampaignFault.LostCartridge or CampaignFault.SilentCorruption))
        {
            return;
        }

        try
        {
            await _site.Site.DismountIdleAsync(); // a cartridge is damaged in its slot, as a robot would drop it
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TapeKit.Hsm.HsmException)
        {
            // A drive still busy keeps its cartridge: a loaded cartridge's damage shows as a drive CRC error, still a fault.
        }

        var tapes = _site.Probe.TapesWithCopies("pool-dl1");
        if (tapes.Count == 0)
        {
            _failures.Add("No tape of pool-dl1 held a committed copy to damage: the case injected nothing.");
            return;
        }

        string vsn = tapes[_random.Next(tapes.Count)].Vsn;
        VirtualTapeLibrary library = _site.Site.TapeLibrary;
        if (_kind == CampaignFault.LostCartridge)
        {
            SlotAddress ie = library.Export(vsn);
            string directory = library.Remove(ie.Number);
            Directory.Delete(directory, recursive: true);
            _faults++;
            return;
        }

        string cartridge = CartridgeCorruption.PathOf(library.Root, vsn);
        var segments = _site.Probe.Segments(vsn);
        for (int n = 2 + _random.Next(5), tries = 0; n > 0 && tries < 50; tries++)
        {
            (long first, long blocks) = segments[_random.Next(segments.Count)];
            if (CartridgeCorruption.Corrupt(cartridge, first + _random.NextInt64(Math.Max(1, blocks)), _random))
            {
                _faults++;
                n--;
            }
        }
    }

    /// <summary>The catalogue after recovery: invariants, one catalogue row and exactly the required copies per file, durable stays durable.</summary>
    private async Task<int> CheckCatalogueAsync(Dictionary<long, HashSet<long>> durable, CancellationToken ct)
    {
        IReadOnlyList<string> problems = await HsmInvariants.CheckAsync(_site.Site.Catalog, TimeSpan.FromMinutes(1), ct);
        foreach (string p in problems.Take(5))
        {
            _failures.Add("Invariant: " + p);
        }

        var files = _site.Probe.Files();
        var copies = _site.Probe.TapeCopies();
        int duplicated = _site.Probe.DuplicateRows();
        for (int i = 0; i < _workload.Count; i++)
        {
            if (!files.TryGetValue("/" + CrashWorkload.PathOf(i), out var f) || f.Archive != "ARCHIVED")
            {
                continue;
            }

            (int n, int distinct) = copies.GetValueOrDefault(f.Id);
            if (n > CrashWorkload.CopiesOf(i))
            {
                duplicated++;
                _failures.Add($"File {CrashWorkload.PathOf(i)} has {n} committed copies; its policy wants {CrashWorkload.CopiesOf(i)}.");
            }
            else if (n < CrashWorkload.CopiesOf(i) || distinct != n)
            {
                _failures.Add($"File {CrashWorkload.PathOf(i)} is ARCHIVED with {n} committed copies ({distinct} copy numbers); its policy wants {CrashWorkload.CopiesOf(i)}.");
            }
        }

        // What was reported durable before the faults stays archived; unless the fault destroyed media, on the same tape files.
        var states = files.Values.ToDictionary(f => f.Id, f => f.Archive);
        var onTape = _site.Probe.OnTapeAggregations();
        bool mediaDamaged = _kind is CampaignFault.LostCartridge or CampaignFault.SilentCorruption;
        foreach ((long id, HashSet<long> aggregations) in durable)
        {
            if (states.GetValueOrDefault(id) != "ARCHIVED")
            {
                _failures.Add($"File {id} was reported ARCHIVED before the faults and is {states.GetValueOrDefault(id) ?? "gone"} now.");
            }
            else if (!mediaDamaged && !aggregations.IsSubsetOf(onTape.GetValueOrDefault(id) ?? []))
            {
                _failures.Add($"File {id} was on tape in aggregations {string.Join(',', aggregations)} before the faults; now in {string.Join(',', onTape.GetValueOrDefault(id) ?? [])}.");
            }
        }

        return duplicated;
    }

    /// <summary>Purges every cache copy the purger lets go, recalls them all, and compares every file with what was generated.</summary>
    private async Task<int> RecallEverythingAsync(CancellationToken ct)
    {
        await _site.RestartAsync(CrashPhase.Purge);
        _ = await _site.RunUntilAsync(() => _site.Probe.Files().Values.All(f => f.Cache == "PURGED"), 6, ct: ct);

        if (_kind == CampaignFault.StageFull)
        {
            foreach (string dl in DiskLibraries)
            {
                AreaMount area = AreaMount.Mount(Path.Combine(_site.Root, "stage", dl));
                area.Fill(free: (4 + _random.Next(60)) * 1024L);
                _mounts.Add(area);
                _faults++;
            }
        }

        await _site.RestartAsync(CrashPhase.Recall);
        if (_kind == CampaignFault.CrashAtStep)
        {
            // One crash of a stager too, at a step of the recalls; the site restarts and serves them all the same.
            _stageCrash = (StageCrashSteps[_random.Next(StageCrashSteps.Length)], 1 + _random.Next(2));
            _faults++;
        }

        if (_kind == CampaignFault.MediaErrorRead)
        {
            foreach (int d in new[] { 0, 1 })
            {
                for (int n = 1 + _random.Next(3), i = 0; i < n; i++)
                {
                    _site.Site.TapeLibrary.Drive(d).Arm($"media-error read {4 + _random.Next(40)}");
                    _faults++;
                }
            }
        }

        await RequestRecallsAsync(ct);
        bool cached = await _site.RunUntilAsync(AllCached, 12, () => _crashed++, ct);
        if (!cached)
        {
            // The faults are over (space back, site restarted); a client asks again for what did not come back.
            foreach (AreaMount m in _mounts)
            {
                m.Release();
            }

            await _site.RestartAsync(CrashPhase.Recall);
            _retried = await RequestRecallsAsync(ct);
            cached = await _site.RunUntilAsync(AllCached, 20, ct: ct);
        }

        var files = _site.Probe.Files();
        int lost = 0;
        for (int i = 0; i < _workload.Count; i++)
        {
            string cachedPath = Path.Combine(_site.Root, "cache", CrashWorkload.DiskLibraryOf(i), CrashWorkload.PathOf(i));
            if (!File.Exists(cachedPath) || !File.ReadAllBytes(cachedPath).AsSpan().SequenceEqual(_workload.ContentOf(i)))
            {
                lost++;
                var f = files.GetValueOrDefault("/" + CrashWorkload.PathOf(i));
                _failures.Add($"File {CrashWorkload.PathOf(i)} did not come back byte-identical (catalogue: {f.Cache ?? "no row"}/{f.Archive ?? "-"}; cache file {(File.Exists(cachedPath) ? "differs" : "missing")}).");
            }
        }

        return lost;
    }

    private async Task<int> RequestRecallsAsync(CancellationToken ct)
    {
        List<long> purged = [.. _site.Probe.Files().Values.Where(f => f.Cache != "CACHED").Select(f => f.Id)];
        if (purged.Count > 0)
        {
            _ = await RecallCatalog.RequestManyAsync(_site.Site.Catalog, purged, ct);
        }

        return purged.Count;
    }

    private bool AllCached() => _site.Probe.Files().Values.All(f => f.Cache == "CACHED");

    private int Archived(int firstFiles)
    {
        var files = _site.Probe.Files();
        return Enumerable.Range(0, firstFiles).Count(i => files.TryGetValue("/" + CrashWorkload.PathOf(i), out var f) && f.Archive == "ARCHIVED");
    }

    private Dictionary<long, HashSet<long>> DurableNow()
    {
        HashSet<long> archived = [.. _site.Probe.Files().Values.Where(f => f.Archive == "ARCHIVED").Select(f => f.Id)];
        return _site.Probe.OnTapeAggregations().Where(p => archived.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
    }

    private bool InboxEmpty() => InboxLeft() == 0;

    private int InboxLeft() => Count(Path.Combine(_site.Root, "inbox"));

    private int Rejected() => Count(Path.Combine(_site.Root, "rejected"));

    private static int Count(string directory) => Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count() : 0;
}

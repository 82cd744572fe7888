using System.Diagnostics;
using System.Globalization;
using System.Net;
using Chelonia.Bartender;
using Chelonia.Shepherd;
using Chelonia.Wire;
using TapeKit.Checksums;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Demo;

/// <summary>
/// The demo: the Librarian, the Bartender and N Shepherds as child processes; N files uploaded through the Bartender;
/// one Shepherd killed with SIGKILL and the files re-replicated; the Shepherd restarted and its surplus retired; copies
/// damaged on disk and repaired; every file downloaded and compared byte for byte. Every wait has a timeout that names
/// what did not happen; every child is killed on every way out.
/// </summary>
public static class DemoRun
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs the demo.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="progress">Where progress lines go.</param>
    /// <param name="ct">Cancels the demo (the children are killed).</param>
    /// <exception cref="DemoException">A child did not start or a wait timed out.</exception>
    public static async Task<DemoReport> RunAsync(DemoOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (options.Shepherds < options.NeededReplicas + 1)
        {
            throw new ArgumentException($"The demo needs at least {options.NeededReplicas + 1} Shepherds.", nameof(options));
        }

        Stopwatch wall = Stopwatch.StartNew();
        string root = options.Root ?? Path.Combine(Path.GetTempPath(), "chelonia-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var children = new List<ChildProcess>();
        void KillAll()
        {
            lock (children)
            {
                // The Librarian last, so that no Shepherd logs it missing while it goes.
                foreach (ChildProcess c in Enumerable.Reverse(children))
                {
                    c.Dispose();
                }
            }
        }

        EventHandler onExit = (_, _) => KillAll();
        ConsoleCancelEventHandler onCancel = (_, _) => KillAll();
        AppDomain.CurrentDomain.ProcessExit += onExit;
        Console.CancelKeyPress += onCancel;
        try
        {
            ChildProcess Child(string name, params string[] args)
            {
                var c = new ChildProcess(name, [.. args, .. options.Timings.ToArguments()], Path.Combine(root, "logs"));
                lock (children)
                {
                    children.Add(c);
                }

                return c;
            }

            void Say(string text) => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{wall.Elapsed.TotalSeconds,6:0.0}s] {text}"));
            TimeSpan startTimeout = TimeSpan.FromSeconds(60);

            ChildProcess librarianProcess = Child("librarian", "librarian", "--db", Path.Combine(root, "librarian.db"));
            string librarianUrl = await librarianProcess.StartAsync(startTimeout);
            var librarian = new LibrarianClient(new HttpClient { BaseAddress = new Uri(librarianUrl + "/"), Timeout = TimeSpan.FromSeconds(60) });
            var shepherds = new ChildProcess[options.Shepherds];
            var shepherdStarts = new List<Task<string>>();
            for (int i = 0; i < shepherds.Length; i++)
            {
                string id = (i + 1).ToString(CultureInfo.InvariantCulture);
                shepherds[i] = Child("shepherd-" + id, "shepherd", "--id", id, "--store", StoreOf(root, i + 1), "--librarian", librarianUrl,
                    "--seed", (options.Seed + i + 1).ToString(CultureInfo.InvariantCulture));
                shepherdStarts.Add(shepherds[i].StartAsync(startTimeout));
            }

            ChildProcess bartenderProcess = Child("bartender", "bartender", "--librarian", librarianUrl, "--spool", Path.Combine(root, "bartender-spool"),
                "--replicas", options.NeededReplicas.ToString(CultureInfo.InvariantCulture));
            string bartenderUrl = await bartenderProcess.StartAsync(startTimeout);
            _ = await Task.WhenAll(shepherdStarts);
            await WaitAsync("every Shepherd to register", TimeSpan.FromSeconds(30), async () =>
                (await librarian.GetNodesAsync(ct)).Count(n => n.IsOnline) == options.Shepherds, ct);
            Say($"librarian {librarianUrl}, bartender {bartenderUrl}, {options.Shepherds} shepherds up; working in {root}");

            using var client = new HttpClient { BaseAddress = new Uri(bartenderUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
            var workload = new DemoWorkload(options);

            // 1. Uploads.
            Stopwatch phase = Stopwatch.StartNew();
            long bytes = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Files), new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (i, token) =>
            {
                byte[] content = workload.Content(i);
                await UploadAsync(client, DemoWorkload.PathOf(i), content, token);
                _ = Interlocked.Add(ref bytes, content.Length);
            });
            double uploadSeconds = phase.Elapsed.TotalSeconds;
            Say($"uploaded {options.Files} files ({bytes / 1048576.0:0.0} MiB) in {uploadSeconds:0.0} s");
            TimeSpan waitLimit = TimeSpan.FromSeconds(60 + (options.Files / 20.0));
            await WaitForCensusAsync(librarian, "every file at its replicas", waitLimit, c => c.Files == options.Files && c.Complete == c.Files && c.Count(ReplicaState.Creating) == 0, ct);
            double initialSeconds = phase.Elapsed.TotalSeconds;
            Say($"every file has {options.NeededReplicas} alive replicas after {initialSeconds:0.0} s");

            // 2. SIGKILL one Shepherd; wait for it to be offline and for every file to be back at its replicas.
            int victim = new Random(options.Seed).Next(options.Shepherds);
            string victimId = ShepherdService.NodeIdOf(victim + 1);
            int onVictim = Directory.EnumerateFiles(Path.Combine(StoreOf(root, victim + 1), "data")).Count();
            DateTimeOffset killedAt = DateTimeOffset.UtcNow;
            phase.Restart();
            shepherds[victim].Kill();
            Say($"killed {victimId} (SIGKILL) holding {onVictim} copies");
            await WaitAsync($"{victimId} to be offline", TimeSpan.FromSeconds(30), async () =>
                (await librarian.GetNodesAsync(ct)).Any(n => n.NodeId == victimId && !n.IsOnline), ct);
            await WaitForCensusAsync(librarian, "every file back at its replicas on online nodes", waitLimit, c => c.Complete == c.Files, ct);
            double toFull = phase.Elapsed.TotalSeconds;
            ReplicaCensus afterKill = await librarian.GetCensusAsync(killedAt, ct);
            int restored = afterKill.Transitions("P2") + afterKill.Transitions("P4");
            Say($"every file back at {options.NeededReplicas} replicas {toFull:0.0} s after the kill ({restored} copies made)");

            // 3. Restart it; wait for its surplus copies to be retired.
            DateTimeOffset restartedAt = DateTimeOffset.UtcNow;
            phase.Restart();
            _ = await shepherds[victim].StartAsync(startTimeout);
            await WaitAsync($"{victimId} to be online again", TimeSpan.FromSeconds(30), async () =>
                (await librarian.GetNodesAsync(ct)).Any(n => n.NodeId == victimId && n.IsOnline), ct);
            await WaitForCensusAsync(librarian, "the surplus to be retired", waitLimit,
                c => c.Surplus == 0 && c.Complete == c.Files && c.Count(ReplicaState.ThirdWheel) == 0, ct);
            double toRetired = phase.Elapsed.TotalSeconds;
            int retired = (await librarian.GetCensusAsync(restartedAt, ct)).Transitions("P11");
            Say($"{victimId} back; {retired} surplus copies retired in {toRetired:0.0} s");

            // 4. Damage copies on disk: flip bytes in half, delete the other half; wait for each to be found and repaired.
            var damage = await CorruptAsync(options, root, librarian, ct);
            phase.Restart();
            Say($"damaged {damage.Count} copies on disk ({damage.Count(d => d.Deleted)} deleted, {damage.Count(d => !d.Deleted)} with flipped bytes)");
            int repaired = 0;
            try
            {
                await WaitAsync("every damaged copy to be repaired", TimeSpan.FromSeconds(60) + (options.Timings.ScanPeriod * 3), async () =>
                {
                    repaired = await CountRepairedAsync(root, librarian, damage, ct);
                    return repaired == damage.Count;
                }, ct);
                await WaitForCensusAsync(librarian, "every file at its replicas after the repairs", waitLimit,
                    c => c.Complete == c.Files && c.Count(ReplicaState.Invalid) == 0 && c.Count(ReplicaState.Creating) == 0, ct);
            }
            catch (DemoException e)
            {
                Say(e.Message); // reported as corruptionsRepaired < corruptionsInjected
            }

            double toRepair = phase.Elapsed.TotalSeconds;
            Say($"{repaired} of {damage.Count} damaged copies repaired in {toRepair:0.0} s");

            // 5. Download every file through the Bartender and compare.
            phase.Restart();
            int verified = 0;
            var lost = new List<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Files), new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (i, token) =>
            {
                string path = DemoWorkload.PathOf(i);
                using HttpResponseMessage r = await client.GetAsync("files/" + path, token);
                byte[] got = r.IsSuccessStatusCode ? await r.Content.ReadAsByteArrayAsync(token) : [];
                if (r.IsSuccessStatusCode && got.AsSpan().SequenceEqual(workload.Content(i)))
                {
                    _ = Interlocked.Increment(ref verified);
                }
                else
                {
                    lock (lost)
                    {
                        lost.Add($"{path}: {(int)r.StatusCode}");
                    }
                }
            });
            double verifySeconds = phase.Elapsed.TotalSeconds;
            Say($"verified {verified} of {options.Files} files in {verifySeconds:0.0} s{(lost.Count > 0 ? "; lost: " + string.Join(", ", lost.Take(5)) : "")}");

            LibrarianStats stats = await librarian.GetStatsAsync(ct);
            return new DemoReport
            {
                FilesUploaded = options.Files,
                BytesUploaded = bytes,
                FilesVerified = verified,
                FilesLost = lost.Count,
                Shepherds = options.Shepherds,
                NeededReplicas = options.NeededReplicas,
                KilledShepherd = victimId,
                ReplicasOnKilledShepherd = onVictim,
                ReplicasRestored = restored,
                SecondsToFullReplication = Math.Round(toFull, 2),
                SurplusRetired = retired,
                SecondsToSurplusRetired = Math.Round(toRetired, 2),
                CorruptionsInjected = damage.Count,
                CorruptionsRepaired = repaired,
                SecondsToRepair = Math.Round(toRepair, 2),
                ReportBatches = stats.ReportsApplied,
                ReportEntries = stats.ReportEntries,
                DigestsCompared = stats.DigestsCompared,
                UploadSeconds = Math.Round(uploadSeconds, 2),
                SecondsToInitialReplication = Math.Round(initialSeconds, 2),
                VerifySeconds = Math.Round(verifySeconds, 2),
                WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2),
            };
        }
        finally
        {
            KillAll();
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            Console.CancelKeyPress -= onCancel;
            if (!options.Keep)
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string StoreOf(string root, int id) => Path.Combine(root, ShepherdService.NodeIdOf(id));

    private static async Task UploadAsync(HttpClient client, string path, byte[] content, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var body = new ByteArrayContent(content);
            body.Headers.Add(BartenderService.ChecksumHeader, DemoWorkload.ChecksumOf(content));
            using HttpResponseMessage r = await client.PutAsync("files/" + path, body, ct);
            if (r.StatusCode == HttpStatusCode.Created)
            {
                return;
            }

            ChelError error = await ChelHttp.ErrorOfAsync(r, ct);
            if ((int)r.StatusCode < 500 || attempt == 5)
            {
                throw new DemoException($"Uploading {path} failed ({(int)r.StatusCode} {error.Error}: {error.Detail}).");
            }

            await Task.Delay(200 * attempt, ct); // B1: the client retries (a new transfer id)
        }
    }

    private sealed record Damage(long FileId, string NodeId, int Shepherd, Guid TransferBefore, string Expected, bool Deleted);

    private static async Task<List<Damage>> CorruptAsync(DemoOptions options, string root, LibrarianClient librarian, CancellationToken ct)
    {
        var random = new Random(options.Seed + 7);
        int count = Math.Max(4, options.Files / 100);
        var damage = new List<Damage>();
        foreach (int i in Enumerable.Range(0, options.Files).OrderBy(_ => random.Next()).Take(count))
        {
            long fileId = FilePath.Parse(DemoWorkload.PathOf(i)).FileId;
            FileView file = await librarian.GetFileAsync(fileId, ct) ?? throw new DemoException($"File {fileId} is unknown to the Librarian.");
            List<ReplicaInfo> alive = [.. file.Replicas.Where(r => r.State == ReplicaState.Alive)];
            ReplicaInfo target = alive[random.Next(alive.Count)];
            int shepherd = int.Parse(target.NodeId["shepherd-".Length..], CultureInfo.InvariantCulture);
            string path = Path.Combine(StoreOf(root, shepherd), "data", string.Create(CultureInfo.InvariantCulture, $"{fileId:x16}.{file.Checksum.Value}"));
            bool delete = damage.Count % 2 == 1;
            if (delete)
            {
                File.Delete(path);
            }
            else
            {
                await using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
                long at = f.Length / 2;
                byte[] one = new byte[1];
                f.Position = at;
                _ = await f.ReadAsync(one, ct);
                f.Position = at;
                one[0] ^= 0xFF;
                await f.WriteAsync(one, ct);
            }

            damage.Add(new Damage(fileId, target.NodeId, shepherd, target.TransferId, file.Checksum.Value, delete));
        }

        return damage;
    }

    /// <summary>Damaged copies now ALIVE again under a new transfer (P7 then P2) with a verified copy on the same Shepherd's disk.</summary>
    private static async Task<int> CountRepairedAsync(string root, LibrarianClient librarian, List<Damage> damage, CancellationToken ct)
    {
        int repaired = 0;
        foreach (Damage d in damage)
        {
            FileView? file = await librarian.GetFileAsync(d.FileId, ct);
            if (file?.Replicas.FirstOrDefault(r => r.NodeId == d.NodeId) is not { State: ReplicaState.Alive } replica || replica.TransferId == d.TransferBefore)
            {
                continue;
            }

            string path = Path.Combine(StoreOf(root, d.Shepherd), "data", string.Create(CultureInfo.InvariantCulture, $"{d.FileId:x16}.{d.Expected}"));
            if (File.Exists(path) && ChecksumText.Hash64Hex(XxHash3Checksum.Compute(await File.ReadAllBytesAsync(path, ct))) == d.Expected)
            {
                repaired++;
            }
        }

        return repaired;
    }

    private static Task WaitForCensusAsync(LibrarianClient librarian, string what, TimeSpan timeout, Func<ReplicaCensus, bool> done, CancellationToken ct)
    {
        ReplicaCensus? last = null;
        return WaitAsync(what, timeout, async () =>
        {
            last = await librarian.GetCensusAsync(null, ct);
            return done(last);
        }, ct, () => last is null ? "" : $" (files {last.Files}, complete {last.Complete}, short {last.Underreplicated}, surplus {last.Surplus}, replicas {string.Join(", ", last.Replicas.Select(p => $"{p.Key} {p.Value}"))})");
    }

    private static async Task WaitAsync(string what, TimeSpan timeout, Func<Task<bool>> done, CancellationToken ct, Func<string>? state = null)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!await done())
        {
            if (waited.Elapsed > timeout)
            {
                throw new DemoException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}{state?.Invoke()}.");
            }

            await Task.Delay(Poll, ct);
        }
    }
}

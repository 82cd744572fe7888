using System.Globalization;
using TapeKit.Devices.Virtual;

namespace TapeGateway;

/// <summary>
/// The <c>tpcp</c>-like operator commands, each on the gateway under its root (set up on first use): migrate the disk
/// pool's candidates, recall files, dump a tape, verify a tape against the name server.
/// </summary>
public static class OperatorCommands
{
    /// <summary>Adds <paramref name="files"/> generated files to the disk pool, then migrates every candidate.</summary>
    /// <param name="options">The gateway.</param>
    /// <param name="mode">How to write.</param>
    /// <param name="files">New files for the disk pool (0: only migrate what is waiting).</param>
    /// <param name="output">Where the summary goes.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<int> MigrateAsync(GatewayOptions options, GatewayMode mode, int files, TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero, ct);
        long first = world.Names.NextFileId;
        foreach (NsFile f in DemoWorkload.Files(files, options.PayloadSeed + (int)first, options.Classes))
        {
            world.Names.AddFile(f with { FileId = f.FileId + first - 1, Name = f.Name.Replace("/demo/", $"/pool{first}/", StringComparison.Ordinal) });
        }

        MigrationReport report = await new GatewayMigrator(world, mode, options.PayloadSeed).MigrateAsync(ct);
        output.WriteLine(Invariant($"migrated {report.Files} files ({report.PayloadBytes} bytes) into {report.TapeFiles} tape files in {report.Sessions} sessions; {world.DriveTime.BusySeconds:0.0} simulated drive seconds"));
        return 0;
    }

    /// <summary>Recalls files now, every byte checked; prints one line per file.</summary>
    /// <param name="options">The gateway.</param>
    /// <param name="mode">FIFO (classic) or the planner (tapekit).</param>
    /// <param name="fileIds">The files.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<int> RecallAsync(GatewayOptions options, GatewayMode mode, IReadOnlyList<long> fileIds, TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        ArgumentNullException.ThrowIfNull(output);
        await using TapeWorld world = await TapeWorld.OpenAsync(options, mode.Recalls == RecallStrategy.Fifo ? TimeSpan.Zero : options.Recall.RemountDelay, ct);
        var unknown = fileIds.Where(id => !world.Names.IsOnTape(id)).ToList();
        foreach (long id in unknown)
        {
            output.WriteLine(Invariant($"file {id}: no tape copy"));
        }

        DateTimeOffset now = world.Clock.GetUtcNow();
        GatewayRecall[] requests = [.. fileIds.Except(unknown).Distinct().Select(id => new GatewayRecall(Guid.NewGuid(), id, now))];
        IReadOnlyList<ServedRecall> served = await new RecallService(world, options.PayloadSeed).ServeAsync(requests, mode.Recalls, ct);
        foreach (ServedRecall s in served.OrderBy(s => s.Request.FileId))
        {
            NsSegment segment = world.Names.SegmentsOf(s.Request.FileId)[0];
            NsTapeFile tf = world.Names.TapeFiles[segment.TapeFileId];
            output.WriteLine(Invariant($"file {s.Request.FileId}: {(s.Outcome.Verified ? "verified" : "FAILED: " + s.Outcome.Error)}  ({tf.Vsn} fseq {tf.Fseq} block {tf.FirstDataBlockId + segment.BlockIndex}, {s.Latency.TotalSeconds:0.0} s simulated)"));
        }

        output.WriteLine(Invariant($"{served.Count(s => s.Outcome.Verified)} of {fileIds.Count} files verified, {world.Mounts} mounts"));
        return unknown.Count == 0 && served.All(s => s.Outcome.Verified) ? 0 : 1;
    }

    /// <summary>Dumps a tape (its files and members, read from the tape) and, with <paramref name="verify"/>, compares it with the name server.</summary>
    /// <param name="options">The gateway.</param>
    /// <param name="vsn">The tape.</param>
    /// <param name="verify">Compare with the name server and fail on a difference.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<int> DumpAsync(GatewayOptions options, string vsn, bool verify, TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero, ct);
        TapeAudit audit = await TapeAudit.RunAsync(world, vsn, ct);
        if (!verify)
        {
            foreach (string line in audit.Lines())
            {
                output.WriteLine(line);
            }

            output.WriteLine(Invariant($"{vsn}: {audit.Files.Count} tape files"));
            return audit.Problems.Count > 0 && audit.Files.Count == 0 ? 1 : 0;
        }

        foreach (string problem in audit.Problems)
        {
            output.WriteLine(Invariant($"{vsn}: {problem}"));
        }

        int members = audit.Files.Sum(f => f.Members.Count(m => m.FileId != 0));
        output.WriteLine(audit.Problems.Count == 0
            ? Invariant($"{vsn}: verified, {audit.Files.Count} tape files and {members} members agree with the name server")
            : Invariant($"{vsn}: {audit.Problems.Count} differences from the name server"));
        return audit.Problems.Count == 0 ? 0 : 1;
    }

    /// <summary>Imports a label set written by another system (CASTOR, CTA) as a tape of the gateway.</summary>
    /// <param name="options">The gateway.</param>
    /// <param name="labels">The label set file.</param>
    /// <param name="output">Where the summary goes.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<int> ImportLabelsAsync(GatewayOptions options, string labels, TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using TapeWorld world = await TapeWorld.OpenAsync(options, TimeSpan.Zero, ct);
        string vsn = await LabelSetImport.ImportAsync(world, labels, "imported", ct);
        output.WriteLine(Invariant($"{vsn}: {world.Names.TapeFilesOn(vsn).Count} tape files imported from {labels}"));
        return 0;
    }

    /// <summary>Parses a file id list.</summary>
    /// <param name="text">Ids.</param>
    public static long[] ParseIds(IEnumerable<string> text) =>
        [.. text.Select(t => long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0 ? id : throw new ArgumentException($"'{t}' is not a file id."))];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

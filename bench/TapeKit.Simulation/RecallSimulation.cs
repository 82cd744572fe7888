using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Simulation;

/// <summary>
/// The same random recall trace over a library of synthetic cartridges served two ways (issue #5):
/// FIFO with one mount per request, as a naive system does, and by TapeKit's recall planner —
/// requests grouped per tape, one mount per tape, reads in block order (whole aggregations where the
/// planner chooses read-ahead). Costs come from the library and drive timing model.
/// </summary>
public static class RecallSimulation
{
    private const int BlockSize = 262144;

    /// <summary>Runs both strategies over one seeded trace.</summary>
    /// <param name="workDirectory">Where the library lives; deleted afterwards.</param>
    /// <param name="cartridges">Cartridges in the library.</param>
    /// <param name="filesPerTape">ALB files (aggregations) per cartridge.</param>
    /// <param name="membersPerFile">Members per aggregation.</param>
    /// <param name="memberBlocks">Blocks per member (1 MiB members at 4 × 256 KiB).</param>
    /// <param name="requests">Requests in the trace.</param>
    /// <param name="seed">The trace's seed.</param>
    /// <returns>FIFO and planner results.</returns>
    public static (RecallResult Fifo, RecallResult Planner) Run(string workDirectory, int cartridges = 20, int filesPerTape = 10, int membersPerFile = 256, int memberBlocks = 4, int requests = 2000, int seed = 1)
    {
        string root = Path.Combine(workDirectory, "recall-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = new VirtualClock();
            using var library = VirtualTapeLibrary.Open(root, new VirtualLibraryOptions { Drives = 1, StorageSlots = Math.Max(cartridges, 1) + 4 }, clock);
            var tapes = new Dictionary<string, List<TapeFileInfo>>();
            for (int c = 0; c < cartridges; c++)
            {
                string vsn = $"R{c:D5}";
                library.CreateCartridge(vsn, MediaProfile.Lto9, options: new VirtualCartridgeOptions { SyntheticSeed = (ulong)c + 1 });
                library.Mount(vsn, 0);
                using (ITapeDrive drive = library.OpenDrive(0))
                {
                    var writer = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "SIM", HostName = "recall" });
                    AulVolume volume = AulVolume.Prelabel(drive, writer, vsn);
                    using AulAppendSession session = volume.Append(0, writer, TapeMarkPolicy.CtaDefault);
                    for (int f = 0; f < filesPerTape; f++)
                    {
                        session.WriteFile(((ulong)c << 20) + (ulong)f + 1, new ZeroStream((long)membersPerFile * memberBlocks * BlockSize), BlockSize);
                    }

                    session.Flush();
                    tapes[vsn] = [.. session.DurableFiles];
                }

                library.Unmount(0);
            }

            var random = new Random(seed);
            var trace = Enumerable.Range(0, requests)
                .Select(i => (Vsn: $"R{random.Next(cartridges):D5}", File: random.Next(filesPerTape), Member: random.Next(membersPerFile), Id: i))
                .ToList();

            RecallResult fifo = Measure("FIFO, one mount per request", library, clock, requests, read =>
            {
                foreach (var r in trace)
                {
                    TapeFileInfo file = tapes[r.Vsn][r.File];
                    read(r.Vsn, [(file.FirstDataObjectId + ((long)r.Member * memberBlocks), memberBlocks)]);
                }
            });

            var planner = new RecallPlanner(new RecallOptions());
            var status = tapes.Keys.ToDictionary(v => v, v => new RecallTapeStatus(v, TapeState.Full));
            long aggregationBytes = (long)membersPerFile * memberBlocks * BlockSize;
            var recallRequests = trace.Select(r =>
            {
                TapeFileInfo file = tapes[r.Vsn][r.File];
                var member = new MemberLocator(new TapeFileLocator(r.Vsn, (int)file.FileSequence, file.FirstDataObjectId), (long)file.FileId, r.Member, (long)r.Member * memberBlocks, 0, (long)r.Member * memberBlocks * BlockSize);
                return new RecallRequest(new Guid(r.Id, 0, 0, new byte[8]), r.Id + 1, (long)memberBlocks * BlockSize, "DL-A", RequestPriority.Normal, VirtualClock.Epoch, [new RecallCopy(1, member, aggregationBytes, membersPerFile)]);
            }).ToList();
            RecallResult planned = Measure("TapeKit recall planner", library, clock, requests, read =>
            {
                (IReadOnlyList<RecallQueue> queues, _) = RecallPlanner.BuildQueues(recallRequests, status);
                foreach (RecallQueue queue in queues)
                {
                    StagePlan plan = planner.PlanBatch(queue);
                    var reads = plan.Items.Select(item => item.Mode == ReadMode.Whole
                        ? (item.StartBlockId, (int)(aggregationBytes / BlockSize))
                        : (item.StartBlockId, memberBlocks)).ToList();
                    read(queue.Vsn, reads);
                }
            });
            return (fifo, planned);
        }
        finally
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

    /// <summary>Serves reads, one mount per call of the read callback: mount, locate (when not already there), read, unmount.</summary>
    private static RecallResult Measure(string name, VirtualTapeLibrary library, VirtualClock clock, int requests, Action<Action<string, IReadOnlyList<(long ObjectId, int Blocks)>>> serve)
    {
        long start = clock.Nanoseconds;
        int mounts = 0;
        long locates = 0, bytes = 0;
        byte[] buffer = new byte[BlockSize];
        serve((vsn, reads) =>
        {
            library.Mount(vsn, 0);
            mounts++;
            using (ITapeDrive drive = library.OpenDrive(0))
            {
                long position = -1;
                foreach ((long objectId, int blocks) in reads)
                {
                    if (objectId != position)
                    {
                        drive.Locate(objectId);
                        locates++;
                    }

                    for (int b = 0; b < blocks; b++)
                    {
                        bytes += drive.ReadBlock(buffer).Length;
                    }

                    position = objectId + blocks;
                }
            }

            library.Unmount(0);
        });
        return new RecallResult(name, requests, mounts, locates, bytes, (clock.Nanoseconds - start) / 1e9);
    }
}

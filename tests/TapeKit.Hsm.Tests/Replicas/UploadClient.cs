using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>
/// A client uploading one file through the front end (§7.3 cases A and B): it asks for an allocation (P1), streams to the
/// node named in it one phase per step, and polls the file until a replica is alive; after <see cref="Timeout"/> without
/// one it retries with a new allocation (new transfer id, possibly another node). While the Librarian is unreachable it
/// reports "pending", never "failed", until its own deadline.
/// </summary>
internal sealed class UploadClient(ChelSim world, long fileId, string? firstNode = null)
{
    private int _phase;
    private DateTimeOffset _started;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The client's own deadline for the whole upload.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromHours(2);

    public List<ReplicaRecord> Attempts { get; } = [];

    public int RefusedAllocations { get; private set; }

    public bool Done { get; private set; }

    /// <summary>What the client would show: done, pending, or failed (its own deadline passed).</summary>
    public string Status { get; private set; } = "pending";

    public ReplicaRecord? Current { get; private set; }

    private DateTimeOffset? _begun;

    public async Task StepAsync()
    {
        _begun ??= world.Now;
        if (Done)
        {
            return;
        }

        if (world.Now - _begun > GiveUpAfter)
        {
            Status = "failed";
            return;
        }

        if (Current is null)
        {
            UploadTicket? ticket = null;
            bool ok = await world.CallAsync(async () => ticket = await world.Librarian.BeginUploadAsync(new UploadRequest
            {
                FileId = fileId,
                Size = world.SizeOf(fileId),
                Checksum = world.SumOf(fileId),
                NeededReplicas = 2,
                PreferredNodeId = Attempts.Count == 0 ? firstNode : null,
            }));
            if (!ok)
            {
                RefusedAllocations++; // "metadata unavailable, retry": no transfer address without a CREATING row
                return;
            }

            if (ticket!.Outcome == UploadOutcome.Allocated)
            {
                Current = ticket.Replica!;
                Attempts.Add(Current);
                _started = world.Now;
                _phase = 0;
            }

            return;
        }

        IReadOnlyList<ReplicaView> views = [];
        if (await world.CallAsync(async () => views = (await world.Librarian.GetFileAsync(fileId)).Replicas)
            && views.Any(v => v.Effective == ReplicaState.Alive))
        {
            Done = true;
            Status = "done";
            return;
        }

        if (world.Now - _started > Timeout)
        {
            world.Log.Add($"{world.Now:HH:mm:ss} client gives up transfer {Current.TransferId} to {Current.NodeId}, retries");
            Current = null;
            return;
        }

        ChelSim.Shepherd target = world.Nodes[Current.NodeId];
        var job = new ChelSim.Job(Current with { SourceNodeId = "client" });
        switch (_phase)
        {
            case 0 when target.Up:
                target.Disk[fileId] = new ChelSim.Copy(Current.TransferId, 0, null, Complete: false, Registered: false);
                _phase = 1;
                await world.PointAsync(job, TransferPoint.During);
                break;
            case 1 when target.Up:
                target.Disk[fileId] = new ChelSim.Copy(Current.TransferId, world.SizeOf(fileId), world.SumOf(fileId), Complete: true, Registered: false);
                _phase = 2;
                await world.PointAsync(job, TransferPoint.After);
                break;
        }
    }
}

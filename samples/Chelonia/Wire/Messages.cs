using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Wire;

/// <summary>A Shepherd's registration: where it is reached.</summary>
/// <param name="Address">Its base URL.</param>
public sealed record NodeRegistration(string Address);

/// <summary>The Librarian's answer to an upload allocation, with the address of the chosen Shepherd.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Detail">Why, in words.</param>
/// <param name="TransferId">The transfer to send the bytes under, when allocated.</param>
/// <param name="NodeId">The chosen Shepherd.</param>
/// <param name="NodeAddress">Where it is reached.</param>
public sealed record UploadAllocation(UploadOutcome Outcome, string Detail, Guid? TransferId, string? NodeId, string? NodeAddress);

/// <summary>A registration by transfer id (P2/P4).</summary>
/// <param name="NodeId">The registering node.</param>
/// <param name="Size">The bytes it received.</param>
/// <param name="Checksum">The checksum it computed.</param>
public sealed record RegistrationRequest(string NodeId, long Size, Checksum Checksum);

/// <summary>A failed transfer (P5).</summary>
/// <param name="Reason">What went wrong.</param>
public sealed record TransferFailure(string Reason);

/// <summary>A batch of transfers a source starts.</summary>
/// <param name="TransferIds">The transfers.</param>
public sealed record StartRequest(IReadOnlyList<Guid> TransferIds);

/// <summary>A digest on the wire (docs/hsm/replicas.md#reporting-without-overload, rule 4).</summary>
/// <param name="Counts">Copies per bucket.</param>
/// <param name="Hashes">Hash per bucket.</param>
public sealed record DigestMessage(IReadOnlyList<int> Counts, IReadOnlyList<ulong> Hashes);

/// <summary>One replica of a file as the services show it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="State">The effective state (offline when the node is).</param>
/// <param name="TransferId">The replica's current transfer id.</param>
/// <param name="Address">The node's address, when known.</param>
public sealed record ReplicaInfo(string NodeId, ReplicaState State, Guid TransferId, string? Address);

/// <summary>A file and its replicas.</summary>
/// <param name="FileId">The file id.</param>
/// <param name="Path">The client's path (filled in by the Bartender).</param>
/// <param name="NeededReplicas">How many alive copies it needs.</param>
/// <param name="Size">Its size.</param>
/// <param name="Checksum">Its checksum.</param>
/// <param name="Deleted">Whether it is deleted.</param>
/// <param name="Replicas">Its live replicas.</param>
public sealed record FileView(long FileId, string? Path, int NeededReplicas, long Size, Checksum Checksum, bool Deleted, IReadOnlyList<ReplicaInfo> Replicas);

/// <summary>What the Librarian process counted since it started.</summary>
/// <param name="ReportsApplied">Reports applied (batches).</param>
/// <param name="ReportEntries">Entries in the applied reports.</param>
/// <param name="ReportsRefused">Reports turned away (too early, out of sequence, invalid, unknown node).</param>
/// <param name="DigestsCompared">Digests compared.</param>
/// <param name="PlanPasses">Planner passes.</param>
/// <param name="CheckRuns">Checker runs.</param>
public sealed record LibrarianStats(long ReportsApplied, long ReportEntries, long ReportsRefused, long DigestsCompared, long PlanPasses, long CheckRuns);

/// <summary>A Shepherd's answer to a transfer it stored: durable, its registration queued for the next report.</summary>
/// <param name="TransferId">The transfer.</param>
/// <param name="FileId">The file.</param>
/// <param name="NodeId">The Shepherd.</param>
/// <param name="Size">The bytes stored.</param>
/// <param name="Checksum">Their checksum.</param>
public sealed record StoredReceipt(Guid TransferId, long FileId, string NodeId, long Size, Checksum Checksum);

/// <summary>The Bartender's answer to an upload.</summary>
/// <param name="Path">The path.</param>
/// <param name="FileId">The file id.</param>
/// <param name="TransferId">The transfer.</param>
/// <param name="NodeId">The Shepherd that stored it.</param>
public sealed record UploadReceipt(string Path, long FileId, Guid TransferId, string NodeId);

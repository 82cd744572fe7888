namespace TapeKit.Hsm.Replicas;

/// <summary>One copy in a digest: the file and whether the copy is known bad.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Invalid">True for a damaged copy (<see cref="ReplicaState.Invalid"/>).</param>
public readonly record struct ReplicaDigestEntry(long FileId, bool Invalid);

/// <summary>
/// A digest of one node's replica set (docs/hsm/replicas.md#reporting-without-overload rule 4): per bucket of file ids, the number of copies and an order-free hash
/// of them. Buckets are chosen by a mixed hash of the file id, so consecutive ids spread over all buckets. The node's
/// side covers the copies it registered (good or found bad); the Librarian's side the node's rows that are
/// <see cref="ReplicaState.Alive"/> or <see cref="ReplicaState.ThirdWheel"/> (good) or <see cref="ReplicaState.Invalid"/>
/// (bad). Transfers in progress are not in it: they have their own path (registration by transfer id).
/// </summary>
public sealed class ReplicaDigest
{
    /// <summary>The number of buckets (4 096).</summary>
    public const int BucketCount = 4096;

    private readonly int[] _counts;
    private readonly ulong[] _hashes;

    /// <summary>Creates an empty digest.</summary>
    public ReplicaDigest()
    {
        _counts = new int[BucketCount];
        _hashes = new ulong[BucketCount];
    }

    private ReplicaDigest(int[] counts, ulong[] hashes)
    {
        _counts = counts;
        _hashes = hashes;
    }

    /// <summary>The copies per bucket (the wire form, with <see cref="Hashes"/>).</summary>
    public IReadOnlyList<int> Counts => _counts;

    /// <summary>The hash per bucket.</summary>
    public IReadOnlyList<ulong> Hashes => _hashes;

    /// <summary>The copies in all buckets.</summary>
    public long TotalCount => _counts.Sum(c => (long)c);

    /// <summary>A digest from its wire form.</summary>
    /// <param name="counts">The counts, <see cref="BucketCount"/> of them.</param>
    /// <param name="hashes">The hashes, <see cref="BucketCount"/> of them.</param>
    /// <exception cref="ArgumentException">Not <see cref="BucketCount"/> buckets.</exception>
    public static ReplicaDigest FromBuckets(IReadOnlyList<int> counts, IReadOnlyList<ulong> hashes)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(hashes);
        if (counts.Count != BucketCount || hashes.Count != BucketCount)
        {
            throw new ArgumentException($"A digest has {BucketCount} buckets.", nameof(counts));
        }

        return new ReplicaDigest([.. counts], [.. hashes]);
    }

    /// <summary>A digest of the given copies.</summary>
    /// <param name="entries">The copies (each file once).</param>
    public static ReplicaDigest Of(IEnumerable<ReplicaDigestEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var d = new ReplicaDigest();
        foreach (ReplicaDigestEntry e in entries)
        {
            d.Add(e);
        }

        return d;
    }

    /// <summary>The bucket of a file id.</summary>
    /// <param name="fileId">The file id.</param>
    public static int BucketOf(long fileId) => (int)(Mix((ulong)fileId) % BucketCount);

    /// <summary>Adds a copy.</summary>
    /// <param name="entry">The copy.</param>
    public void Add(ReplicaDigestEntry entry)
    {
        int b = BucketOf(entry.FileId);
        _counts[b]++;
        _hashes[b] = unchecked(_hashes[b] + HashOf(entry));
    }

    /// <summary>Removes a copy added before.</summary>
    /// <param name="entry">The copy.</param>
    public void Remove(ReplicaDigestEntry entry)
    {
        int b = BucketOf(entry.FileId);
        _counts[b]--;
        _hashes[b] = unchecked(_hashes[b] - HashOf(entry));
    }

    /// <summary>The buckets where this digest and <paramref name="other"/> differ, ascending.</summary>
    /// <param name="other">The other digest.</param>
    public IReadOnlyList<int> DifferingBuckets(ReplicaDigest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var diff = new List<int>();
        for (int b = 0; b < BucketCount; b++)
        {
            if (_counts[b] != other._counts[b] || _hashes[b] != other._hashes[b])
            {
                diff.Add(b);
            }
        }

        return diff;
    }

    /// <summary>
    /// A node's side of a reconciliation: compares its copies in <paramref name="buckets"/> with the Librarian's view of
    /// them and returns only the differences as report entries — a copy the Librarian does not list (<see cref="ReportedReplicaState.Good"/>
    /// or <see cref="ReportedReplicaState.Corrupted"/>), one it lists as good that the node found bad
    /// (<see cref="ReportedReplicaState.Corrupted"/>), one listed bad that the node holds good (<see cref="ReportedReplicaState.Good"/>),
    /// and one it lists that the node does not hold (<see cref="ReportedReplicaState.Missing"/>). By file id.
    /// </summary>
    /// <param name="mine">The node's copies (all of them, or those of the buckets).</param>
    /// <param name="buckets">The differing buckets.</param>
    /// <param name="librarianView">The Librarian's entries of those buckets.</param>
    public static IReadOnlyList<ReplicaReportEntry> Reconcile(IEnumerable<ReplicaDigestEntry> mine, IReadOnlyList<int> buckets, IEnumerable<ReplicaDigestEntry> librarianView)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(librarianView);
        var wanted = buckets.ToHashSet();
        Dictionary<long, bool> own = mine.Where(e => wanted.Contains(BucketOf(e.FileId))).ToDictionary(e => e.FileId, e => e.Invalid);
        Dictionary<long, bool> theirs = librarianView.ToDictionary(e => e.FileId, e => e.Invalid);
        var entries = new List<ReplicaReportEntry>();
        foreach ((long id, bool invalid) in own)
        {
            if (!theirs.TryGetValue(id, out bool theirInvalid) || theirInvalid != invalid)
            {
                entries.Add(new ReplicaReportEntry(id, invalid ? ReportedReplicaState.Corrupted : ReportedReplicaState.Good));
            }
        }

        foreach (long id in theirs.Keys)
        {
            if (!own.ContainsKey(id))
            {
                entries.Add(new ReplicaReportEntry(id, ReportedReplicaState.Missing));
            }
        }

        entries.Sort((a, b) => a.FileId.CompareTo(b.FileId));
        return entries;
    }

    private static ulong HashOf(ReplicaDigestEntry e) => Mix(unchecked(((ulong)e.FileId * 2) + (e.Invalid ? 1UL : 0UL) + 0x9E3779B97F4A7C15UL));

    /// <summary>SplitMix64's finaliser: a bijective mix of 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

using System.Buffers;
using System.Collections;
using System.Runtime.ExceptionServices;
using TapeKit.Checksums;

namespace TapeKit.Aggregation;

/// <summary>
/// The feeder of an aggregation write: reads file members ahead of the writer, on several threads at once, into pooled
/// buffers, and hands them to the writer in their order as members already in memory.
/// </summary>
/// <remarks>
/// <para>
/// Opening, reading and closing a small file costs a few system calls and, on a network file system, milliseconds of
/// latency; done one after the other by the thread that frames the tape blocks, they leave the drive waiting.
/// Here <see cref="ReadAheadOptions.Readers"/> threads read the next members while the writer frames the current one,
/// bounded by <see cref="ReadAheadOptions.MaxMembers"/> members and <see cref="ReadAheadOptions.MaxBytes"/> bytes. Each
/// byte is read once, into a pooled buffer, and checksummed there by its reader while it is in that processor's cache;
/// the writer only copies it once, into the tape block, so that checksums do not slow the thread that feeds the drive.
/// A member's buffer goes back to the pool when the writer asks for the next member.
/// </para>
/// <para>
/// Read ahead: file members (<see cref="MemberSource.FromFile"/>) of at most <see cref="ReadAheadOptions.MaxMemberSize"/>;
/// a file whose size was not given is measured by its reader on the open file, which also gives the mode and time of
/// a member that <see cref="MemberSource.TakesFileMetadata"/>. Members in memory are checksummed ahead by the readers
/// (their bytes must not change until the writer has taken them). The others are handed over as they are, in their place.
/// A file must have exactly its given size: one that has changed fails with an <see cref="IOException"/> naming the
/// member, and a file that cannot be read with the error of its open or read — each at the member's turn, as the
/// writer would have failed on it. Files are opened without following a symbolic link or blocking on a FIFO.
/// </para>
/// <para>Enumerate once; dispose to stop the readers (also when the writer failed half-way).</para>
/// </remarks>
public sealed class MemberReadAhead : IEnumerable<MemberSource>, IDisposable
{
    /// <summary>Members a reader takes at once: one pass through the gate for several files.</summary>
    private const int ClaimBatch = 8;

    /// <summary>Members a lister thread hands over at most at once (the first batches are smaller, to start reading soon).</summary>
    private const int ListBatch = 256;

    private readonly IReadOnlyList<MemberSource>? _given; // the members, when given as a list
    private readonly List<MemberSource>? _listed;         // the members a lister thread has taken from an enumerable so far
    private readonly Thread? _lister;
    private readonly ReadAheadOptions _options;
    private readonly Slot[] _slots;
    private readonly Thread[] _readers;
    private readonly object _gate = new();
    // The feeder's own pool, sized for its bound: the shared pool keeps a few arrays per size and core, so with hundreds
    // of members in flight most rents would allocate.
    private readonly ArrayPool<byte> _pool;
    private bool _complete;   // no more members will come (under the gate)
    private ExceptionDispatchInfo? _listingError; // why the enumerable ended early, for the writer after the last member
    private int _next;        // the next member a reader takes
    private int _head;        // the member the writer has or waits for; every slot below it is released
    private long _bytesAhead; // bytes held or being read for members at or after the head
    private int _readersWaiting;
    private int _waitingFor = -1; // the member the writer sleeps on, if it does
    private readonly int _wakeBatch;
    private bool _stopped;
    private bool _enumerated;

    private MemberReadAhead(IReadOnlyList<MemberSource>? given, IEnumerable<MemberSource>? listed, ReadAheadOptions options)
    {
        _options = options;
        int known = options.MaxMembers;
        if (given is not null)
        {
            _given = given;
            known = given.Count;
            _complete = true;
        }
        else
        {
            _listed = [];
        }

        _slots = new Slot[Math.Min(options.MaxMembers, Math.Max(1, known))];
        _pool = ArrayPool<byte>.Create(Math.Max(16, options.MaxMemberSize + 1), _slots.Length + options.Readers);
        _readers = new Thread[Math.Min(options.Readers, Math.Max(1, known))];
        // Readers that ran into the member bound are woken once an eighth of it is free again, not at every member.
        _wakeBatch = Math.Max(1, _slots.Length / 8);
        for (int i = 0; i < _readers.Length; i++)
        {
            _readers[i] = new Thread(Read) { IsBackground = true, Name = $"TapeKit read-ahead {i + 1}" };
            _readers[i].Start();
        }

        if (listed is not null)
        {
            _lister = new Thread(() => List(listed)) { IsBackground = true, Name = "TapeKit read-ahead lister" };
            _lister.Start();
        }
    }

    /// <summary>Starts reading <paramref name="members"/> ahead.</summary>
    /// <param name="members">The members, in the order they are to be written.</param>
    /// <param name="options">The bounds; the defaults of <see cref="ReadAheadOptions"/> when <see langword="null"/>.</param>
    /// <returns>The members in their order, to enumerate once.</returns>
    public static MemberReadAhead Start(IReadOnlyList<MemberSource> members, ReadAheadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        options ??= new ReadAheadOptions();
        options.Validate();
        return new MemberReadAhead(members, null, options);
    }

    /// <summary>
    /// Starts reading <paramref name="members"/> ahead while they are still being enumerated: a thread of the feeder's
    /// takes them from the enumerable (a directory walk, say) as the readers read the first ones, so that listing,
    /// reading and writing overlap. An exception of the enumerable reaches the writer after the last member before it.
    /// </summary>
    /// <param name="members">The members, in the order they are to be written; enumerated once, on another thread.</param>
    /// <param name="options">The bounds; the defaults of <see cref="ReadAheadOptions"/> when <see langword="null"/>.</param>
    /// <returns>The members in their order, to enumerate once.</returns>
    public static MemberReadAhead StartStreaming(IEnumerable<MemberSource> members, ReadAheadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        options ??= new ReadAheadOptions();
        options.Validate();
        return new MemberReadAhead(null, members, options);
    }

    /// <summary>The members, in order; file members that were read ahead come as members in memory.</summary>
    /// <returns>The enumerator (once only).</returns>
    public IEnumerator<MemberSource> GetEnumerator()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_enumerated)
            {
                throw new InvalidOperationException("The read-ahead members can be enumerated once only.");
            }

            _enumerated = true;
        }

        return Take();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Members a reader has started on so far (for tests of the bounds).</summary>
    internal int MembersStarted
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>The most bytes held or being read at once so far (for tests of the bounds).</summary>
    internal long PeakBytesAhead { get; private set; }

    /// <summary>Stops the readers and returns every buffer to the pool.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            Monitor.PulseAll(_gate);
        }

        foreach (Thread reader in _readers)
        {
            reader.Join();
        }

        _lister?.Join(); // it stops at its next member

        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].Buffer is { } buffer)
            {
                _pool.Return(buffer);
            }

            _slots[i] = default;
        }
    }

    private IEnumerator<MemberSource> Take()
    {
        for (int i = 0; ; i++)
        {
            if (!WaitFor(i, out Slot slot))
            {
                ExceptionDispatchInfo? listingError;
                lock (_gate)
                {
                    listingError = _listingError;
                }

                listingError?.Throw();
                yield break;
            }

            try
            {
                if (slot.Error is { } error)
                {
                    ExceptionDispatchInfo.Throw(error);
                }

                yield return slot.Buffer is not null ? slot.Member!.WithBytes(slot.Buffer.AsMemory(0, slot.Length), slot.Status, slot.Digest)
                    : slot.Digest is { } digest ? slot.Member!.WithComputedDigest(digest)
                    : slot.Member!;
            }
            finally
            {
                // The writer is done with member i (or gave up): its buffer goes back and the readers may move on.
                Release(i, slot);
            }
        }
    }

    /// <summary>Waits until member <paramref name="index"/> is read; false when there is no such member (the list ended before it).</summary>
    private bool WaitFor(int index, out Slot read)
    {
        ref Slot slot = ref _slots[index % _slots.Length];
        var spin = default(SpinWait);
        while (Volatile.Read(ref slot.State) == 0)
        {
            if (!spin.NextSpinWillYield)
            {
                spin.SpinOnce();
                continue;
            }

            lock (_gate)
            {
                // Announced with a full fence: a reader that publishes this slot now sees it and wakes the writer.
                Interlocked.Exchange(ref _waitingFor, index);
                while (Volatile.Read(ref slot.State) == 0)
                {
                    ObjectDisposedException.ThrowIf(_stopped, this);
                    if (_complete && index >= Count)
                    {
                        Volatile.Write(ref _waitingFor, -1);
                        read = default;
                        return false;
                    }

                    Monitor.Wait(_gate);
                }

                Volatile.Write(ref _waitingFor, -1);
            }
        }

        read = slot;
        return true;
    }

    /// <summary>The lister thread: takes the members from the enumerable and hands them to the readers in batches.</summary>
    private void List(IEnumerable<MemberSource> members)
    {
        var batch = new List<MemberSource>(ListBatch);
        int size = 16;
        ExceptionDispatchInfo? error = null;
        try
        {
            foreach (MemberSource member in members)
            {
                if (Volatile.Read(ref _stopped))
                {
                    return;
                }

                batch.Add(member ?? throw new ArgumentException("The members include a null.", nameof(members)));
                if (batch.Count == size)
                {
                    Publish(batch, null, complete: false);
                    size = Math.Min(ListBatch, size * 2);
                }
            }
        }
        catch (Exception exception)
        {
            error = ExceptionDispatchInfo.Capture(exception);
        }

        Publish(batch, error, complete: true);
    }

    private void Publish(List<MemberSource> batch, ExceptionDispatchInfo? error, bool complete)
    {
        lock (_gate)
        {
            _listed!.AddRange(batch);
            _complete = complete;
            _listingError = error;
            // Readers that found nothing to take, and a writer that waits for the next member or the end.
            Monitor.PulseAll(_gate);
        }

        batch.Clear();
    }

    /// <summary>The members known so far (under the gate): all of a given list, or what the lister has handed over.</summary>
    private int Count => _given?.Count ?? _listed!.Count;

    /// <summary>Member <paramref name="index"/> (under the gate, below <see cref="Count"/>).</summary>
    private MemberSource Member(int index) => _given is not null ? _given[index] : _listed![index];

    private void Release(int index, Slot slot)
    {
        if (Volatile.Read(ref _stopped))
        {
            return; // Dispose returns what is left
        }

        // Without the gate unless a reader sleeps: the head and the bytes are published (with a full fence) before the
        // sleepers are counted, and a reader counts itself (with a full fence) before it checks the bounds again and
        // sleeps, so either it sees this release or this release sees it.
        _slots[index % _slots.Length] = default;
        Volatile.Write(ref _head, index + 1);
        Interlocked.Add(ref _bytesAhead, -slot.Reserved);
        if (Volatile.Read(ref _readersWaiting) > 0)
        {
            lock (_gate)
            {
                if (!_stopped && _slots.Length - (_next - _head) >= _wakeBatch && NextFits())
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }

        if (slot.Buffer is { } buffer)
        {
            _pool.Return(buffer);
        }
    }

    private void Read()
    {
        // A reader takes up to ClaimBatch members at a time under the gate, then reads them one after the other.
        long[] reserved = new long[ClaimBatch];
        bool[] readAhead = new bool[ClaimBatch];
        var members = new MemberSource[ClaimBatch];
        while (true)
        {
            int first;
            int claimed;
            lock (_gate)
            {
                while (true)
                {
                    if (_stopped || (_complete && _next >= Count))
                    {
                        return;
                    }

                    first = _next;
                    claimed = ClaimUnderGate(members, reserved, readAhead);
                    if (claimed > 0)
                    {
                        break;
                    }

                    Interlocked.Increment(ref _readersWaiting);
                    if (ClaimUnderGate(members, reserved, readAhead) is > 0 and int late)
                    {
                        // The writer released members between the two looks (and may not have seen this reader).
                        Interlocked.Decrement(ref _readersWaiting);
                        claimed = late;
                        break;
                    }

                    Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _readersWaiting);
                }
            }

            for (int k = 0; k < claimed; k++)
            {
                int index = first + k;
                ref Slot slot = ref _slots[index % _slots.Length];
                slot.Member = members[k];
                slot.Reserved = reserved[k];
                if (readAhead[k])
                {
                    try
                    {
                        Read(members[k], ref slot);
                    }
                    catch (Exception exception)
                    {
                        slot.Error = exception;
                    }
                }
                else if (reserved[k] > 0)
                {
                    StartKernelReadahead(members[k]);
                }
                else if (members[k] is { IsMemory: true, ComputedDigest: null } inMemory)
                {
                    slot.Digest = MemberDigest.Compute(inMemory.Memory.Span);
                }

                // Published with a full fence (Dispose returns the buffer of a slot published after it stopped the readers).
                Interlocked.Exchange(ref slot.State, 1);
            }

            // The writer is woken once per batch, not per member: it then finds the batch ready instead of sleeping and
            // waking for each file (on two cores, a wake-up per 4 KiB member cost more than the reads it waited for).
            // It announces its wait with a full fence before it looks at the slot, so a member published before that
            // is seen, and one published after it is in a batch that looks here.
            int waiting = Volatile.Read(ref _waitingFor);
            if (waiting >= first && waiting < first + claimed)
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>Takes the next members, as many as the bounds allow and at most <see cref="ClaimBatch"/> (under the gate).</summary>
    private int ClaimUnderGate(MemberSource[] members, long[] reserved, bool[] readAhead)
    {
        int claimed = 0;
        while (claimed < ClaimBatch && _next < Count)
        {
            MemberSource member = Member(_next);
            long bytes = Reservation(member);
            bool ahead = ReadsAhead(member);
            if (_next - Volatile.Read(ref _head) >= _slots.Length || Interlocked.Read(ref _bytesAhead) + bytes > _options.MaxBytes)
            {
                break;
            }

            members[claimed] = member;
            reserved[claimed] = bytes;
            readAhead[claimed] = ahead;
            claimed++;
            _next++;
            PeakBytesAhead = Math.Max(PeakBytesAhead, Interlocked.Add(ref _bytesAhead, bytes));
        }

        return claimed;
    }

    /// <summary>Whether the member readers would take next fits in the byte bound now (under the gate).</summary>
    private bool NextFits() =>
        _next >= Count || Interlocked.Read(ref _bytesAhead) + Reservation(Member(_next)) <= _options.MaxBytes;

    /// <summary>
    /// The bytes a member holds in the read-ahead's bound: its size when it is read ahead; when it is a larger file whose
    /// size is known, the part of it the kernel is asked to bring into the page cache ahead (at most the whole bound, so
    /// that it fits once nothing else is ahead); for a file whose size is not known yet, the most a member read ahead
    /// may hold, until its reader has measured it; nothing for a member that is not a file.
    /// </summary>
    private long Reservation(MemberSource member) =>
        member.FilePath is null ? 0
        : member.Size is not { } size ? _options.MaxMemberSize
        : size <= _options.MaxMemberSize ? size
        : Math.Min(size, _options.MaxBytes);

    /// <summary>Whether a reader opens the member: a file of a known size up to the largest read ahead, or of a size not known yet.</summary>
    private bool ReadsAhead(MemberSource member) =>
        member.FilePath is not null && (member.Size is not { } size || size <= _options.MaxMemberSize);

    /// <summary>
    /// A larger file passes to the writer as it is, which reads it straight into tape blocks; here the kernel is asked to
    /// bring it into the page cache first, so that the writer does not wait for the disk file after file. A file that
    /// cannot be opened now fails at its turn, in the writer.
    /// </summary>
    private static void StartKernelReadahead(MemberSource member)
    {
        try
        {
            using var file = IO.FileContentReader.Open(member.FilePath!);
            _ = file.StartKernelReadahead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a hint.
        }
    }

    /// <summary>
    /// Reads a file member into <paramref name="slot"/>. One whose size was not given is measured on the open file first
    /// (<c>statx</c>, which also gives the metadata a member that <see cref="MemberSource.TakesFileMetadata"/> carries):
    /// its reservation shrinks from the provisional most to its size, or, when it is larger than
    /// <see cref="ReadAheadOptions.MaxMemberSize"/>, it is left to the writer and only announced to the kernel.
    /// </summary>
    private void Read(MemberSource member, ref Slot slot)
    {
        using var file = IO.FileContentReader.Open(member.FilePath!);
        if (member.Size is { } given)
        {
            slot.Buffer = ReadFile(member, file, (int)given);
            slot.Length = (int)given;
            slot.Digest = MemberDigest.Compute(slot.Buffer.AsSpan(0, slot.Length));
            return;
        }

        IO.FileNodeStatus status = file.Status();
        member.RequireRegularFile(status);

        if (status.Size > _options.MaxMemberSize)
        {
            // The provisional reservation stays: it bounds how much the kernel is asked for at once, as for a known size.
            _ = file.StartKernelReadahead();
            return;
        }

        int size = (int)status.Size;
        Interlocked.Add(ref _bytesAhead, size - slot.Reserved);
        slot.Reserved = size;
        slot.Buffer = ReadFile(member, file, size);
        slot.Length = size;
        slot.Status = status;
        slot.Digest = MemberDigest.Compute(slot.Buffer.AsSpan(0, size));
    }

    private byte[] ReadFile(MemberSource member, in IO.FileContentReader file, int size)
    {
        // One byte more than announced is asked for: a file that grew shows it in the same read, and a read that stops
        // short of what was asked stops at the file's end, so the usual member costs one read and no probe.
        byte[] buffer = _pool.Rent(size + 1);
        try
        {
            int total = 0;
            while (total <= size)
            {
                int asked = size + 1 - total;
                int n = file.ReadAt(buffer.AsSpan(total, asked), total);
                if (n == 0)
                {
                    break;
                }

                total += n;
                if (n < asked && total == size)
                {
                    break; // Stopped short of the extra byte, at the announced end: the file's end.
                }
            }

            if (total < size)
            {
                throw new IOException($"Member \"{member.Name}\" changed before it was written (it ended after {total} of {size} bytes); nothing of it was written.");
            }

            if (total > size)
            {
                throw new IOException($"Member \"{member.Name}\" changed before it was written (it has more than {size} bytes); nothing of it was written.");
            }

            return buffer;
        }
        catch
        {
            _pool.Return(buffer);
            throw;
        }
    }

    private struct Slot
    {
        public int State; // 1: read (or failed), for the writer to take
        public MemberSource? Member;
        public byte[]? Buffer;
        public int Length;
        public long Reserved;
        public IO.FileNodeStatus? Status; // the file's, when a reader measured it
        public MemberDigest? Digest;      // of the bytes read, or of a member in memory: computed by the reader
        public Exception? Error;
    }
}

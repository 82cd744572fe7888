using System.Buffers;
using Microsoft.Win32.SafeHandles;
using TapeKit.Checksums;

namespace TapeKit.Devices.Virtual.Format;

/// <summary>
/// A virtual cartridge directory opened for use (docs/devices/virtual-cartridge.md): the <c>header</c>,
/// <c>index</c> and <c>data</c> files, the advisory lock, and the in-memory object list rebuilt at
/// load. Implements the operations A (append), T (truncate), C (commit), R (recovery) and P (power
/// loss) of docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes byte for byte as the C implementation does. Not thread-safe; one drive owns it.
/// </summary>
internal sealed class CartridgeStore : IDisposable
{
    public const string HeaderFile = "header";
    public const string IndexFile = "index";
    public const string DataFile = "data";
    public const string LockFile = "lock";

    /// <summary>The data written between two hints to the kernel (see <see cref="StreamOut"/>).</summary>
    private const long StreamChunk = 8 << 20;

    /// <summary>The data asked for ahead of the reads at a time (see <see cref="ReadAhead"/>).</summary>
    private const long ReadAheadChunk = 16 << 20;

    private readonly FileStream _lock;
    private readonly SafeFileHandle _header;
    private readonly SafeFileHandle _index;
    private readonly SafeFileHandle _data;
    private readonly List<ObjectRecord> _records = [];
    private readonly List<long> _filemarks = [];
    private long _dataLength;
    private long _tapeLength;
    private readonly string _dataPath;
    private bool _uncached;      // the last block was written uncached: the kernel drops it from the page cache itself
    private long _readAheadFrom; // the reads ahead started here...
    private long _readAheadTo;   // ...and have asked the kernel for the data up to here
    private long _dropFrom;      // data before this is no longer asked to stay in the page cache
    private long _writebackFrom; // data before this has been handed to the kernel's write-back
    private bool _disposed;

    private CartridgeStore(string directory, CartridgeHeader header, CartridgeDurability durability, FileStream lockStream, SafeFileHandle h, SafeFileHandle i, SafeFileHandle d)
    {
        Directory = directory;
        Header = header;
        Durability = durability;
        _lock = lockStream;
        _header = h;
        _index = i;
        _data = d;
        _dataPath = Path.Combine(directory, DataFile);
    }

    /// <summary>The cartridge directory.</summary>
    public string Directory { get; }

    /// <summary>Block 0 as loaded.</summary>
    public CartridgeHeader Header { get; }

    /// <summary>Whether sync points <c>fdatasync</c>.</summary>
    public CartridgeDurability Durability { get; }

    /// <summary>The current commit.</summary>
    public CommitRecord Commit { get; private set; }

    /// <summary>A minor version newer than this code: load read-only (docs/devices/virtual-cartridge.md#versions).</summary>
    public bool ReadOnlyVersion => Header.MinorVersion > CartridgeHeader.CurrentMinorVersion;

    /// <summary>The number of objects (= end of data).</summary>
    public long Count => _records.Count;

    /// <summary>Tape bytes used by all objects: <c>off(EOD)</c>.</summary>
    public long TapeLength => _tapeLength;

    /// <summary>Bytes in <c>data</c>.</summary>
    public long DataLength => _dataLength;

    /// <summary>Whether objects exist that the current commit does not cover.</summary>
    public bool HasUncommitted => Count != Commit.ObjectCount || _dataLength != Commit.DataLength;

    /// <summary>The record of object <paramref name="id"/>.</summary>
    public ObjectRecord this[long id] => _records[checked((int)id)];

    /// <summary>The number of filemarks before object <paramref name="id"/> (its file number).</summary>
    public int FilemarksBefore(long id)
    {
        int i = _filemarks.BinarySearch(id);
        return i >= 0 ? i : ~i;
    }

    /// <summary>The position of the <paramref name="n"/>-th filemark (0-based), in object order.</summary>
    public long FilemarkAt(int n) => _filemarks[n];

    /// <summary>The total number of filemarks.</summary>
    public int FilemarkCount => _filemarks.Count;

    /// <summary><c>off(id)</c> for 0 ≤ id ≤ EOD.</summary>
    public long TapeOffset(long id) => id >= Count ? _tapeLength : _records[(int)id].TapeOffset;

    /// <summary>Creates a new, blank cartridge directory (slot A = sequence 1, all counts 0).</summary>
    public static void Create(string directory, CartridgeHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (!CartridgeHeader.IsValidVsn(header.Vsn))
        {
            throw new ArgumentException($"The VSN \"{header.Vsn}\" is not 1 to 16 characters A-Z, 0-9.", nameof(header));
        }

        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new IOException($"Cannot create a cartridge in {directory}: the directory exists and is not empty.");
        }

        System.IO.Directory.CreateDirectory(directory);
        byte[] block = new byte[CartridgeHeader.HeaderFileLength];
        header.WriteTo(block);
        new CommitRecord(1, 0, 0, 0, 0).WriteTo(block.AsSpan(4096));
        using (var h = File.OpenHandle(Path.Combine(directory, HeaderFile), FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(h, block, 0);
            RandomAccess.FlushToDisk(h);
        }

        File.WriteAllBytes(Path.Combine(directory, IndexFile), []);
        File.WriteAllBytes(Path.Combine(directory, DataFile), []);
        File.WriteAllBytes(Path.Combine(directory, LockFile), []);
    }

    /// <summary>Reads block 0 of a cartridge without loading it.</summary>
    public static CartridgeHeader ReadHeader(string directory)
    {
        byte[] block = new byte[CartridgeHeader.BlockLength];
        using var h = File.OpenHandle(Path.Combine(directory, HeaderFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int n = RandomAccess.Read(h, block, 0);
        return CartridgeHeader.Parse(block.AsSpan(0, n));
    }

    /// <summary>
    /// Rewrites block 0 with the write-protect tab set or cleared; the cartridge must not be loaded
    /// anywhere (the lock is taken for the change).
    /// </summary>
    public static void SetWriteProtect(string directory, bool on)
    {
        using var lockStream = TakeLock(directory);
        var header = ReadHeader(directory) with { WriteProtected = on };
        byte[] block = new byte[CartridgeHeader.BlockLength];
        header.WriteTo(block);
        using var h = File.OpenHandle(Path.Combine(directory, HeaderFile), FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.Write(h, block, 0);
        RandomAccess.FlushToDisk(h);
    }

    /// <summary>
    /// Loads a cartridge: takes the lock (docs/devices/virtual-cartridge.md#locking), verifies block 0, chooses the current commit and
    /// performs recovery R (docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes): an uncommitted tail is truncated away; a short file or a bad
    /// committed record makes the cartridge damaged (<see cref="TapeFormatException"/>).
    /// </summary>
    /// <exception cref="CartridgeLockedException">Another drive or process holds the cartridge.</exception>
    public static CartridgeStore Open(string directory, CartridgeDurability durability)
    {
        FileStream lockStream = TakeLock(directory);
        SafeFileHandle? h = null, i = null, d = null;
        try
        {
            h = File.OpenHandle(Path.Combine(directory, HeaderFile), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            i = File.OpenHandle(Path.Combine(directory, IndexFile), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            d = File.OpenHandle(Path.Combine(directory, DataFile), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            byte[] block = new byte[CartridgeHeader.HeaderFileLength];
            int n = RandomAccess.Read(h, block, 0);
            if (n < CartridgeHeader.HeaderFileLength)
            {
                throw new TapeFormatException($"Cartridge {directory}: the header file has {n} bytes, not 12288.", "cartridge header", null, n, 0, "");
            }

            var header = CartridgeHeader.Parse(block);
            var store = new CartridgeStore(directory, header, durability, lockStream, h, i, d) { TabOnDisk = header.WriteProtected };
            store.Recover(block);
            return store;
        }
        catch
        {
            h?.Dispose();
            i?.Dispose();
            d?.Dispose();
            lockStream.Dispose();
            throw;
        }
    }

    /// <summary>The write-protect tab as it is in block 0 now (changes take effect at the next load).</summary>
    public bool TabOnDisk { get; private set; }

    /// <summary>Rewrites block 0 of this loaded cartridge with the tab set or cleared (fault <c>write-protect</c>, docs/devices/virtual-cartridge.md#faults).</summary>
    public void SetWriteProtectTab(bool on)
    {
        Span<byte> block = stackalloc byte[CartridgeHeader.BlockLength];
        (Header with { WriteProtected = on }).WriteTo(block);
        RandomAccess.Write(_header, block, 0);
        if (Durability == CartridgeDurability.Full)
        {
            RandomAccess.FlushToDisk(_header);
        }

        TabOnDisk = on;
    }

    /// <summary>Reads the stored payload of data block <paramref name="id"/>; false when its CRC does not match (a media error, T27).</summary>
    public bool ReadPayload(long id, Span<byte> destination)
    {
        var record = this[id];
        var target = destination[..(int)record.Length];
        if (record.Synthetic)
        {
            SplitMix64.FillSynthetic(Header.SyntheticSeed, id, target);
            return true;
        }

        ReadAhead(record.DataOffset, target.Length);
        int total = 0;
        while (total < target.Length)
        {
            int n = RandomAccess.Read(_data, target[total..], record.DataOffset + total);
            if (n <= 0)
            {
                return false;
            }

            total += n;
        }

        return Crc32C.Compute(target) == record.PayloadCrc;
    }

    /// <summary>
    /// Keeps the data after the block being read coming from the disk ahead of the reads, as a drive fills its buffer
    /// while the host takes blocks: <see cref="ReadAheadChunk"/> bytes at a time, the next asked for when the reads are
    /// a chunk from the end of what was asked for; a read elsewhere (after a locate) starts again there. The written
    /// data is not kept in the page cache (<see cref="StreamOut"/>), so without this every block waited for the disk.
    /// </summary>
    private void ReadAhead(long offset, int length)
    {
        if (offset < _readAheadFrom || offset > _readAheadTo)
        {
            _readAheadFrom = offset;
            _readAheadTo = offset + (2 * ReadAheadChunk);
            _ = IO.FileReadahead.Start(_data, offset, 2 * ReadAheadChunk);
        }
        else if (offset + length > _readAheadTo - ReadAheadChunk)
        {
            _ = IO.FileReadahead.Start(_data, _readAheadTo, ReadAheadChunk);
            _readAheadTo += ReadAheadChunk;
        }
    }

    /// <summary>
    /// The silent-corruption fault (docs/devices/virtual-cartridge.md#silent-corruption): changes 1 to 8 bytes of the stored
    /// payload of committed data block <paramref name="id"/> and re-seals its record with the new bytes' CRC, so the drive
    /// reads them back without an error. False when the object is a tape mark, a synthetic block, not committed, or
    /// already unreadable.
    /// </summary>
    public bool CorruptPayload(long id, Random random)
    {
        if (id < 0 || id >= Commit.ObjectCount || this[id] is not { IsFilemark: false, Synthetic: false } record)
        {
            return false;
        }

        byte[] payload = new byte[record.Length];
        if (!ReadPayload(id, payload))
        {
            return false;
        }

        int at = random.Next(payload.Length);
        for (int n = 1 + random.Next(8), i = 0; i < n && at + i < payload.Length; i++)
        {
            payload[at + i] ^= (byte)(1 + random.Next(255));
        }

        ObjectRecord resealed = record with { PayloadCrc = Crc32C.Compute(payload) };
        Span<byte> bytes = stackalloc byte[ObjectRecord.Size];
        resealed.WriteTo(bytes);
        RandomAccess.Write(_data, payload, record.DataOffset);
        RandomAccess.Write(_index, bytes, id * ObjectRecord.Size);
        RandomAccess.FlushToDisk(_data);
        RandomAccess.FlushToDisk(_index);
        _records[checked((int)id)] = resealed;
        return true;
    }

    /// <summary>Step T: truncates to <paramref name="p"/> objects, writing a commit first when committed objects go.</summary>
    public void Truncate(long p)
    {
        if (p >= Count)
        {
            return;
        }

        long dataOffset = _records[(int)p].DataOffset;
        long tapeOffset = _records[(int)p].TapeOffset;
        int fm = FilemarksBefore(p);
        if (p < Commit.ObjectCount)
        {
            WriteCommit(new CommitRecord(Commit.Sequence + 1, p, dataOffset, tapeOffset, fm));
        }

        _records.RemoveRange((int)p, _records.Count - (int)p);
        _filemarks.RemoveRange(fm, _filemarks.Count - fm);
        _dataLength = dataOffset;
        _tapeLength = tapeOffset;
        RandomAccess.SetLength(_index, p * ObjectRecord.Size);
        RandomAccess.SetLength(_data, dataOffset);
    }

    /// <summary>Step A: appends a data block at end of data.</summary>
    public void AppendBlock(ReadOnlySpan<byte> payload)
    {
        bool synthetic = Header.Synthetic;
        uint crc = 0;
        if (!synthetic)
        {
            crc = Crc32C.Compute(payload);
            _uncached = IO.UncachedWrite.WriteAll(_data, _dataPath, payload, _dataLength);
        }

        var record = new ObjectRecord(false, synthetic, (uint)payload.Length, _tapeLength, _dataLength, crc);
        AppendRecord(record);
        if (!synthetic)
        {
            _dataLength += payload.Length;
            StreamOut();
        }

        _tapeLength += payload.Length;
    }

    /// <summary>
    /// A cartridge's data is read back rarely (a recall, a verify), so it should not fill the host's memory as it is
    /// written: gigabytes of it pushed out the files a disk cache serves, and on a virtual machine every page the cache
    /// grew into cost a fault of the hypervisor (the copy into the cache took the tape thread a third of the
    /// SmallFilesCache demo's processor time). Blocks are written uncached where the kernel can
    /// (<see cref="IO.UncachedWrite"/>); elsewhere, every <see cref="StreamChunk"/> bytes the kernel is asked to start
    /// writing them to disk and to drop the chunk before, started one chunk ago. Only hints: nothing is promised durable
    /// here (that is <see cref="Sync"/>), and a page not yet on disk stays.
    /// </summary>
    private void StreamOut()
    {
        if (_uncached)
        {
            return;
        }

        if (_writebackFrom > _dataLength)
        {
            _writebackFrom = _dropFrom = _dataLength; // rewritten from an earlier point (an overwrite)
        }

        if (_dataLength - _writebackFrom < StreamChunk)
        {
            return;
        }

        _ = IO.FileWriteback.Drop(_data, _dropFrom, _writebackFrom - _dropFrom);
        _ = IO.FileWriteback.Start(_data, _writebackFrom, _dataLength - _writebackFrom);
        _dropFrom = _writebackFrom;
        _writebackFrom = _dataLength;
    }

    /// <summary>Step A for a filemark.</summary>
    public void AppendFilemark()
    {
        _filemarks.Add(Count);
        AppendRecord(new ObjectRecord(true, false, 0, _tapeLength, _dataLength, 0));
        _tapeLength += Header.FilemarkFootprint;
    }

    /// <summary>Step C: a sync point. Writes nothing when nothing changed since the current commit.</summary>
    public void Sync()
    {
        if (!HasUncommitted)
        {
            return;
        }

        if (Durability == CartridgeDurability.Full)
        {
            RandomAccess.FlushToDisk(_data);
            RandomAccess.FlushToDisk(_index);
        }

        WriteCommit(new CommitRecord(Commit.Sequence + 1, Count, _dataLength, _tapeLength, _filemarks.Count));
    }

    /// <summary>Step P: a power loss drops every uncommitted object (recovery R in place).</summary>
    public void DropUncommitted()
    {
        long keep = Commit.ObjectCount;
        if (keep < Count)
        {
            int fm = FilemarksBefore(keep);
            _records.RemoveRange((int)keep, _records.Count - (int)keep);
            _filemarks.RemoveRange(fm, _filemarks.Count - fm);
        }

        _dataLength = Commit.DataLength;
        _tapeLength = Commit.TapeLength;
        RandomAccess.SetLength(_index, keep * ObjectRecord.Size);
        RandomAccess.SetLength(_data, _dataLength);
    }

    /// <summary>Releases the files and the lock without a sync point (the owner decides whether to sync first).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _header.Dispose();
        _index.Dispose();
        _data.Dispose();
        _lock.Dispose();
    }

    internal static FileStream TakeLock(string directory)
    {
        string path = Path.Combine(directory, LockFile);
        if (!File.Exists(Path.Combine(directory, HeaderFile)))
        {
            throw new FileNotFoundException($"{directory} is not a virtual cartridge: it has no header file.", Path.Combine(directory, HeaderFile));
        }

        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new CartridgeLockedException($"The cartridge {directory} is in use by another drive or process.", e);
        }
    }

    private void AppendRecord(ObjectRecord record)
    {
        Span<byte> bytes = stackalloc byte[ObjectRecord.Size];
        record.WriteTo(bytes);
        RandomAccess.Write(_index, bytes, Count * ObjectRecord.Size);
        _records.Add(record);
    }

    private void WriteCommit(CommitRecord commit)
    {
        Span<byte> slot = stackalloc byte[CommitRecord.Length];
        commit.WriteTo(slot);
        RandomAccess.Write(_header, slot, CommitRecord.SlotOffset(commit.Sequence));
        if (Durability == CartridgeDurability.Full)
        {
            RandomAccess.FlushToDisk(_header);
        }

        Commit = commit;
    }

    private void Recover(ReadOnlySpan<byte> headerFile)
    {
        var a = CommitRecord.TryParse(headerFile.Slice(4096, CommitRecord.Length));
        var b = CommitRecord.TryParse(headerFile.Slice(8192, CommitRecord.Length));
        if (a is { } ca && (ca.Sequence & 1) == 0)
        {
            a = null;
        }

        if (b is { } cb && (cb.Sequence & 1) == 1)
        {
            b = null;
        }

        CommitRecord commit = (a, b) switch
        {
            (null, null) => throw new TapeFormatException($"Cartridge {Directory} is damaged: neither commit slot is valid.", "cartridge header", "commit", 4096, 8192, ""),
            ({ } x, null) => x,
            (null, { } y) => y,
            ({ } x, { } y) => x.Sequence > y.Sequence ? x : y,
        };
        Commit = commit;

        long indexLength = RandomAccess.GetLength(_index);
        long dataLength = RandomAccess.GetLength(_data);
        if (indexLength < commit.ObjectCount * ObjectRecord.Size || dataLength < commit.DataLength)
        {
            throw new TapeFormatException(
                $"Cartridge {Directory} is damaged: the commit covers {commit.ObjectCount} objects and {commit.DataLength} data bytes, but the index has {indexLength / ObjectRecord.Size} records and data {dataLength} bytes.",
                "cartridge index", "objectCount", 4096, 8, "");
        }

        if (commit.ObjectCount > int.MaxValue)
        {
            throw new TapeFormatException($"Cartridge {Directory} has {commit.ObjectCount} objects, more than 2^31 - 1.", "cartridge header", "objectCount", 4096, 8, "");
        }

        if (indexLength > commit.ObjectCount * ObjectRecord.Size)
        {
            RandomAccess.SetLength(_index, commit.ObjectCount * ObjectRecord.Size);
        }

        if (dataLength > commit.DataLength)
        {
            RandomAccess.SetLength(_data, commit.DataLength);
        }

        LoadRecords(commit);
    }

    private void LoadRecords(CommitRecord commit)
    {
        const int Chunk = 2048;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk * ObjectRecord.Size);
        try
        {
            long tape = 0, data = 0;
            _records.Capacity = (int)commit.ObjectCount;
            for (long start = 0; start < commit.ObjectCount; start += Chunk)
            {
                int count = (int)Math.Min(Chunk, commit.ObjectCount - start);
                int bytes = count * ObjectRecord.Size;
                int read = 0;
                while (read < bytes)
                {
                    int n = RandomAccess.Read(_index, buffer.AsSpan(read, bytes - read), (start * ObjectRecord.Size) + read);
                    if (n <= 0)
                    {
                        throw ObjectRecord.Bad(start + (read / ObjectRecord.Size), "length", 0, 0, "the index file ends early", default);
                    }

                    read += n;
                }

                for (int k = 0; k < count; k++)
                {
                    long id = start + k;
                    var span = buffer.AsSpan(k * ObjectRecord.Size, ObjectRecord.Size);
                    var record = ObjectRecord.Parse(span, id);
                    if (record.TapeOffset != tape)
                    {
                        throw ObjectRecord.Bad(id, "tapeOffset", 8, 8, $"its tape offset is {record.TapeOffset}, expected {tape}", span);
                    }

                    if (record.DataOffset != data)
                    {
                        throw ObjectRecord.Bad(id, "dataOffset", 16, 8, $"its data offset is {record.DataOffset}, expected {data}", span);
                    }

                    if (record.Synthetic != (Header.Synthetic && !record.IsFilemark))
                    {
                        throw ObjectRecord.Bad(id, "flags", 1, 1, "its synthetic flag does not match the cartridge's", span);
                    }

                    if (record.IsFilemark)
                    {
                        _filemarks.Add(id);
                        tape += Header.FilemarkFootprint;
                    }
                    else
                    {
                        tape += record.Length;
                        if (!record.Synthetic)
                        {
                            data += record.Length;
                        }
                    }

                    _records.Add(record);
                }
            }

            if (tape != commit.TapeLength || data != commit.DataLength || _filemarks.Count != commit.FilemarkCount)
            {
                throw new TapeFormatException(
                    $"Cartridge {Directory} is damaged: the objects add up to {tape} tape bytes, {data} data bytes and {_filemarks.Count} filemarks, but the commit says {commit.TapeLength}, {commit.DataLength} and {commit.FilemarkCount}.",
                    "cartridge header", "commit", CommitRecord.SlotOffset(commit.Sequence), CommitRecord.Length, "");
            }

            _tapeLength = tape;
            _dataLength = data;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>The cartridge's lock is held by another drive or process (docs/devices/virtual-cartridge.md#locking).</summary>
internal sealed class CartridgeLockedException(string message, Exception inner) : IOException(message, inner);

using TapeKit.Devices;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// A drive handle that tells its <see cref="DriveRecorder"/> of every call reaching it (below a worker's guard), with
/// the calling thread, before the call reaches the drive.
/// </summary>
public sealed class RecordingTapeDrive(ITapeDrive inner, DriveRecorder recorder) : ITapeDrive
{
    public string DeviceName => inner.DeviceName;

    public TapeDriveCapabilities Capabilities => inner.Capabilities;

    public TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block)
    {
        Record(nameof(WriteBlock), block.Length);
        return inner.WriteBlock(block);
    }

    public TapeWriteStatus WriteFilemarks(int count, bool immediate = false)
    {
        Record(nameof(WriteFilemarks));
        return inner.WriteFilemarks(count, immediate);
    }

    public void Synchronize()
    {
        Record(nameof(Synchronize));
        inner.Synchronize();
    }

    public TapeReadResult ReadBlock(Span<byte> buffer)
    {
        Record(nameof(ReadBlock), buffer.Length);
        return inner.ReadBlock(buffer);
    }

    public void SpaceFilemarks(int count)
    {
        Record(nameof(SpaceFilemarks));
        inner.SpaceFilemarks(count);
    }

    public void SpaceBlocks(int count)
    {
        Record(nameof(SpaceBlocks));
        inner.SpaceBlocks(count);
    }

    public void MoveToStartOfFile(int filesBack = 1)
    {
        Record(nameof(MoveToStartOfFile));
        inner.MoveToStartOfFile(filesBack);
    }

    public void MoveToEndOfFile(int filesForward = 1)
    {
        Record(nameof(MoveToEndOfFile));
        inner.MoveToEndOfFile(filesForward);
    }

    public void SeekEndOfData()
    {
        Record(nameof(SeekEndOfData));
        inner.SeekEndOfData();
    }

    public void Rewind()
    {
        Record(nameof(Rewind));
        inner.Rewind();
    }

    public void Locate(long logicalObjectId)
    {
        Record(nameof(Locate));
        inner.Locate(logicalObjectId);
    }

    public long ReadPosition()
    {
        Record(nameof(ReadPosition));
        return inner.ReadPosition();
    }

    public void Load()
    {
        Record(nameof(Load));
        inner.Load();
    }

    public void Unload()
    {
        Record(nameof(Unload));
        inner.Unload();
    }

    public TapeStatus GetStatus()
    {
        Record(nameof(GetStatus));
        return inner.GetStatus();
    }

    public void SetBlockSize(int bytes)
    {
        Record(nameof(SetBlockSize));
        inner.SetBlockSize(bytes);
    }

    public void Erase(bool longErase = false)
    {
        Record(nameof(Erase));
        inner.Erase(longErase);
    }

    public void SetCompression(bool enabled)
    {
        Record(nameof(SetCompression));
        inner.SetCompression(enabled);
    }

    public void Dispose()
    {
        Record(nameof(Dispose));
        inner.Dispose();
    }

    private void Record(string operation, int length = 0)
    {
        Thread thread = Thread.CurrentThread;
        recorder.Record(new DriveCall(inner.DeviceName, operation, thread.ManagedThreadId, thread.Name, thread.IsThreadPoolThread, length));
    }
}

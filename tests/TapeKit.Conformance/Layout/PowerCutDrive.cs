using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Layout;

/// <summary>A drive handle that cuts the power of its virtual drive just before its (K+1)-th call.</summary>
internal sealed class PowerCutDrive(ITapeDrive inner, VirtualTapeDrive drive, int cutBefore) : ITapeDrive
{
    private int _calls;

    public bool Cut { get; private set; }

    public string DeviceName => inner.DeviceName;

    public TapeDriveCapabilities Capabilities => inner.Capabilities;

    public TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block)
    {
        Tick();
        return inner.WriteBlock(block);
    }

    public TapeWriteStatus WriteFilemarks(int count, bool immediate = false) => Call(() => inner.WriteFilemarks(count, immediate));

    public void Synchronize() => Call(inner.Synchronize);

    public TapeReadResult ReadBlock(Span<byte> buffer)
    {
        Tick();
        return inner.ReadBlock(buffer);
    }

    public void SpaceFilemarks(int count) => Call(() => inner.SpaceFilemarks(count));

    public void SpaceBlocks(int count) => Call(() => inner.SpaceBlocks(count));

    public void MoveToStartOfFile(int filesBack = 1) => Call(() => inner.MoveToStartOfFile(filesBack));

    public void MoveToEndOfFile(int filesForward = 1) => Call(() => inner.MoveToEndOfFile(filesForward));

    public void SeekEndOfData() => Call(inner.SeekEndOfData);

    public void Rewind() => Call(inner.Rewind);

    public void Locate(long logicalObjectId) => Call(() => inner.Locate(logicalObjectId));

    public long ReadPosition() => Call(inner.ReadPosition);

    public void Load() => Call(inner.Load);

    public void Unload() => Call(inner.Unload);

    public TapeStatus GetStatus() => Call(inner.GetStatus);

    public void SetBlockSize(int bytes) => Call(() => inner.SetBlockSize(bytes));

    public void Erase(bool longErase = false) => Call(() => inner.Erase(longErase));

    public void SetCompression(bool enabled) => Call(() => inner.SetCompression(enabled));

    public void Dispose() => inner.Dispose();

    private void Call(Action action)
    {
        Tick();
        action();
    }

    private T Call<T>(Func<T> action)
    {
        Tick();
        return action();
    }

    private void Tick()
    {
        if (!Cut && _calls++ == cutBefore)
        {
            Cut = true;
            drive.PowerLoss();
        }
    }
}

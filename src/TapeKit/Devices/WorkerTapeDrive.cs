namespace TapeKit.Devices;

/// <summary>
/// The drive as a <see cref="TapeDriveWorker"/>'s commands see it: every call first checks that it is made by the
/// command now running, on the thread running it, and that the command's cancellation token is not cancelled. So a
/// cancelled command stops before its next st call (between blocks, records, marks), and a reference to the drive kept
/// past its command (an <c>AulVolume</c>, an append session) cannot be used from another thread.
/// </summary>
internal sealed class WorkerTapeDrive(ITapeDrive drive) : ITapeDrive
{
    private int _thread;
    private CancellationToken _token;

    public string DeviceName => drive.DeviceName;

    public TapeDriveCapabilities Capabilities => drive.Capabilities;

    /// <summary>Lets the current thread call the drive for one command.</summary>
    public void Enter(CancellationToken token)
    {
        _token = token;
        Volatile.Write(ref _thread, Environment.CurrentManagedThreadId);
    }

    /// <summary>Ends the command: further calls fail until the next one enters.</summary>
    public void Exit()
    {
        Volatile.Write(ref _thread, 0);
        _token = CancellationToken.None;
    }

    public TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block)
    {
        Check();
        return drive.WriteBlock(block);
    }

    public TapeWriteStatus WriteFilemarks(int count, bool immediate = false)
    {
        Check();
        return drive.WriteFilemarks(count, immediate);
    }

    public void Synchronize()
    {
        Check();
        drive.Synchronize();
    }

    public TapeReadResult ReadBlock(Span<byte> buffer)
    {
        Check();
        return drive.ReadBlock(buffer);
    }

    public void SpaceFilemarks(int count)
    {
        Check();
        drive.SpaceFilemarks(count);
    }

    public void SpaceBlocks(int count)
    {
        Check();
        drive.SpaceBlocks(count);
    }

    public void MoveToStartOfFile(int filesBack = 1)
    {
        Check();
        drive.MoveToStartOfFile(filesBack);
    }

    public void MoveToEndOfFile(int filesForward = 1)
    {
        Check();
        drive.MoveToEndOfFile(filesForward);
    }

    public void SeekEndOfData()
    {
        Check();
        drive.SeekEndOfData();
    }

    public void Rewind()
    {
        Check();
        drive.Rewind();
    }

    public void Locate(long logicalObjectId)
    {
        Check();
        drive.Locate(logicalObjectId);
    }

    public long ReadPosition()
    {
        Check();
        return drive.ReadPosition();
    }

    public void Load()
    {
        Check();
        drive.Load();
    }

    public void Unload()
    {
        Check();
        drive.Unload();
    }

    public TapeStatus GetStatus()
    {
        Check();
        return drive.GetStatus();
    }

    public void SetBlockSize(int bytes)
    {
        Check();
        drive.SetBlockSize(bytes);
    }

    public void Erase(bool longErase = false)
    {
        Check();
        drive.Erase(longErase);
    }

    public void SetCompression(bool enabled)
    {
        Check();
        drive.SetCompression(enabled);
    }

    /// <summary>Closing is never refused for cancellation: a command that closes the drive always closes it.</summary>
    public void Dispose()
    {
        CheckThread();
        drive.Dispose();
    }

    private void Check()
    {
        CheckThread();
        _token.ThrowIfCancellationRequested();
    }

    private void CheckThread()
    {
        if (Volatile.Read(ref _thread) != Environment.CurrentManagedThreadId)
        {
            ThrowOutsideCommand();
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowOutsideCommand() =>
        throw new InvalidOperationException($"Drive {drive.DeviceName} was called outside a command of its worker: every call goes through TapeDriveWorker.InvokeAsync and runs on the drive's thread.");
}

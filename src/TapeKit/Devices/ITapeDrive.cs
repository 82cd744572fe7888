namespace TapeKit.Devices;

/// <summary>
/// One open handle on a tape drive (one st descriptor): synchronous, blocking calls that each map to
/// a small, documented set of st system calls (docs/devices/st-driver.md). Calls are made from one
/// dedicated thread per drive (see <see cref="TapeDriveWorker"/>); instances are not thread-safe.
/// </summary>
/// <remarks>
/// <see cref="IDisposable.Dispose"/> is <c>close(2)</c>, checked: a failure of the filemark that st
/// writes at close (T12) is thrown as a <see cref="TapeDriveException"/> after the descriptor has
/// been released (docs/devices/st-driver.md#errors).
/// </remarks>
public interface ITapeDrive : IDisposable
{
    /// <summary>The device this handle is open on, e.g. <c>/dev/nst0</c> or <c>vtl0/drive1</c>.</summary>
    string DeviceName { get; }

    /// <summary>What the drive and its driver allow, as learnt at open (docs/devices/st-driver.md#device-nodes-and-opening).</summary>
    TapeDriveCapabilities Capabilities { get; }

    /// <summary>Writes exactly <paramref name="block"/> as one tape block (<c>write(2)</c>); nothing is split, merged or padded.</summary>
    /// <param name="block">The block, 1 … <see cref="TapeDriveCapabilities.MaxBlockLength"/> bytes.</param>
    /// <returns>Whether the block was written before or after early warning (docs/devices/st-driver.md#errors).</returns>
    TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block);

    /// <summary>Writes <paramref name="count"/> filemarks: synchronising (<c>MTWEOF</c>) or buffered (<c>MTWEOFI</c>).</summary>
    /// <param name="count">How many filemarks, at least 1.</param>
    /// <param name="immediate">Buffered (immediate) filemarks, which are not a sync point.</param>
    /// <returns>Whether the handle is past early warning.</returns>
    TapeWriteStatus WriteFilemarks(int count, bool immediate = false);

    /// <summary>Makes everything written so far durable (<c>MTWEOF 0</c>); st then reports block number 0 (P11).</summary>
    void Synchronize();

    /// <summary>Reads the next object into <paramref name="buffer"/> (<c>read(2)</c>).</summary>
    /// <param name="buffer">A non-empty buffer; a block larger than it fails with <see cref="TapeErrorKind.BlockTooLarge"/>.</param>
    /// <returns>A data block, a filemark, or end of data.</returns>
    TapeReadResult ReadBlock(Span<byte> buffer);

    /// <summary>Spaces over filemarks: forward (<c>MTFSF</c>, lands after the mark) or backward (<c>MTBSF</c>, lands before it).</summary>
    /// <param name="count">1 ≤ |count| ≤ 0x7FFFFF; the sign gives the direction.</param>
    void SpaceFilemarks(int count);

    /// <summary>Spaces over blocks: forward (<c>MTFSR</c>) or backward (<c>MTBSR</c>).</summary>
    /// <param name="count">1 ≤ |count| ≤ 0x7FFFFF; the sign gives the direction.</param>
    void SpaceBlocks(int count);

    /// <summary>Moves to the start of a file (<c>MTBSFM</c>); 1 = the start of the current file.</summary>
    /// <param name="filesBack">1 … 0x7FFFFF.</param>
    void MoveToStartOfFile(int filesBack = 1);

    /// <summary>Moves to the end of a file, before its filemark (<c>MTFSFM</c>); 1 = the end of the current file.</summary>
    /// <param name="filesForward">1 … 0x7FFFFF.</param>
    void MoveToEndOfFile(int filesForward = 1);

    /// <summary>Moves to end of data (<c>MTEOM</c>), where the next write appends.</summary>
    void SeekEndOfData();

    /// <summary>Rewinds to the beginning of the tape (<c>MTREW</c>).</summary>
    void Rewind();

    /// <summary>Positions before logical object <paramref name="logicalObjectId"/> (<c>MTSEEK</c>); filemarks count as objects.</summary>
    /// <param name="logicalObjectId">0 ≤ id &lt; 2³¹.</param>
    void Locate(long logicalObjectId);

    /// <summary>The logical object identifier of the next object to be read or written (<c>MTIOCPOS</c>).</summary>
    /// <returns>The identifier.</returns>
    long ReadPosition();

    /// <summary>Loads the cartridge in the drive (<c>MTLOAD</c>); rewinds when the session had been used (P16).</summary>
    void Load();

    /// <summary>Writes a pending filemark, rewinds and ejects (<c>MTOFFL</c>).</summary>
    void Unload();

    /// <summary>The drive's status (<c>MTIOCGET</c>).</summary>
    /// <returns>The status.</returns>
    TapeStatus GetStatus();

    /// <summary>Sets the block size (<c>MTSETBLK</c>); 0 = variable-block mode, TapeKit's default.</summary>
    /// <param name="bytes">0, or a fixed block size inside the drive's limits.</param>
    void SetBlockSize(int bytes);

    /// <summary>Erases from the current position to the end (<c>MTERASE</c>); administrative.</summary>
    /// <param name="longErase">A long (physical) erase instead of writing end of data.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "The operation of ITapeDrive (docs/devices/st-driver.md) named after the st operation MTERASE.")]
    void Erase(bool longErase = false);

    /// <summary>Turns the drive's compression on or off (<c>MTCOMPRESSION</c>); at most once per mount, before the first write (P7).</summary>
    /// <param name="enabled">Whether to compress.</param>
    void SetCompression(bool enabled);
}

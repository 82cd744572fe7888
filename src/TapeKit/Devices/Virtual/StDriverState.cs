namespace TapeKit.Devices.Virtual;

/// <summary>st's <c>eof</c> state; values and order as in the kernel's <c>st.h</c> (docs/devices/rules.md#behaviour-rules-t1t30).</summary>
internal enum StEof
{
    NoEof = 0,
    FmHit = 1,
    Fm = 2,
    EomOk = 3,
    EomError = 4,
    Eod1 = 5,
    Eod2 = 6,
    Eod = 7,
}

/// <summary>st's <c>rw</c> state: decides the automatic filemarks (T12, T13).</summary>
internal enum StRw
{
    Idle,
    Reading,
    Writing,
}

/// <summary>st's readiness, decided at open and <c>MTLOAD</c> only (T2, T18).</summary>
internal enum StReady
{
    Ready,
    NotReady,
    NoTape,
}

/// <summary>
/// The driver state of one drive (docs/devices/rules.md#behaviour-rules-t1t30). Like the kernel's, it survives
/// close/open; only a new session (a new cartridge) resets it.
/// </summary>
internal sealed class StDriverState
{
    public StReady Ready { get; set; } = StReady.NoTape;

    public bool PosUnknown { get; set; }

    public int FileNo { get; set; } = -1;

    public int BlkNo { get; set; } = -1;

    public StEof Eof { get; set; }

    public StRw Rw { get; set; }

    public int BlockSize { get; set; }

    public byte Density { get; set; }

    public uint Options { get; set; }

    public bool DriveWriteProtect { get; set; }

    public bool InUse { get; set; }

    public long MediumGeneration { get; set; } = -1;

    public int Recovered { get; set; }

    public bool Compression { get; set; }

    /// <summary>A new session (T2): the state of a freshly loaded cartridge.</summary>
    public void NewSession(long generation, byte density)
    {
        FileNo = 0;
        BlkNo = 0;
        Eof = StEof.NoEof;
        Rw = StRw.Idle;
        PosUnknown = false;
        BlockSize = 0;
        Density = density;
        MediumGeneration = generation;
    }

    /// <summary>Adds <paramref name="delta"/> to the file number when it is known (T22).</summary>
    public void AddFile(int delta)
    {
        if (FileNo >= 0)
        {
            FileNo += delta;
        }
    }

    /// <summary>Adds <paramref name="delta"/> to the block number when it is known (T22).</summary>
    public void AddBlock(int delta)
    {
        if (BlkNo >= 0)
        {
            BlkNo += delta;
        }
    }
}

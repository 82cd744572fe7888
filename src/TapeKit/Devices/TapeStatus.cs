namespace TapeKit.Devices;

/// <summary>A drive's status as st reports it with <c>MTIOCGET</c> (docs/devices/st-driver.md#requests-and-operations, T23).</summary>
/// <param name="Online">A cartridge was ready at the last open or load (<c>GMT_ONLINE</c>).</param>
/// <param name="NoMedium">No cartridge at the last open, or after unload (<c>GMT_DR_OPEN</c>).</param>
/// <param name="WriteProtected">The cartridge's write-protect tab (<c>GMT_WR_PROT</c>); never the access mode.</param>
/// <param name="AtBeginningOfTape">File 0, block 0 (<c>GMT_BOT</c>).</param>
/// <param name="AtStartOfFile">Block 0 of a file other than the first (<c>GMT_EOF</c>).</param>
/// <param name="PastEarlyWarning">Early warning seen while writing (<c>GMT_EOT</c>).</param>
/// <param name="AtEndOfData">End of data reached (<c>GMT_EOD</c>).</param>
/// <param name="FileNumber">st's file number, <see langword="null"/> when unknown.</param>
/// <param name="BlockNumber">st's block number inside the file, <see langword="null"/> when unknown.</param>
/// <param name="BlockSize">0 = variable-block mode.</param>
/// <param name="DensityCode">The density code of the medium.</param>
/// <param name="Partition">The current partition (always 0 in v1).</param>
/// <param name="RecoveredErrors">Soft errors since the previous status query (reading clears the counter).</param>
/// <param name="RawGeneralStatus"><c>mt_gstat</c> zero-extended to 64 bits.</param>
public readonly record struct TapeStatus(
    bool Online,
    bool NoMedium,
    bool WriteProtected,
    bool AtBeginningOfTape,
    bool AtStartOfFile,
    bool PastEarlyWarning,
    bool AtEndOfData,
    int? FileNumber,
    int? BlockNumber,
    int BlockSize,
    byte DensityCode,
    int Partition,
    int RecoveredErrors,
    ulong RawGeneralStatus);

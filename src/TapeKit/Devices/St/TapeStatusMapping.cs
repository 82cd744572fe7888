namespace TapeKit.Devices.St;

/// <summary>Turns an <c>mtget</c> into a <see cref="TapeStatus"/> (docs/devices/st-driver.md#requests-and-operations).</summary>
internal static class TapeStatusMapping
{
    public static TapeStatus ToStatus(in MtGet m, int recoveredErrors)
    {
        ulong g = m.GeneralStatus;
        long dsreg = m.DsReg.Value;
        return new TapeStatus(
            Online: (g & Gmt.ONLINE) != 0,
            NoMedium: (g & Gmt.DR_OPEN) != 0,
            WriteProtected: (g & Gmt.WR_PROT) != 0,
            AtBeginningOfTape: (g & Gmt.BOT) != 0,
            AtStartOfFile: (g & Gmt.EOF) != 0,
            PastEarlyWarning: (g & Gmt.EOT) != 0,
            AtEndOfData: (g & Gmt.EOD) != 0,
            FileNumber: m.FileNo < 0 ? null : m.FileNo,
            BlockNumber: m.BlkNo < 0 ? null : m.BlkNo,
            BlockSize: (int)(dsreg & 0xFFFFFF),
            DensityCode: (byte)((dsreg >> 24) & 0xFF),
            Partition: (int)(m.Resid.Value & 0xFF),
            RecoveredErrors: recoveredErrors,
            RawGeneralStatus: g);
    }
}

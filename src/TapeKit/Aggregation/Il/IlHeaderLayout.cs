namespace TapeKit.Aggregation.Il;

/// <summary>The offsets and lengths of the IL 01.00 header fields (F5.2; ALB <c>Constants.hpp</c>).</summary>
internal static class IlHeaderLayout
{
    public const int Size = 1024;

    public const int VersionNumberOffset = 0, VersionNumberLength = 5;
    public const int HeaderSizeOffset = 5, HeaderSizeLength = 5;
    public const int ChecksumAlgorithmOffset = 10, ChecksumAlgorithmLength = 10;
    public const int HeaderChecksumOffset = 20, HeaderChecksumLength = 10;
    public const int TapeMarkCountOffset = 30, TapeMarkCountLength = 20;
    public const int BlockSizeOffset = 50, BlockSizeLength = 10;
    public const int BlockCountOffset = 60, BlockCountLength = 20;
    public const int BlockTimeStampOffset = 80, BlockTimeStampLength = 10;
    public const int StagerVersionOffset = 90, StagerVersionLength = 15;
    public const int StagerHostOffset = 105, StagerHostLength = 30;
    public const int DriveNameOffset = 135, DriveNameLength = 10;
    public const int DriveSerialOffset = 145, DriveSerialLength = 20;
    public const int DriveFirmwareOffset = 165, DriveFirmwareLength = 10;
    public const int DriveHostOffset = 175, DriveHostLength = 30;
    public const int VolDensityOffset = 205, VolDensityLength = 10;
    public const int VolIdOffset = 215, VolIdLength = 20;
    public const int VolSerialOffset = 235, VolSerialLength = 20;
    public const int DeviceGroupNameOffset = 255, DeviceGroupNameLength = 10;
    public const int FileSizeOffset = 265, FileSizeLength = 20;
    public const int FileChecksumOffset = 285, FileChecksumLength = 10;
    public const int FileNsHostOffset = 295, FileNsHostLength = 30;
    public const int FileNsIdOffset = 325, FileNsIdLength = 20;
    public const int FileProgressiveChecksumOffset = 345, FileProgressiveChecksumLength = 10;
    public const int FileBlockCountOffset = 355, FileBlockCountLength = 20;
    public const int FileNameOffset = 375, FileNameLength = 649;

    /// <summary>The bytes 0–374 that must be printable ASCII (F5.9.1).</summary>
    public const int AsciiLength = FileNameOffset;

    /// <summary>The F fields: the same in every block of one member (fileSize … fileNsId, and fileName).</summary>
    public const int FileFieldsOffset = FileSizeOffset, FileFieldsLength = FileProgressiveChecksumOffset - FileSizeOffset;

    /// <summary>Every field in header order: (name, offset, length).</summary>
    public static ReadOnlySpan<Field> Fields => s_fields;

    /// <summary>The field holding byte <paramref name="offset"/> of the header.</summary>
    public static Field FieldAt(int offset)
    {
        foreach (var field in s_fields)
        {
            if (offset >= field.Offset && offset < field.Offset + field.Length)
            {
                return field;
            }
        }

        return s_fields[^1];
    }

    internal readonly record struct Field(string Name, int Offset, int Length);

    private static readonly Field[] s_fields =
    [
        new("versionNumber", VersionNumberOffset, VersionNumberLength),
        new("headerSize", HeaderSizeOffset, HeaderSizeLength),
        new("checksumAlgorithm", ChecksumAlgorithmOffset, ChecksumAlgorithmLength),
        new("headerChecksum", HeaderChecksumOffset, HeaderChecksumLength),
        new("tapeMarkCount", TapeMarkCountOffset, TapeMarkCountLength),
        new("blockSize", BlockSizeOffset, BlockSizeLength),
        new("blockCount", BlockCountOffset, BlockCountLength),
        new("blockTimeStamp", BlockTimeStampOffset, BlockTimeStampLength),
        new("stagerVersion", StagerVersionOffset, StagerVersionLength),
        new("stagerHost", StagerHostOffset, StagerHostLength),
        new("driveName", DriveNameOffset, DriveNameLength),
        new("driveSerial", DriveSerialOffset, DriveSerialLength),
        new("driveFirmware", DriveFirmwareOffset, DriveFirmwareLength),
        new("driveHost", DriveHostOffset, DriveHostLength),
        new("volDensity", VolDensityOffset, VolDensityLength),
        new("volId", VolIdOffset, VolIdLength),
        new("volSerial", VolSerialOffset, VolSerialLength),
        new("deviceGroupName", DeviceGroupNameOffset, DeviceGroupNameLength),
        new("fileSize", FileSizeOffset, FileSizeLength),
        new("fileChecksum", FileChecksumOffset, FileChecksumLength),
        new("fileNsHost", FileNsHostOffset, FileNsHostLength),
        new("fileNsId", FileNsIdOffset, FileNsIdLength),
        new("fileProgressiveChecksum", FileProgressiveChecksumOffset, FileProgressiveChecksumLength),
        new("fileBlockCount", FileBlockCountOffset, FileBlockCountLength),
        new("fileName", FileNameOffset, FileNameLength),
    ];
}

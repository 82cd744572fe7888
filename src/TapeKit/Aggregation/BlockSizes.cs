namespace TapeKit.Aggregation;

/// <summary>Block size rules shared by the IL (F5.1) and tar (F6.4) layers.</summary>
public static class BlockSizes
{
    /// <summary>The default tape block size S: 262144 bytes (256 KiB; tar blocking factor 512).</summary>
    public const int Default = 262144;

    /// <summary>The tar record size; every block size is a multiple of it.</summary>
    public const int Record = 512;

    /// <summary>
    /// The largest block size TapeKit accepts: 2³¹ − 512. F5.1 allows IL blocks up to 9 999 999 999
    /// bytes, but a block is held in one .NET span; no tape drive accepts blocks near this size.
    /// (docs/formats/README.md#choice-block-size)
    /// </summary>
    public const int Maximum = int.MaxValue - 511;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="blockSize"/> is a positive multiple of 512 up to <see cref="Maximum"/>.</summary>
    /// <param name="blockSize">The block size.</param>
    /// <param name="parameterName">The caller's parameter name.</param>
    public static void Validate(int blockSize, string parameterName)
    {
        if (blockSize <= 0 || blockSize % Record != 0 || blockSize > Maximum)
        {
            throw new ArgumentOutOfRangeException(parameterName, blockSize, "A tape block size must be a positive multiple of 512 bytes.");
        }
    }
}

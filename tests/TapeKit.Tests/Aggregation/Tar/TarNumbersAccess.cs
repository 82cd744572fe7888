namespace TapeKit.Tests.Aggregation.Tar;

internal static class TarNumbersAccess
{
    public static void WriteSize(Span<byte> field, long size) => TapeKit.Aggregation.Tar.TarNumbers.WriteSize(field, size);
}

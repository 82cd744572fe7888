using SmallFilesCache;

namespace TapeKit.Hsm.Tests.Samples;

public sealed class DescriptorBudgetTests
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max processes             96254                96254                processes
        Max open files            208                  524288               files
        Max locked memory         8388608              8388608              bytes

        """;

    [Fact]
    public void The_soft_limit_is_read_from_the_max_open_files_row()
    {
        Assert.Equal(208, DescriptorBudget.SoftOpenFilesLimit(Limits));
        Assert.Equal(long.MaxValue, DescriptorBudget.SoftOpenFilesLimit(Limits.Replace("208                ", "unlimited          ", StringComparison.Ordinal)));
        Assert.Null(DescriptorBudget.SoftOpenFilesLimit(Limits.Replace("Max open files", "Max open filez", StringComparison.Ordinal)));
        Assert.Null(DescriptorBudget.SoftOpenFilesLimit(Limits.Replace("208 ", "2x8 ", StringComparison.Ordinal)));
        Assert.Null(DescriptorBudget.SoftOpenFilesLimit(""));
    }

    [Fact]
    public void This_process_has_descriptors_left_and_a_batch_never_exceeds_its_own_limit_or_drops_below_one_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        long? left = DescriptorBudget.DescriptorsLeft();
        Assert.NotNull(left);
        Assert.InRange(left.Value, 1, DescriptorBudget.SoftOpenFilesLimit(File.ReadAllText("/proc/self/limits"))!.Value - 3);
        Assert.InRange(DescriptorBudget.InboxFilesPerBatch(256, out long? measured), 1, 256);
        Assert.NotNull(measured);
        Assert.Equal(1, DescriptorBudget.InboxFilesPerBatch(1, out _));
    }
}

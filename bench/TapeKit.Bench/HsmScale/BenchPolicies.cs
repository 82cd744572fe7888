using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// The bench site's policies: the bulk-loaded, aged files live in one disk library; the files the bench ingests live in
/// another, so that running the purger over them (the end of their life) cannot purge the aged catalogue.
/// </summary>
internal static class BenchPolicies
{
    public const string AgedGroup = "aged";
    public const string AgedLibrary = "dl-aged";
    public const string AgedPool = "pool-aged";
    public const string FreshGroup = "fresh";
    public const string FreshLibrary = "dl-fresh";
    public const string FreshPool = "pool-fresh";

    /// <summary>Members per archive list and aggregation (the default list limit).</summary>
    public const int FilesPerList = ListLimits.DefaultMaxFiles;

    public static PolicySet Create() => new()
    {
        Version = 1,
        Rules =
        [
            new PolicyRule { Name = "aged", Match = new() { [HsmFileAttributes.StorageGroupName] = AgedGroup }, DiskLibrary = AgedLibrary, TapePool = AgedPool, MaxFilesPerAggregation = FilesPerList },
            new PolicyRule { Name = "fresh", DiskLibrary = FreshLibrary, TapePool = FreshPool, MaxFilesPerAggregation = FilesPerList },
        ],
    };

    public static HsmFileAttributes Attributes(string group, long size) =>
        new() { StorageGroup = group, FileFamily = "ff-" + group, Wrapper = "cpio_odc", Library = "lib1", Size = size };
}

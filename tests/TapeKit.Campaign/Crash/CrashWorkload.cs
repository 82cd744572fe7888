namespace TapeKit.Campaign.Crash;

/// <summary>
/// The files the crash test sends: names, storage groups and contents all derived from the seed, so the recalled bytes
/// can be compared with what was generated without keeping a copy. Files arrive by rename, whole, as a client's
/// completed upload would.
/// </summary>
internal sealed class CrashWorkload(int seed, int count, int maxSize = 384 * 1024)
{
    /// <summary>How many files there are.</summary>
    public int Count => count;

    /// <summary>The inbox-relative path of file <paramref name="i"/> (its storage group is the first segment).</summary>
    public static string PathOf(int i) => $"{(i % 3 == 0 ? "expB" : "expA")}/d{i % 7}/f{i:D5}.bin";

    /// <summary>How many tape copies the test's policies require for file <paramref name="i"/>.</summary>
    public static int CopiesOf(int i) => i % 3 == 0 ? 1 : 2;

    /// <summary>The disk library file <paramref name="i"/> is cached in.</summary>
    public static string DiskLibraryOf(int i) => i % 3 == 0 ? "dl2" : "dl1";

    /// <summary>The contents of file <paramref name="i"/>: 1 byte to the workload's largest size (384 KiB unless told).</summary>
    public byte[] ContentOf(int i)
    {
        var random = new Random(unchecked((seed * 100_003) + i)); // Not HashCode.Combine: that is salted per process.
        byte[] bytes = new byte[1 + random.Next(maxSize)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Drops file <paramref name="i"/> into the inbox: written beside it, then renamed in.</summary>
    public void Drop(string siteRoot, int i)
    {
        string staging = Path.Combine(siteRoot, "incoming");
        Directory.CreateDirectory(staging);
        string temp = Path.Combine(staging, $"f{i:D5}.part");
        File.WriteAllBytes(temp, ContentOf(i));
        string target = Path.Combine(siteRoot, "inbox", PathOf(i));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(temp, target);
    }

    /// <summary>Drops a recall list naming files <paramref name="files"/> (namespace paths, one a line).</summary>
    public static void RequestRecalls(string siteRoot, string name, IEnumerable<int> files)
    {
        string recall = Path.Combine(siteRoot, "recall");
        Directory.CreateDirectory(recall);
        string temp = Path.Combine(siteRoot, $"{name}.part");
        File.WriteAllLines(temp, files.Select(i => "/" + PathOf(i)));
        File.Move(temp, Path.Combine(recall, name + ".txt"), overwrite: true);
    }
}

namespace TapeGateway;

/// <summary>
/// The demo's files and recalls, the same for both modes: sizes log-uniform between 4 KiB and 1 MiB, and one file in a
/// hundred log-uniform between 1 MiB and 64 MiB (the few large ones), classes by their demo shares, and recalls of
/// distinct random files arriving at random (uniformly spread) over the recall window.
/// </summary>
public static class DemoWorkload
{
    /// <summary>The files of a run.</summary>
    /// <param name="files">How many.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="classes">The file classes and their shares.</param>
    public static IReadOnlyList<NsFile> Files(int files, int seed, IReadOnlyList<FileClass> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var random = new Random(seed);
        double total = classes.Sum(c => c.DemoShare);
        var result = new List<NsFile>(files);
        for (int i = 0; i < files; i++)
        {
            bool large = random.NextDouble() < 0.01;
            (double low, double high) = large ? (1 << 20, 64 << 20) : (4096, 1 << 20);
            long size = (long)Math.Exp(Math.Log(low) + (random.NextDouble() * (Math.Log(high) - Math.Log(low))));
            double pick = random.NextDouble() * total;
            FileClass fileClass = classes[^1];
            foreach (FileClass c in classes)
            {
                if ((pick -= c.DemoShare) < 0)
                {
                    fileClass = c;
                    break;
                }
            }

            long id = i + 1;
            result.Add(new NsFile(id, $"/castor/demo/{fileClass.Name}/run{i / 1000:D3}/file{id:D6}.dat", fileClass.Name, size));
        }

        return result;
    }

    /// <summary>The recalls of a run: distinct files, arrival times spread over <paramref name="window"/> from <paramref name="start"/>.</summary>
    /// <param name="fileIds">The files that may be asked for.</param>
    /// <param name="recalls">How many.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="start">When the window opens.</param>
    /// <param name="window">How long it lasts.</param>
    public static IReadOnlyList<GatewayRecall> Recalls(IReadOnlyList<long> fileIds, int recalls, int seed, DateTimeOffset start, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var random = new Random(seed ^ 0x5EED);
        return [.. fileIds.OrderBy(_ => random.Next()).Take(Math.Min(recalls, fileIds.Count))
            .Select(id => new GatewayRecall(new Guid(random.Next(), (short)random.Next(), (short)random.Next(), 0, 0, 0, 0, 0, 0, 0, 0), id, start + (window * random.NextDouble())))
            .OrderBy(r => r.ArrivedAt)];
    }
}

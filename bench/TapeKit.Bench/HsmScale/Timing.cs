using System.Diagnostics;

namespace TapeKit.Bench.HsmScale;

/// <summary>Times an operation several times and keeps the median: one slow outlier (a checkpoint, another engineer's build) does not move it.</summary>
internal static class Timing
{
    public static async Task<double> MedianMsAsync(int iterations, Func<Task> operation)
    {
        var samples = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            samples.Add(await TimeMsAsync(operation));
        }

        return Median(samples);
    }

    public static async Task<double> TimeMsAsync(Func<Task> operation)
    {
        long start = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public static double Median(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. samples.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

using System.Diagnostics;

namespace TapeKit.Tests.Docs.Site;

/// <summary>Debian's Chromium in headless mode: loads a page, runs its scripts and prints the resulting DOM.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome"];

    /// <summary>The browser's path, or <see langword="null"/> when none is on PATH.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>The DOM of <paramref name="url"/> once loaded and its scripts ran (up to 10 s of page time).</summary>
    /// <param name="url">The page.</param>
    /// <param name="timeout">The wall-clock limit for the browser.</param>
    /// <returns>The serialised DOM.</returns>
    public static async Task<string> DumpDomAsync(Uri url, TimeSpan timeout)
    {
        string browser = Executable ?? throw new InvalidOperationException(DocsSiteAvailability.MissingReason);
        DirectoryInfo profile = Directory.CreateTempSubdirectory("tapekit-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", $"--user-data-dir={profile.FullName}",
                // Page time runs ahead to let the site's scripts fetch its tables of contents and render them.
                "--virtual-time-budget=10000", "--dump-dom", url.AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{browser} did not start.");
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{browser} did not render {url} within {timeout.TotalSeconds} s.");
            }

            string dom = await output;
            if (process.ExitCode != 0 || dom.Length == 0)
            {
                throw new InvalidOperationException($"{browser} exited {process.ExitCode} on {url}: {await errors}");
            }

            return dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? Find()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return Names.SelectMany(name => path.Select(dir => Path.Combine(dir, name))).FirstOrDefault(File.Exists);
    }
}

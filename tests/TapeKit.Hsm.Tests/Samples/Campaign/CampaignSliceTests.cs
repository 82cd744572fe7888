using System.Diagnostics;
using System.Text.Json;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Campaign;

/// <summary>
/// The fault campaign's CI slice (issue 13), run as the campaign's own process (it runs itself under <c>unshare -rm</c>
/// for the kinds that mount small areas): a case of every in-process kind — a dead drive and a lost cartridge included —
/// and a short kill series. It fails if any case loses or duplicates a file, or fails at all.
/// <c>TAPEKIT_CAMPAIGN_SEED</c> replays a slice.
/// </summary>
public sealed class CampaignSliceTests(ITestOutputHelper output)
{
    [Fact]
    public void A_case_of_every_fault_kind_and_a_few_kills_lose_and_duplicate_nothing()
    {
        int seed = Seed();
        JsonElement summary = Run(output, "--cases", "12", "--kills", "3", "--kills-per-series", "3", "--parallel", "2", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));

        JsonElement[] rows = [.. summary.GetProperty("rows").EnumerateArray()];
        JsonElement total = rows.Single(r => r.GetProperty("Kind").GetString() == "total");
        Assert.Equal(0, total.GetProperty("Duplicated").GetInt32());
        Assert.Equal(0, total.GetProperty("Lost").GetInt32());
        Assert.True(total.GetProperty("Cases").GetInt32() >= 11, "the slice ran fewer cases than asked");
        string[] failed = [.. summary.GetProperty("failures").EnumerateArray()
            .Select(f => $"{f.GetProperty("replay").GetString()}: {string.Join(" | ", f.GetProperty("checks").EnumerateArray().Take(3))}")];
        Assert.True(failed.Length == 0, string.Join('\n', failed));
    }

    [SkippableFact]
    public void A_full_cache_area_and_a_full_stage_area_are_waited_out_and_every_file_comes_back()
    {
        MachineTools.Require(Works("unshare", "-rm", "true") ? null : "No user and mount namespace here (unshare -rm): the small areas cannot be mounted");
        JsonElement summary = Run(output, "--kinds", "cache-full,stage-full", "--cases", "2", "--kills", "0", "--seed", Seed().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Empty(summary.GetProperty("notRun").EnumerateArray());
        Assert.Empty(summary.GetProperty("failures").EnumerateArray());
        foreach (JsonElement row in summary.GetProperty("rows").EnumerateArray())
        {
            // Each case saw its area full (files waiting in the inbox, recalls asked again), or it proved nothing.
            Assert.Equal(row.GetProperty("Cases").GetInt32(), row.GetProperty("FaultSeen").GetInt32());
        }
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("TAPEKIT_CAMPAIGN_SEED"), out int s) && s > 0 ? s : Random.Shared.Next(1, int.MaxValue);

    private static JsonElement Run(ITestOutputHelper output, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TapeKit.Campaign.dll"));
        foreach (string a in args.Append("--json").Append("--root").Append(Path.Combine(Path.GetTempPath(), "tapekit-campaign-slice")))
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"campaign {string.Join(' ', args)} → exit {p.ExitCode}\n{stdout}\n{stderr.Result}");
        Assert.True(p.ExitCode is 0 or 1, $"The campaign did not run (exit {p.ExitCode}): {stderr.Result}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static bool Works(string command, params string[] args)
    {
        try
        {
            using Process p = Process.Start(command, args);
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

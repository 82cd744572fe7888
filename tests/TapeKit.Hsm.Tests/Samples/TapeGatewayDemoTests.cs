using TapeGateway;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The CASTOR comparison, small: both modes lose nothing and verify every byte; TapeKit's way mounts less and writes faster.</summary>
public sealed class TapeGatewayDemoTests
{
    [Fact]
    public async Task Both_modes_archive_every_file_and_verify_every_recall_and_tapekit_mounts_far_less()
    {
        DemoReport report = await Demo.RunAsync(new DemoArguments(Files: 1500, Recalls: 150, Seed: 11, RecallHours: 4), log: null);

        ModeReport classic = report.Classic!, tapekit = report.Tapekit!;
        foreach (ModeReport mode in new[] { classic, tapekit })
        {
            Assert.Equal((1500, 150, 150, 150, 0), (mode.FilesArchived, mode.FilesRequested, mode.FilesRecalled, mode.FilesVerified, mode.FilesLost));
            Assert.Equal(report.Classic!.BytesArchived, mode.BytesArchived);
            Assert.True(mode.RecallMounts > 0);
        }

        // Classic: one tape file per file, three synchronous marks each — seconds per file, as the CASTOR seed reports.
        Assert.Equal(1500, classic.TapeFiles);
        Assert.InRange(classic.ArchiveSecondsPerFile, 5, 9);
        Assert.True(tapekit.TapeFiles < 100, $"{tapekit.TapeFiles} tape files");
        Assert.True(tapekit.Aggregations > 0);
        Assert.True(tapekit.FilesPerRecallMount > 2 * classic.FilesPerRecallMount, $"{tapekit.FilesPerRecallMount} vs {classic.FilesPerRecallMount} files per mount");
        Assert.True(tapekit.DriveEfficiency > 10 * classic.DriveEfficiency, $"{tapekit.DriveEfficiency} vs {classic.DriveEfficiency}");
    }

    [Fact]
    public void The_json_has_an_object_per_mode_in_camel_case()
    {
        var report = new DemoReport { Files = 1, Classic = new ModeReport { Mode = "classic", FilesPerRecallMount = 1.5 }, Tapekit = new ModeReport { Mode = "tapekit" } };

        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());

        Assert.Equal(1.5, json.RootElement.GetProperty("classic").GetProperty("filesPerRecallMount").GetDouble());
        Assert.Equal("tapekit", json.RootElement.GetProperty("tapekit").GetProperty("mode").GetString());
        foreach (string name in new[] { "filesArchived", "tapeFiles", "simulatedDriveSeconds", "driveEfficiency", "mounts", "meanRecallLatencySeconds", "p95RecallLatencySeconds", "filesLost", "filesVerified" })
        {
            Assert.True(json.RootElement.GetProperty("classic").TryGetProperty(name, out _), name);
        }
    }

    [Fact]
    public void The_demo_takes_a_small_size_and_one_mode_and_refuses_unknown_options()
    {
        DemoArguments a = CommandLine.ParseDemo(["--files", "300", "--recalls", "30", "--recall-hours", "1.5", "--mode", "tapekit", "--json"]);

        Assert.Equal((300, 30, 1.5, true), (a.Files, a.Recalls, a.RecallHours, a.Json));
        Assert.Equal(["tapekit"], a.Modes);
        Assert.Equal((20_000, 2_000), (new DemoArguments().Files, new DemoArguments().Recalls));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseDemo(["--files", "0"]));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseDemo(["--mode", "castor"]));
        Assert.Throws<ArgumentException>(() => CommandLine.ParseDemo(["--bogus"]));
    }
}

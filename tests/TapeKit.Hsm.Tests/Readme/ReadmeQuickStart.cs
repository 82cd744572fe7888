// The README's library quick start. The code between the quick-start markers is the README's C# block,
// character for character (ReadmeQuickStartTests compares them), and it runs as a test: change it here
// and copy it to README.md, or the test fails.
// <quick-start-usings>
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Hosting;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;
using TapeKit.Layout;
// </quick-start-usings>

namespace TapeKit.Hsm.Tests.Readme;

/// <summary>What the quick start leaves behind, for the test to check.</summary>
internal sealed record QuickStartResult(
    string Root, Dictionary<string, byte[]> Files, TapeFileInfo Written, AggregationMember Member, byte[] Copy,
    IReadOnlyList<TapeFileInfo> Scanned, Dispatcher Dispatcher, Migrator Migrator, int Handled, int Claimed);

/// <summary>The README's library quick start as code.</summary>
internal static class ReadmeQuickStart
{
    public static async Task<QuickStartResult> RunAsync()
    {
        // <quick-start>
        string root = Directory.CreateTempSubdirectory("tapekit-quickstart-").FullName;

        // 1. Label a virtual LTO-9 cartridge (VOL1, then an empty tape) in a virtual drive.
        VirtualCartridge.Create(Path.Combine(root, "V00001"), "V00001", MediaProfile.Lto9);
        var clock = new VirtualClock(); // Simulated drive time: nothing sleeps.
        using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock, MediaProfile.Lto9);
        drive.InsertCartridge(Path.Combine(root, "V00001"));
        var labels = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "DEMO" });
        using ITapeDrive tape = drive.OpenHandle();
        AulVolume volume = AulVolume.Prelabel(tape, labels, "V00001");

        // 2. Write 1 000 small files as ONE tape file: ALB labels around a tar aggregation.
        var files = Enumerable.Range(0, 1000).ToDictionary(i => $"run42/file{i:D4}.dat", i => RandomNumberGenerator.GetBytes(1000 + i));
        TapeFileInfo written;
        using (AulAppendSession session = volume.Append(0, labels, TapeMarkPolicy.CtaDefault))
        {
            written = session.WriteAggregation(1, files.Select(f => MemberSource.FromMemory(f.Value, f.Key)), AggregationFormat.Tar, clock: clock);
            session.Flush(); // One synchronising tape mark for the whole session.
        }

        // 3. Read one member back by position: locate to its first block, read only its blocks, check its checksums.
        AggregationMember member = written.Members.Single(m => m.Name == "run42/file0777.dat");
        var copy = new MemoryStream();
        volume.ReadMember(written, AggregationFormat.Tar, member, copy);
        Console.WriteLine($"{member.Name}: {copy.Length} bytes from block {written.MemberObjectId(member)}");

        // The tape describes itself: labels and the tar manifest give back every file and member.
        IReadOnlyList<TapeFileInfo> scanned = AulVolume.Mount(tape, "V00001").Scan(withMembers: true);

        // 4. An HSM: policies, dispatcher and one disk library (migrator, stager, purger) over a
        //    virtual tape library, with catalogue and durable queue in one SQLite file.
        using var library = VirtualTapeLibrary.Open(Path.Combine(root, "library"), new VirtualLibraryOptions { Drives = 2 });
        await using ServiceProvider hsm = new ServiceCollection()
            .AddMetrics()
            .AddSingleton(labels)
            .AddTapeKitHsm(o =>
            {
                o.DiskLibraries = ["DL-A"];
                o.Policies = new PolicySet { Rules = [new PolicyRule { Name = "everything", DiskLibrary = "DL-A" }] };
            })
            .AddTapeKitHsmSqlite(o => o.Path = Path.Combine(root, "hsm.db"))
            .AddKeyedSingleton<ITapeDrivePool>("DL-A", new VirtualLibraryDrivePool(library, [0, 1]))
            .AddTapeKitDiskLibrary("DL-A", o =>
            {
                o.CacheRoot = Path.Combine(root, "cache");
                o.StageRoot = Path.Combine(root, "stage");
            })
            .BuildServiceProvider();
        Dispatcher dispatcher = hsm.GetRequiredService<Dispatcher>();
        Migrator migrator = hsm.GetRequiredKeyedService<Migrator>("DL-A");
        // A host runs these in loops (DispatcherService.PumpOnceAsync, migrator.RunOnceAsync); here one round.
        await hsm.GetRequiredService<IMessageBus>().DeclareAsync(HsmTopology.For("dispatcher", ["DL-A"]));
        (int handled, _) = await hsm.GetRequiredService<DispatcherService>().PumpOnceAsync();
        int claimed = await migrator.RunOnceAsync();
        Console.WriteLine($"dispatcher handled {handled} messages, migrator claimed {claimed} archive lists");
        // </quick-start>
        return new QuickStartResult(root, files, written, member, copy.ToArray(), scanned, dispatcher, migrator, handled, claimed);
    }
}

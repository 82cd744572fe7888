using FsCheck;
using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Layout;

/// <summary>
/// Power loss at a random point of a write session never leaves a file reported durable that
/// cannot be read back intact (issue #4).
/// </summary>
public sealed class PowerLossProperties(ITestOutputHelper output)
{
    private const int S = 2048;

    private static readonly LabelWriter Writer = new(new LabelWriterOptions
    {
        Profile = LabelProfile.ForTapeKit("1.0.0"),
        Clock = new FixedTime(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero)),
        Site = "TEST",
        HostName = "mover",
    });

    [Fact]
    public void Power_loss_at_any_step_keeps_every_durable_file_readable()
    {
        var gen = from sizes in Gen.ListOf(Gen.Choose(1, 5 * S), 12)
                  from flushEvery in Gen.Choose(1, 5)
                  from lossAfter in Gen.Choose(0, 200)
                  select (sizes: sizes.Where(s => s > 0).Take(12).ToArray(), flushEvery, lossAfter);
        PropertyRun.Check(output, Prop.ForAll(gen.ToArbitrary(), c => Run(c.sizes, c.flushEvery, c.lossAfter)), 60);
    }

    private static bool Run(int[] sizes, int flushEvery, int lossAfter)
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-powerloss", Guid.NewGuid().ToString("N"));
        string cartridge = Path.Combine(root, "P00001.tkvt");
        try
        {
            VirtualCartridge.Create(cartridge, "P00001", MediaProfile.Lto9, new VirtualCartridgeOptions { Capacity = 64L * 1024 * 1024 });
            using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions);
            drive.InsertCartridge(cartridge);
            var durable = new List<(TapeFileInfo File, byte[] Data)>();
            var written = new Dictionary<long, byte[]>();
            ITapeDrive handle = drive.OpenHandle();
            AulVolume.Prelabel(handle, Writer, "P00001");

            // The power goes just before a random drive call of the session, or not at all if the session is shorter.
            var cutting = new PowerCutDrive(handle, drive, lossAfter);
            try
            {
                AulVolume volume = AulVolume.Mount(cutting, "P00001");
                using AulAppendSession session = volume.Append(0, Writer, TapeMarkPolicy.Buffered(flushEvery, 0));
                session.Durable = files => durable.AddRange(files.Select(f => (f, written[f.FileSequence])));
                for (int i = 0; i < sizes.Length; i++)
                {
                    byte[] data = new byte[sizes[i]];
                    new Random(i).NextBytes(data);
                    written[i + 1] = data;
                    session.WriteFile((ulong)(i + 1), new MemoryStream(data), S);
                }
            }
            catch (TapeDriveException) when (cutting.Cut)
            {
                // The power loss: whatever was not durable may be gone.
            }
            catch (InvalidOperationException) when (cutting.Cut)
            {
                // A session that failed refuses to flush; nothing more is reported durable.
            }

            try
            {
                handle.Dispose();
            }
            catch (TapeDriveException)
            {
            }

            // A new mount after the loss: rewind clears the lost position (T24), then a fresh handle.
            handle = drive.OpenHandle();
            handle.Rewind();
            handle.Dispose();
            handle = drive.OpenHandle();
            AulVolume after = AulVolume.Mount(handle, "P00001");
            foreach ((TapeFileInfo file, byte[] data) in durable)
            {
                var copy = new MemoryStream();
                after.ReadFile(file.FileSequence, file.FileId, copy);
                if (!copy.ToArray().AsSpan().SequenceEqual(data))
                {
                    return false;
                }
            }

            handle.Dispose();
            return true;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

using System.Text;
using System.Text.RegularExpressions;
using TapeKit.Conformance.Support;
using TapeKit.Devices.St;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// The conformance vectors of <c>tests/vectors/vtape</c> (spec/tape-devices.md §4.8, §8.6 item 6):
/// the managed st model replays every tape script and must reproduce the transcript and the
/// canonical dump that the C tool <c>tapekit_vtape replay</c> reproduces in ctest.
/// </summary>
public sealed partial class VectorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-vectors-" + Guid.NewGuid().ToString("N"));

    public VectorTests() => Directory.CreateDirectory(_root);

    /// <summary>Every vector name.</summary>
    public static TheoryData<string> Vectors
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string script in Directory.GetFiles(VectorDirectory, "*.script").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileNameWithoutExtension(script));
            }

            return data;
        }
    }

    private static string VectorDirectory => Path.Combine(NativeEmulation.RepositoryRoot, "tests", "vectors", "vtape");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_managed_replay_reproduces_the_vector(string name)
    {
        string[] lines = File.ReadAllLines(Path.Combine(VectorDirectory, name + ".script"));
        var header = CartridgeLine().Match(lines[0]);
        Assert.True(header.Success, "the first line must describe the cartridge");
        string cartridge = Path.Combine(_root, name + ".tkvt");
        VirtualCartridge.Create(cartridge, "A00001", MediaProfile.Lto9, new VirtualCartridgeOptions
        {
            Capacity = long.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            EarlyWarningDistance = long.Parse(header.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            FilemarkFootprint = uint.Parse(header.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture),
        });
        var conf = new StringBuilder();
        var steps = new List<string>();
        foreach (string line in lines.Where(l => l.Length > 0 && l[0] != '#'))
        {
            if (line.StartsWith("conf ", StringComparison.Ordinal))
            {
                conf.Append(line[5..]).Append('\n');
            }
            else
            {
                steps.Add(line);
            }
        }

        var transcript = new StringBuilder();
        using (var drive = new VirtualTapeDrive(VirtualDriveOptions.Parse(conf.ToString()), number: 0))
        {
            drive.InsertCartridge(cartridge);
            var session = drive.Model.Open("/dev/nst0", OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
            drive.Model.Close((int)session.Value);
            var side = new StSide(drive.Model, drive.PowerLoss, drive.Arm);
            foreach (string line in steps)
            {
                transcript.Append(line).Append("  -> ").Append(side.Execute(StStep.Parse(line))).Append('\n');
            }

            if (side.Finish() is { } closed)
            {
                transcript.Append("close (end of script)  -> ").Append(closed).Append('\n');
            }
        }

        Assert.Equal(File.ReadAllText(Path.Combine(VectorDirectory, name + ".expected")), transcript.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(VectorDirectory, name + ".dump")), VirtualCartridge.CanonicalDump(cartridge));
    }

    [GeneratedRegex(@"capacity=(\d+) ew-distance=(\d+) footprint=(\d+)")]
    private static partial Regex CartridgeLine();
}

using Spectre.Console.Testing;
using TapeKit.Aggregation;
using TapeKit.Cli;
using TapeKit.Devices.Virtual;
using TapeKit.Layout;

namespace TapeKit.Tests.Cli;

/// <summary>The progress helper on a fake terminal: bars, spinners, counting decorators, and inertness when off.</summary>
public sealed class CliProgressTests
{
    private static TestConsole Terminal() => new TestConsole().Interactive().EmitAnsiSequences().Width(80);

    /// <summary>The last frame the terminal shows: the text after the last cursor movement, without colours unless asked.</summary>
    private static string LastFrame(TestConsole terminal, bool colours = false)
    {
        string output = terminal.Output;
        int last = output.LastIndexOf("\u001b[2A", StringComparison.Ordinal);
        string frame = last < 0 ? output : output[last..];
        return colours ? frame : System.Text.RegularExpressions.Regex.Replace(frame, "\u001b\\[[0-9;?]*[A-Za-z]", string.Empty);
    }

    [Theory]
    [InlineData(true, false, false, null, true)]
    [InlineData(true, false, false, "", true)]
    [InlineData(true, false, false, "0", true)]
    [InlineData(false, false, false, null, false)]
    [InlineData(true, true, false, null, false)]
    [InlineData(true, false, true, null, false)]
    [InlineData(true, false, false, "1", false)]
    [InlineData(true, false, false, "yes", false)]
    public void Progress_is_wanted_only_on_a_terminal_without_json_no_progress_or_the_variable(bool terminal, bool json, bool option, string? variable, bool wanted) =>
        Assert.Equal(wanted, CliProgress.IsWanted(terminal, json, option, variable));

    [Fact]
    public void A_bar_is_rendered_and_completes_at_100_percent()
    {
        using TestConsole terminal = Terminal();
        var progress = new CliProgress(terminal);
        var sink = new CollectingSink(512);
        int result = progress.Show("Packing agg.tar", 10 * 512, () =>
        {
            IBlockSink counted = progress.Counting(sink);
            for (int i = 0; i < 10; i++)
            {
                counted.WriteBlock(new byte[512]);
            }

            Assert.Equal(10 * 512, progress.Value);
            return 42;
        });

        Assert.Equal(42, result);
        Assert.Equal(10, sink.Blocks);
        string frame = LastFrame(terminal);
        Assert.Contains("Packing agg.tar", frame, StringComparison.Ordinal);
        Assert.Contains("100% 5.1 kB/5.1 kB", frame, StringComparison.Ordinal);
        // The whole bar in the finished style (green), with no remaining (grey) part.
        Assert.Contains("\u001b[38;5;2m━━━━━━━━━━━━━━━━━━━━\u001b[0m", LastFrame(terminal, colours: true), StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_that_fails_leaves_the_bar_where_it_stopped()
    {
        using TestConsole terminal = Terminal();
        var progress = new CliProgress(terminal);
        using var data = new MemoryStream(new byte[4000]);
        Assert.Throws<IOException>(() => progress.Show("Verifying agg.il", 8000, () =>
        {
            using Stream counted = progress.Counting(data);
            counted.ReadExactly(new byte[2000]);
            throw new IOException("the disk failed");
        }));

        string frame = LastFrame(terminal);
        Assert.Contains("Verifying agg.il", frame, StringComparison.Ordinal);
        Assert.Contains(" 25% 2.0 kB/8.0 kB", frame, StringComparison.Ordinal);
        Assert.DoesNotContain("100%", terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Items_count_at_their_size_and_bytes_within_an_item_never_pass_it()
    {
        var progress = new CliProgress(Terminal());
        long[] sizes = [300, 700];
        var seen = new List<long>();
        var sink = progress.Counting(new CollectingSink(512));
        progress.Show("Writing to T00001", 1000, () =>
        {
            foreach (long size in progress.Each(sizes, s => s))
            {
                seen.Add(progress.Value);
                sink.WriteBlock(new byte[512]);
                seen.Add(progress.Value);
            }

            seen.Add(progress.Value);
        });

        // Item 1 (300 bytes): 512 bytes written count as 300; item 2 (700 bytes) starts at 300 and its 512 bytes count in full.
        Assert.Equal([0, 300, 300, 812, 1000], seen);
    }

    [Fact]
    public void A_scan_shows_a_spinner_with_running_counts_of_bytes_blocks_and_tape_files()
    {
        using var dir = new TempDirectory();
        string cartridge = dir.File("T00009");
        Assert.Equal(0, CliRun.Of("vtape", "create", cartridge, "--vsn", "T00009").ExitCode);
        File.WriteAllBytes(dir.File("f"), new byte[100_000]);
        Assert.Equal(0, CliRun.Of("tape", "write", "--tape", cartridge, "--format", "aul", "--block-size", "65536", dir.File("f"), dir.File("f")).ExitCode);

        using TestConsole terminal = Terminal();
        var progress = new CliProgress(terminal);
        using var drive = progress.Counting(VirtualTapeDrive.Open(cartridge));
        AulVolume volume = AulVolume.Mount(drive, "T00009", TapeKit.Labels.LabelReadMode.Strict);
        var files = progress.Show("Verifying T00009", null, () => volume.Scan(onFile: progress.Listed));

        Assert.Equal(2, files.Count);
        string frame = LastFrame(terminal);
        Assert.Contains("Verifying T00009", frame, StringComparison.Ordinal);
        // Per file: its HDR1 read to find it, then HDR1, HDR2, UHL1, 2 data blocks (100,000 bytes), EOF1, EOF2, UTL1:
        // 9 blocks and 100,560 bytes.
        Assert.Contains("201.1 kB in 18 blocks, 2 files", frame, StringComparison.Ordinal);
        Assert.DoesNotContain("%", frame, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_terminal_nothing_is_wrapped_counted_or_measured()
    {
        var progress = new CliProgress(null);
        var sink = new CollectingSink(512);
        using var stream = new MemoryStream();
        int[] items = [1, 2, 3];
        Assert.False(progress.Enabled);
        Assert.Same(sink, progress.Counting(sink));
        Assert.Same(stream, progress.Counting(stream));
        Assert.Same(items, progress.Each(items, i => i));
        Assert.Null(progress.SizeOf(typeof(CliProgressTests).Assembly.Location));
        Assert.Equal(7, progress.Show("Packing", 100, () => 7));
        Assert.Equal(0, progress.Value);
    }

    [Fact]
    public void Sizes_are_measured_only_for_regular_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a"), new byte[1234]);
        File.WriteAllBytes(dir.File("b"), new byte[766]);
        var progress = new CliProgress(Terminal());
        Assert.Equal(1234, progress.SizeOf(dir.File("a")));
        Assert.Equal(2000, progress.SizeOf([dir.File("a"), dir.File("b")]));
        Assert.Null(progress.SizeOf([dir.File("a"), "-"]));
        Assert.Null(progress.SizeOf(dir.File("missing")));
        Assert.Null(progress.SizeOf(dir.Path));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1000, "1.0 kB")]
    [InlineData(54_263_808, "54.3 MB")]
    [InlineData(18_000_000_000_000, "18.0 TB")]
    public void Bytes_are_shown_in_decimal_units_as_tape_capacities_are(long bytes, string text) =>
        Assert.Equal(text, CliProgress.Bytes(bytes));

    private sealed class CollectingSink(int blockSize) : IBlockSink
    {
        public int BlockSize => blockSize;

        public int Blocks { get; private set; }

        public void WriteBlock(ReadOnlySpan<byte> block) => Blocks++;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TapeKit.Cli;

/// <summary>
/// The progress of a long command, drawn on standard error (the CLI contract, docs/cli.md: long operations show a
/// progress bar on a terminal and stay quiet when output is redirected). Every long command uses
/// this one helper: it wraps what the command reads or writes in counting decorators
/// (<see cref="Counting(Stream)"/> and its overloads) and runs each long step in
/// <see cref="Show{T}(string, long?, Func{T})"/>.
/// </summary>
/// <remarks>
/// <para>
/// Progress is drawn only when standard error is a terminal, the command does not print
/// <c>--json</c>, <c>--no-progress</c> is not given and <c>TAPEKIT_NO_PROGRESS</c> is unset (or
/// <c>0</c>). Otherwise every method is a pass-through: the decorators return what they were given,
/// and nothing at all is written. Standard output is never touched, so results and JSON are
/// byte-identical either way.
/// </para>
/// <para>
/// The unit is bytes: a step with a known total (the input of <c>agg pack</c> and <c>tape write</c>,
/// the aggregation file of <c>agg verify</c>) shows a bar with a percentage; a step without one
/// (a tape scan) shows a spinner with a running count of bytes, blocks and tape files. Counting
/// costs one addition per block or read and no allocation; the bar is updated at most ten times a
/// second. When the step succeeds the bar ends at 100 %; when it throws, it stays where it stopped.
/// </para>
/// </remarks>
public sealed partial class CliProgress
{
    /// <summary>The option that turns progress off (recursive: every command takes it).</summary>
    public const string NoProgressOption = "--no-progress";

    /// <summary>The environment variable that turns progress off (for CI logs): any value but empty or <c>0</c>.</summary>
    public const string NoProgressVariable = "TAPEKIT_NO_PROGRESS";

    private const int LabelLength = 24;
    private const long PushIntervalMs = 100;

    private static readonly PosixSignal[] Signals = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP];

    private readonly IAnsiConsole? _terminal;
    private ProgressTask? _task;

    // The work thread writes these; the render thread reads them for the amount column (a frame may
    // mix two moments, which is harmless for a display refreshed ten times a second).
    private long _done;
    private long _current;
    private long _cap = long.MaxValue;
    private long _blocks;
    private long _files;
    private long _total = -1;
    private bool _finished;
    private long _nextPush;

    /// <summary>Creates a helper that draws on <paramref name="terminal"/>, or does nothing for <see langword="null"/>.</summary>
    /// <param name="terminal">The terminal, or <see langword="null"/> for no progress.</param>
    internal CliProgress(IAnsiConsole? terminal) => _terminal = terminal;

    /// <summary>Whether progress is drawn.</summary>
    public bool Enabled => _terminal is not null;

    /// <summary>The progress helper of one command run: drawing on standard error when that is wanted, inert otherwise.</summary>
    /// <param name="console">The streams.</param>
    /// <param name="parse">The command line (for <c>--no-progress</c>).</param>
    /// <param name="json">Whether the command prints JSON (no progress then).</param>
    /// <returns>The helper.</returns>
    public static CliProgress For(CliConsole console, ParseResult parse, bool json = false)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(parse);
        bool wanted = IsWanted(console.ErrorIsTerminal, json, parse.GetValue<bool>(NoProgressOption), Environment.GetEnvironmentVariable(NoProgressVariable));
        return new CliProgress(wanted ? console.Terminal ?? TerminalOver(console.Error) : null);
    }

    /// <summary>Whether to draw progress: on a terminal, without JSON, <c>--no-progress</c> or <c>TAPEKIT_NO_PROGRESS</c>.</summary>
    /// <param name="errorIsTerminal">Whether standard error is a terminal.</param>
    /// <param name="json">Whether the command prints JSON.</param>
    /// <param name="noProgress">Whether <c>--no-progress</c> was given.</param>
    /// <param name="variable">The value of <c>TAPEKIT_NO_PROGRESS</c>, if set.</param>
    /// <returns>True to draw.</returns>
    public static bool IsWanted(bool errorIsTerminal, bool json, bool noProgress, string? variable) =>
        errorIsTerminal && !json && !noProgress && (string.IsNullOrEmpty(variable) || variable == "0");

    /// <summary>
    /// The size of a file to read, for a total; <see langword="null"/> without progress (no system
    /// call is made then), for <c>-</c>, and for anything that is not a readable regular file (the
    /// command reports those itself).
    /// </summary>
    /// <param name="path">A path or <c>-</c>.</param>
    /// <returns>The size in bytes, or <see langword="null"/>.</returns>
    public long? SizeOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return _terminal is not null && path != "-" && File.Exists(path) ? new FileInfo(path).Length : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The total size of files to read, or <see langword="null"/> if any is unknown (see <see cref="SizeOf(string)"/>).</summary>
    /// <param name="paths">Paths or <c>-</c>.</param>
    /// <returns>The total in bytes, or <see langword="null"/>.</returns>
    public long? SizeOf(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        long total = 0;
        foreach (string path in paths)
        {
            if (SizeOf(path) is not { } size)
            {
                return null;
            }

            total += size;
        }

        return total;
    }

    /// <summary>Runs one long step under a progress bar (total known) or spinner (total unknown).</summary>
    /// <typeparam name="T">What the step returns.</typeparam>
    /// <param name="label">What the step does, e.g. "Packing agg.tar".</param>
    /// <param name="total">The bytes the step will process, if known.</param>
    /// <param name="work">The step; the counting decorators report to this helper while it runs.</param>
    /// <returns>What the step returned.</returns>
    public T Show<T>(string label, long? total, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(work);
        if (_terminal is null)
        {
            return work();
        }

        Reset(total);
        IAnsiConsole terminal = _terminal;
        // The display hides the cursor; an operator's Ctrl-C (or a kill) must not leave it hidden.
        PosixSignalRegistration[] restore = [.. Signals.Select(signal => PosixSignalRegistration.Create(signal, _ => terminal.Cursor.Show(true)))];
        try
        {
            return Draw(label, total, work);
        }
        finally
        {
            foreach (PosixSignalRegistration registration in restore)
            {
                registration.Dispose();
            }
        }
    }

    private T Draw<T>(string label, long? total, Func<T> work)
    {
        var progress = new Progress(_terminal!, TimeProvider.System) { AutoClear = false, HideCompleted = false };
        // At most 80 columns: a bar for a known total, a spinner and the time spent for a scan.
        progress.Columns(total is null
            ? [new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new AmountColumn(this), new ElapsedTimeColumn()]
            : [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new AmountColumn(this), new RemainingTimeColumn(), new SpinnerColumn()]);
        return progress.Start(context =>
        {
            _task = context.AddTask(Markup.Escape(Shorten(label)), autoStart: true, maxValue: Math.Max(1, total ?? 1));
            _task.IsIndeterminate = total is null;
            try
            {
                T result = work();
                Finish();
                return result;
            }
            catch
            {
                // Show where the step stopped; the error line follows the bar.
                context.Refresh();
                throw;
            }
            finally
            {
                _task = null;
            }
        });
    }

    /// <summary>Runs one long step that returns nothing; see <see cref="Show{T}(string, long?, Func{T})"/>.</summary>
    /// <param name="label">What the step does.</param>
    /// <param name="total">The bytes the step will process, if known.</param>
    /// <param name="work">The step.</param>
    public void Show(string label, long? total, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Show(label, total, () =>
        {
            work();
            return true;
        });
    }

    /// <summary>
    /// Yields <paramref name="items"/> (input files, members) and counts each one as done, at its
    /// size, when the next is asked for; within an item the bytes the decorators see count up to
    /// its size. The items may be enumerated by the library (e.g. the members of an aggregation).
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="size">An item's size in bytes, if known.</param>
    /// <returns>The same items.</returns>
    public IEnumerable<T> Each<T>(IEnumerable<T> items, Func<T, long?> size)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(size);
        return _terminal is null ? items : Iterate(items, size);
    }

    /// <summary>Counts a tape file listed by a scan (an <c>onFile</c> callback).</summary>
    /// <param name="file">The file.</param>
    public void Listed(Layout.TapeFileInfo file)
    {
        if (_terminal is not null)
        {
            _files++;
            Observed();
        }
    }

    /// <summary>The bytes done so far in the current step.</summary>
    internal long Value => _done + Math.Min(_current, _cap);

    /// <summary>What the amount column shows: a percentage and bytes for a bar, running counts for a spinner.</summary>
    internal string AmountText()
    {
        long total = _total;
        long value = Value;
        if (total >= 0)
        {
            value = _finished ? total : Math.Min(value, total);
            long percent = total == 0 ? (_finished ? 100 : 0) : (long)(value * 100.0 / total);
            return string.Create(CultureInfo.InvariantCulture, $"{percent,3}% {Bytes(value)}/{Bytes(total)}");
        }

        string text = string.Create(CultureInfo.InvariantCulture, $"{Bytes(value)} in {_blocks} blocks");
        long files = _files;
        return files == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}, {files} files");
    }

    /// <summary>A byte count in decimal units, as tape capacities are given.</summary>
    internal static string Bytes(long bytes)
    {
        if (bytes < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < 4)
        {
            value /= 1000;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {"kMGTP"[unit]}B");
    }

    /// <summary>Counts bytes seen by a decorator (one call per block or read).</summary>
    private void Observe(int bytes)
    {
        _current += bytes;
        _blocks++;
        Observed();
    }

    private IEnumerable<T> Iterate<T>(IEnumerable<T> items, Func<T, long?> size)
    {
        foreach (T item in items)
        {
            _current = 0;
            _cap = size(item) ?? long.MaxValue;
            yield return item;
            _done += _cap == long.MaxValue ? _current : _cap;
            _current = 0;
            _cap = long.MaxValue;
            Observed();
        }
    }

    private void Reset(long? total)
    {
        _done = _current = _blocks = _files = 0;
        _cap = long.MaxValue;
        _total = total ?? -1;
        _finished = false;
        _nextPush = 0;
    }

    /// <summary>Passes the count to the bar, at most every <see cref="PushIntervalMs"/>.</summary>
    private void Observed()
    {
        long now = Environment.TickCount64;
        if (now < _nextPush || _task is not { } task)
        {
            return;
        }

        _nextPush = now + PushIntervalMs;
        if (!task.IsIndeterminate)
        {
            task.Value = Math.Min(Value, task.MaxValue);
        }
    }

    private void Finish()
    {
        _finished = true;
        if (_task is { } task)
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
        }
    }

    private static string Shorten(string label) => label.Length <= LabelLength ? label : "…" + label[^(LabelLength - 1)..];

    private static IAnsiConsole TerminalOver(TextWriter error) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(error),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.Yes,
    });

    /// <summary>The bytes done (and the total, or the running counts of a scan), from the helper's own counters.</summary>
    private sealed class AmountColumn(CliProgress owner) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(owner.AmountText());
    }
}

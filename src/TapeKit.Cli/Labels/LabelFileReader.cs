using System.Globalization;
using TapeKit.Labels;

namespace TapeKit.Cli.Labels;

/// <summary>
/// Reads a file of 80-byte labels, one after another or separated by newlines (<c>\n</c> or
/// <c>\r\n</c>), with bounded memory whatever the file's size.
/// </summary>
public sealed class LabelFileReader
{
    private readonly Stream _input;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _label = new byte[AnsiLabel.Length];
    private int _start;
    private int _end;
    private long _consumed;

    /// <summary>Creates a reader over <paramref name="input"/>.</summary>
    /// <param name="input">The stream of labels.</param>
    public LabelFileReader(Stream input) => _input = input ?? throw new ArgumentNullException(nameof(input));

    /// <summary>The number of labels read so far.</summary>
    public int Count { get; private set; }

    /// <summary>The byte offset in the input of the label last read.</summary>
    public long Offset { get; private set; }

    /// <summary>Reads the next label's 80 bytes.</summary>
    /// <param name="label">The label's bytes, valid until the next call.</param>
    /// <returns>False at the end of the input.</returns>
    /// <exception cref="TapeFormatException">The input ends inside a label.</exception>
    public bool TryReadNext(out ReadOnlySpan<byte> label)
    {
        label = default;
        Offset = _consumed;
        int read = 0;
        while (read < AnsiLabel.Length && Fill() > 0)
        {
            int n = Math.Min(AnsiLabel.Length - read, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(_label.AsSpan(read));
            Consume(n);
            read += n;
        }

        if (read == 0)
        {
            return false;
        }

        if (read < AnsiLabel.Length)
        {
            string shown = TapeFormatException.Printable(_label.AsSpan(0, read));
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"Label {Count + 1} at byte offset {Offset} is {read} bytes long; the input ends inside it (a label is exactly 80 bytes)."),
                "label", "block", Offset, read, shown);
        }

        // An optional separator: LF, or CR LF. A lone CR stays: it starts the next label, which then fails as non-printable.
        if (Peek(0) == '\n')
        {
            Consume(1);
        }
        else if (Peek(0) == '\r' && Peek(1) == '\n')
        {
            Consume(2);
        }

        Count++;
        label = _label;
        return true;
    }

    private int Peek(int ahead)
    {
        while (_end - _start <= ahead)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            int n = _input.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                return -1;
            }

            _end += n;
        }

        return _buffer[_start + ahead];
    }

    private int Fill() => Peek(0) < 0 ? 0 : _end - _start;

    private void Consume(int count)
    {
        _start += count;
        _consumed += count;
    }
}

namespace TapeKit.Cli;

/// <summary>Opens the files a command names, with <c>-</c> meaning standard input or output.</summary>
public static class CliFiles
{
    /// <summary>Opens <paramref name="path"/> for reading, or standard input for <c>-</c>.</summary>
    /// <param name="path">The path or <c>-</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The stream (standard input is not closed by disposing it).</returns>
    /// <exception cref="IOException">The file cannot be opened (exit code 5).</exception>
    public static Stream OpenInput(string path, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(console);
        if (path == "-")
        {
            return new NonClosingStream(console.Input);
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

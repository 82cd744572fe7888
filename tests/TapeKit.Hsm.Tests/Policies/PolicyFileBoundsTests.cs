using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Tests.Policies;

/// <summary>A policy file of gigabytes, or an endless stream, is refused at a bound instead of taking the memory.</summary>
public sealed class PolicyFileBoundsTests
{
    [Fact]
    public void A_policy_stream_larger_than_the_bound_is_refused_before_it_is_read_to_its_end()
    {
        var endless = new EndlessBlanks();
        var e = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Read(endless, "huge.json"));
        Assert.Contains("larger than 4 MiB", e.Message, StringComparison.Ordinal);
        Assert.InRange(endless.Served, PolicyFileReader.MaxBytes, PolicyFileReader.MaxBytes + (1L << 20));
    }

    [Fact]
    public void A_policy_file_just_under_the_bound_is_read()
    {
        byte[] json = """{ "Version": 1, "Rules": [ { "Name": "all", "DiskLibrary": "dl1" } ] }"""u8.ToArray();
        byte[] padded = [.. json, .. Enumerable.Repeat((byte)' ', PolicyFileReader.MaxBytes - json.Length)];
        (PolicySet set, _) = PolicyFileReader.Read(new MemoryStream(padded), "padded.json");
        Assert.Equal("all", Assert.Single(set.Rules).Name);
    }

    /// <summary>An opening brace followed by blanks forever, counting what it served.</summary>
    private sealed class EndlessBlanks : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Served > 64L << 20)
            {
                return 0; // before the bound existed, the reader would have taken all of this (and more) into memory
            }

            buffer.Fill((byte)' ');
            if (Served == 0 && buffer.Length > 0)
            {
                buffer[0] = (byte)'{';
            }

            Served += buffer.Length;
            return buffer.Length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

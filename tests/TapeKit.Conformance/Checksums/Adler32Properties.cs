using FsCheck;
using FsCheck.Fluent;
using TapeKit.Checksums;
using TapeKit.Conformance.Support;
using Xunit.Abstractions;
using SharpAdler32 = ICSharpCode.SharpZipLib.Checksum.Adler32;

namespace TapeKit.Conformance.Checksums;

/// <summary>TapeKit's vectorised Adler-32 against SharpZipLib's over random inputs and chunkings.</summary>
public sealed class Adler32Properties(ITestOutputHelper output)
{
    private static Gen<(byte[] Data, int[] Cuts)> Inputs() =>
        from length in Gen.OneOf(Gen.Choose(0, 100), Gen.Choose(0, 6000), Gen.Choose(0, 70_000))
        from seed in Gen.Choose(0, int.MaxValue)
        from fill in Gen.Elements(0, 1, 2)
        from cuts in Gen.ArrayOf(Gen.Choose(0, length))
        select (Fill(length, seed, fill), cuts);

    private static byte[] Fill(int length, int seed, int fill)
    {
        byte[] data = new byte[length];
        switch (fill)
        {
            case 0:
                new Random(seed).NextBytes(data);
                break;
            case 1:
                data.AsSpan().Fill(0xFF);
                break;
            default:
                for (int i = 0; i < length; i++)
                {
                    data[i] = (byte)(i * seed);
                }

                break;
        }

        return data;
    }

    [Fact]
    public void Adler32_equals_SharpZipLib_for_any_input_and_chunking()
    {
        var property = Prop.ForAll(Inputs().ToArbitrary(), input =>
        {
            var reference = new SharpAdler32();
            reference.Update(new ArraySegment<byte>(input.Data));
            uint expected = (uint)reference.Value;

            int[] cuts = input.Cuts.Distinct().Order().ToArray();
            uint chunked = Adler32.Initial;
            int previous = 0;
            foreach (int cut in cuts.Append(input.Data.Length))
            {
                chunked = Adler32.Update(chunked, input.Data.AsSpan(previous, cut - previous));
                previous = cut;
            }

            return Adler32.Compute(input.Data) == expected && chunked == expected;
        });
        PropertyRun.Check(output, property, maxTest: 1000);
    }
}

using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using TapeKit.Conformance.Support;
using TapeKit.Devices.St;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// TapeKit's managed mtio constants and structure layouts against the system headers, as printed by
/// <c>tapekit_mtio_probe</c> (spec/tape-devices.md §1.8, §8.5): nothing is trusted as hand-typed.
/// </summary>
public sealed class MtioAbiTests
{
    private static JsonElement Probe()
    {
        string probe = Path.Combine(NativeEmulation.ArtifactsDirectory, "tapekit_mtio_probe");
        var start = new ProcessStartInfo(probe) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + probe);
        string json = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return JsonDocument.Parse(json).RootElement;
    }

    [EmulationFact]
    public void Structure_sizes_and_offsets_match_the_headers()
    {
        var p = Probe();
        Assert.Equal(p.GetProperty("sizeof").GetProperty("mtop").GetInt32(), Marshal.SizeOf<MtOp>());
        Assert.Equal(p.GetProperty("sizeof").GetProperty("mtget").GetInt32(), Marshal.SizeOf<MtGet>());
        Assert.Equal(p.GetProperty("sizeof").GetProperty("mtpos").GetInt32(), Marshal.SizeOf<MtPos>());
        Assert.Equal(8, Marshal.SizeOf<MtOp>());
        Assert.Equal(48, Marshal.SizeOf<MtGet>());
        Assert.Equal(8, Marshal.SizeOf<MtPos>());
        (string C, string Managed)[] mtget =
        [
            ("mt_type", nameof(MtGet.Type)), ("mt_resid", nameof(MtGet.Resid)), ("mt_dsreg", nameof(MtGet.DsReg)),
            ("mt_gstat", nameof(MtGet.GStat)), ("mt_erreg", nameof(MtGet.ErReg)), ("mt_fileno", nameof(MtGet.FileNo)), ("mt_blkno", nameof(MtGet.BlkNo)),
        ];
        foreach (var (c, managed) in mtget)
        {
            Assert.Equal(p.GetProperty("mtget").GetProperty(c).GetProperty("offset").GetInt32(), (int)Marshal.OffsetOf<MtGet>(managed));
        }

        Assert.Equal(p.GetProperty("mtop").GetProperty("mt_count").GetProperty("offset").GetInt32(), (int)Marshal.OffsetOf<MtOp>(nameof(MtOp.Count)));
        Assert.Equal(p.GetProperty("mtpos").GetProperty("mt_blkno").GetProperty("size").GetInt32(), Marshal.SizeOf<CLong>());
    }

    [EmulationFact]
    public void Request_numbers_are_computed_exactly_as_the_headers_define_them()
    {
        var r = Probe().GetProperty("requests");
        var current = MtioRequests.Current;
        Assert.Equal(r.GetProperty("MTIOCTOP").GetUInt64(), (ulong)current.Top);
        Assert.Equal(r.GetProperty("MTIOCGET").GetUInt64(), (ulong)current.Get);
        Assert.Equal(r.GetProperty("MTIOCPOS").GetUInt64(), (ulong)current.Pos);
        Assert.Equal(0x40086d01UL, (ulong)MtioRequests.For(Architecture.Arm64).Top);
        Assert.Equal(0x80086d01UL, (ulong)MtioRequests.For(Architecture.Ppc64le).Top);
        Assert.Throws<PlatformNotSupportedException>(() => MtioRequests.For(Architecture.Wasm));
    }

    [EmulationFact]
    public void Every_managed_constant_equals_the_header_value()
    {
        var p = Probe();
        int compared = 0;
        compared += Compare(p.GetProperty("ops"), typeof(MtOpCode), name => name, required: true);
        compared += Compare(p.GetProperty("gstat"), typeof(Gmt), name => name["GMT_".Length..], required: true);
        compared += Compare(p.GetProperty("st_options"), typeof(StOption), name => name["MT_ST_".Length..], required: false);
        compared += Compare(p.GetProperty("open_flags"), typeof(OpenFlags), name => name, required: true);
        compared += Compare(p.GetProperty("errno"), typeof(Errno), name => name, required: true);
        Assert.True(compared >= 80, $"only {compared} constants were compared");
    }

    private static int Compare(JsonElement group, Type constants, Func<string, string> managedName, bool required)
    {
        int n = 0;
        foreach (var property in group.EnumerateObject())
        {
            var field = constants.GetField(managedName(property.Name), BindingFlags.Public | BindingFlags.Static);
            if (field is null)
            {
                Assert.False(required, $"{constants.Name} lacks {property.Name}");
                continue;
            }

            long managed = Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(property.Value.GetInt64() == managed, $"{property.Name}: headers say {property.Value}, TapeKit says {managed}");
            n++;
        }

        return n;
    }
}

using System.Text;
using System.Text.Json;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary><c>tapekit vtape</c> and <c>tapekit mt</c> run in-process, with the exit codes of the DESIGN.md contract.</summary>
public sealed class VtapeAndMtCommandsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public VtapeAndMtCommandsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Create_dump_verify_and_mt_round_trip()
    {
        string cart = Path.Combine(_root, "A00001.tkvt");
        Assert.Equal(0, Run("vtape", "create", cart, "--vsn", "A00001", "--media", "lto9", "--capacity", "100000000", "--no-label").Code);
        Assert.Equal(0, Run("mt", "--device", cart, "weof", "2").Code);
        var dump = Run("vtape", "dump", "--canonical", cart);
        Assert.Equal("0 filemark 0 0 00000000\n1 filemark 0 0 00000000\ncommit sequence=2 objects=2 data=0 tape=0 filemarks=2\n", dump.Out);
        using var json = JsonDocument.Parse(Run("vtape", "dump", "--json", cart).Out);
        Assert.Equal("A00001", json.RootElement.GetProperty("vsn").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("objects").GetArrayLength());
        Assert.Equal(0, Run("vtape", "verify", cart).Code);

        var status = Run("mt", "--device", cart, "status", "--json");
        using var s = JsonDocument.Parse(status.Out);
        Assert.Equal("BOT ONLINE", s.RootElement.GetProperty("flags").GetString());
        Assert.Equal(0, Run("mt", "--device", cart, "fsf", "2").Code);
        var pastEnd = Run("mt", "--device", cart, "fsf", "3");
        Assert.Equal(ExitCodes.DeviceOrIo, pastEnd.Code);
        Assert.Contains("end of data", pastEnd.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_damage_and_write_protection_have_their_exit_codes()
    {
        Assert.Equal(ExitCodes.Usage, Run("vtape", "create", Path.Combine(_root, "x"), "--vsn", "bad-vsn").Code);
        Assert.Equal(ExitCodes.Usage, Run("vtape", "create", Path.Combine(_root, "x"), "--vsn", "X1", "--media", "lto11").Code);
        string cart = Path.Combine(_root, "B00001.tkvt");
        Assert.Equal(0, Run("vtape", "create", cart, "--vsn", "B00001", "--write-protect").Code);
        var refused = Run("mt", "--device", cart, "weof", "1");
        Assert.Equal(ExitCodes.Refused, refused.Code);
        Assert.Contains("write-protected", refused.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, Run("mt", "--device", cart, "fsr", "0").Code);
        File.WriteAllText(Path.Combine(cart, "header"), "not a cartridge header");
        Assert.Equal(ExitCodes.InvalidInput, Run("vtape", "verify", cart).Code);
        Assert.Equal(ExitCodes.InvalidInput, Run("vtape", "dump", cart).Code);
    }
}

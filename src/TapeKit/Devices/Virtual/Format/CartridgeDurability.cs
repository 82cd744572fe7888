namespace TapeKit.Devices.Virtual.Format;

/// <summary>How hard a cartridge's sync points push data to stable storage (docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes).</summary>
public enum CartridgeDurability
{
    /// <summary>Commit slots are written but no <c>fdatasync</c> is issued: survives a crashed process, not an OS crash. The default for tests.</summary>
    Process,

    /// <summary>Every sync point calls <c>fdatasync</c> on <c>data</c>, <c>index</c> and <c>header</c>: survives an OS crash.</summary>
    Full,
}

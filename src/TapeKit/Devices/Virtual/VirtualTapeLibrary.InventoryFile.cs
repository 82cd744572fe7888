using System.Globalization;
using System.Text.Json;

namespace TapeKit.Devices.Virtual;

/// <summary>The inventory file, <c>&lt;root&gt;/library.json</c>: slots, drives and homes, rewritten atomically after every change.</summary>
public sealed partial class VirtualTapeLibrary
{
    private void SaveInventory()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", Options.Name);
            WriteSlots(json, "storage", _storage);
            WriteSlots(json, "importExport", _mail);
            json.WriteStartArray("drives");
            for (int i = 0; i < _drives.Length; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("drive", i);
                if (_mounted.GetValueOrDefault(i) is { } m)
                {
                    json.WriteString("vsn", m.Vsn);
                    json.WriteString("home", _homes[i]!.Value.Kind == SlotKind.Storage ? "storage" : "importExport");
                    json.WriteNumber("homeSlot", _homes[i]!.Value.Number);
                    if (Options.Shared)
                    {
                        json.WriteNumber("headOffset", _heads[i]);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        string temp = InventoryFile + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            buffer.Position = 0;
            buffer.CopyTo(file);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, InventoryFile, overwrite: true);
    }

    private static void WriteSlots(Utf8JsonWriter json, string name, string?[] slots)
    {
        json.WriteStartObject(name);
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i] is { } vsn)
            {
                json.WriteString((i + 1).ToString(CultureInfo.InvariantCulture), vsn);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Reads library.json. A cartridge that was in a drive when the process ended goes back to its home slot (the
    /// drive idled and the operator unloaded it) — except in a shared library, where other processes may be using
    /// the drive: there it stays in the drive, as in a real library after one of its hosts crashed.
    /// </summary>
    private void LoadInventory()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(InventoryFile));
        var root = doc.RootElement;
        Array.Clear(_storage);
        Array.Clear(_mail);
        ReadSlots(root.GetProperty("storage"), _storage);
        ReadSlots(root.GetProperty("importExport"), _mail);
        var inDrives = new (string Vsn, SlotAddress Home)?[_drives.Length];
        foreach (var d in root.GetProperty("drives").EnumerateArray())
        {
            if (d.TryGetProperty("vsn", out var vsn) && d.TryGetProperty("homeSlot", out var slot))
            {
                var kind = d.GetProperty("home").GetString() == "storage" ? SlotKind.Storage : SlotKind.ImportExport;
                var home = new SlotAddress(kind, slot.GetInt32());
                int number = d.GetProperty("drive").GetInt32();
                if (!Options.Shared)
                {
                    // Back home; when another cartridge took the home slot meanwhile, to the first empty storage slot — a
                    // cartridge is never dropped from the inventory (a crash with a cartridge in a drive, found by the fault campaign).
                    int free = Array.IndexOf(_storage, null);
                    SetSlot(GetSlot(home) is null || free < 0 ? home : SlotAddress.Storage(free + 1), vsn.GetString());
                }
                else if (number >= 0 && number < _drives.Length)
                {
                    inDrives[number] = (vsn.GetString()!, home);
                    _heads[number] = d.TryGetProperty("headOffset", out var head) ? head.GetInt64() : 0;
                }
            }
        }

        if (Options.Shared)
        {
            SetDrivesFromInventory(inDrives);
        }
    }

    private static void ReadSlots(JsonElement element, string?[] slots)
    {
        foreach (var p in element.EnumerateObject())
        {
            int n = int.Parse(p.Name, CultureInfo.InvariantCulture);
            if (n >= 1 && n <= slots.Length)
            {
                slots[n - 1] = p.Value.GetString();
            }
        }
    }
}

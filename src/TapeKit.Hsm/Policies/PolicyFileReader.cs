using System.Globalization;
using System.Text.Json;
using TapeKit.Hsm.Model;
namespace TapeKit.Hsm.Policies;

/// <summary>
/// Reads a policy set (docs/hsm/overview.md#policies) from a JSON file: the configuration binding of <see cref="PolicySet"/>, as a
/// bare object or inside an <c>appsettings.json</c> under <c>TapeKit:Hsm:Policies</c>.
/// </summary>
/// <remarks>
/// <para>The format (property names case-insensitive; comments and trailing commas allowed):</para>
/// <code>
/// { "Version": 12, "Rules": [
///   { "Name": "lqcd", "Order": 10, "Match": { "library": "CD-10KCF1", "storageGroup": "lqcd" },
///     "DiskLibrary": "CD-DiskSF", "Format": "Il", "SmallFileThreshold": 4000000000, "MaxMemberSize": 4000000000,
///     "MaxBytes": 4000000000, "MaxFilesPerAggregation": 10000, "MaxWaitingTime": "24:00:00",
///     "TapePool": "lqcd", "CopyCount": 2, "Priority": "High", "CollocateBy": [ "dataset" ] },
///   { "Name": "default", "DiskLibrary": "CD-DiskSF" } ] }
/// </code>
/// <para>Every rule field but <c>Name</c> and <c>DiskLibrary</c> is optional and defaults as <see cref="PolicyRule"/> does.
/// <c>Format</c> is <c>Il</c> or <c>Tar</c>; <c>Priority</c> is <c>Low</c>, <c>Normal</c>, <c>High</c> or <c>Urgent</c>;
/// <c>MaxWaitingTime</c> is <c>[d.]hh:mm:ss</c>; sizes are integers (or strings of digits, as configuration binding
/// allows). A field this reader does not know is an error, so a misspelt field cannot silently fall back to a default.
/// <see cref="Read"/> then validates the set as the HSM validates it at load (docs/hsm/overview.md#policies). Any host (a CLI,
/// a daemon reading its configuration) reads policy files the same strict way.</para>
/// </remarks>
public static class PolicyFileReader
{
    /// <summary>The largest policy file read: 4 MiB (a set of thousands of rules is a few hundred kilobytes).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads a policy set from a stream and compiles it: parsed strictly, then validated as the HSM validates it at load.</summary>
    /// <param name="stream">The JSON; read to its end, not closed.</param>
    /// <param name="source">The file name, for messages.</param>
    /// <returns>The set as read and its compiled selector.</returns>
    /// <exception cref="PolicyFileException">The text is not JSON, not a policy set, or the set is invalid; the message names the rule and field;
    /// or the stream holds more than <see cref="MaxBytes"/> bytes.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static (PolicySet Set, PolicySelector Selector) Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                // A policy set is a few kilobytes; a file of gigabytes (or an endless stream) must not take the memory with it.
                throw new PolicyFileException($"{source}: the file is larger than {MaxBytes / (1024 * 1024)} MiB, the most a policy file may hold.");
            }

            buffer.Write(chunk, 0, read);
        }

        PolicySet set = Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), source);
        try
        {
            return (set, new PolicySelector(set));
        }
        catch (PolicyValidationException e)
        {
            throw new PolicyFileException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Reads a policy set from JSON text without validating it.</summary>
    /// <param name="json">The UTF-8 JSON.</param>
    /// <param name="path">The file name, for messages.</param>
    /// <returns>The set.</returns>
    /// <exception cref="PolicyFileException">The text is not JSON or not a policy set; the message names the rule and field.</exception>
    public static PolicySet Parse(ReadOnlyMemory<byte> json, string path)
    {
        // The JSON reader checks structure, not the bytes inside strings and names: invalid UTF-8 there surfaced as an
        // InvalidOperationException when a value was read (found by fuzzing). Refuse it first, naming the byte.
        int bad = FirstInvalidUtf8(json.Span);
        if (bad >= 0)
        {
            throw new PolicyFileException($"{path}: not valid JSON: byte {bad} starts no UTF-8 sequence.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new PolicyFileException($"{path}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            try
            {
                return Walk(document.RootElement, path);
            }
            catch (InvalidOperationException e) when (e is not HsmException)
            {
                // Valid UTF-8 can still escape a lone surrogate ("\ud800"): no text, so no name or value.
                throw new PolicyFileException($"{path}: invalid policy file: a name or string value is not valid text ({e.Message}).", e);
            }
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int at = 0;
        while (at < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[at..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return -1;
    }

    private static PolicySet Walk(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "the file must hold a JSON object with \"Rules\"");
        }

        if (Property(root, "TapeKit") is { } tapeKit)
        {
            JsonElement hsm = Section(path, Property(Section(path, tapeKit, "TapeKit"), "Hsm"), "TapeKit:Hsm");
            root = Section(path, Property(hsm, "Policies"), "TapeKit:Hsm:Policies");
        }

        var set = new PolicySet();
        bool rules = false;
        foreach (JsonProperty p in root.EnumerateObject())
        {
            switch (p.Name.ToUpperInvariant())
            {
                case "VERSION":
                    set.Version = (int)Integer(path, "the set", p, int.MinValue, int.MaxValue);
                    break;
                case "RULES":
                    if (p.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw Invalid(path, $"\"{p.Name}\" must be an array of rules");
                    }

                    int index = 0;
                    foreach (JsonElement rule in p.Value.EnumerateArray())
                    {
                        set.Rules.Add(Rule(path, rule, ++index));
                    }

                    rules = true;
                    break;
                default:
                    throw Invalid(path, $"unknown field \"{p.Name}\" in the set (expected Version and Rules)");
            }
        }

        if (!rules)
        {
            throw Invalid(path, "the set has no \"Rules\" array");
        }

        return set;
    }

    private static PolicyRule Rule(string path, JsonElement element, int index)
    {
        string where = $"rule #{index}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{where} must be an object");
        }

        if (Property(element, "Name") is { ValueKind: JsonValueKind.String } name)
        {
            where = $"rule #{index} '{name.GetString()}'";
        }

        var rule = new PolicyRule();
        foreach (JsonProperty p in element.EnumerateObject())
        {
            switch (p.Name.ToUpperInvariant())
            {
                case "NAME":
                    rule.Name = Text(path, where, p);
                    break;
                case "ORDER":
                    rule.Order = (int)Integer(path, where, p, int.MinValue, int.MaxValue);
                    break;
                case "MATCH":
                    if (p.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(path, $"{where}: field \"{p.Name}\" must be an object of attribute: pattern");
                    }

                    foreach (JsonProperty m in p.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                        {
                            throw Invalid(path, $"{where}: the pattern of \"{p.Name}.{m.Name}\" must be a string");
                        }

                        if (!rule.Match.TryAdd(m.Name, m.Value.GetString()!))
                        {
                            throw Invalid(path, $"{where}: \"{p.Name}\" names attribute \"{m.Name}\" twice");
                        }
                    }

                    break;
                case "COLLOCATEBY":
                    if (p.Value.ValueKind != JsonValueKind.Array || p.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                    {
                        throw Invalid(path, $"{where}: field \"{p.Name}\" must be an array of attribute names");
                    }

                    rule.CollocateBy = [.. p.Value.EnumerateArray().Select(e => e.GetString()!)];
                    break;
                case "DISKLIBRARY":
                    rule.DiskLibrary = Text(path, where, p);
                    break;
                case "TAPEPOOL":
                    rule.TapePool = Text(path, where, p);
                    break;
                case "FORMAT":
                    rule.Format = Choice(path, where, p, [AggregationPayloadFormat.Il, AggregationPayloadFormat.Tar]);
                    break;
                case "PRIORITY":
                    rule.Priority = Choice(path, where, p, Enum.GetValues<RequestPriority>());
                    break;
                case "SMALLFILETHRESHOLD":
                    rule.SmallFileThreshold = Integer(path, where, p, long.MinValue, long.MaxValue);
                    break;
                case "MAXMEMBERSIZE":
                    rule.MaxMemberSize = Integer(path, where, p, long.MinValue, long.MaxValue);
                    break;
                case "MAXBYTES":
                    rule.MaxBytes = Integer(path, where, p, long.MinValue, long.MaxValue);
                    break;
                case "MAXFILESPERAGGREGATION":
                    rule.MaxFilesPerAggregation = (int)Integer(path, where, p, int.MinValue, int.MaxValue);
                    break;
                case "COPYCOUNT":
                    rule.CopyCount = (int)Integer(path, where, p, int.MinValue, int.MaxValue);
                    break;
                case "MAXWAITINGTIME":
                    string text = Text(path, where, p);
                    if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out TimeSpan wait))
                    {
                        throw Invalid(path, $"{where}: field \"{p.Name}\" is \"{text}\", not a duration [d.]hh:mm:ss");
                    }

                    rule.MaxWaitingTime = wait;
                    break;
                default:
                    throw Invalid(path, $"{where}: unknown field \"{p.Name}\"");
            }
        }

        return rule;
    }

    private static JsonElement Section(string path, JsonElement? element, string at) => element switch
    {
        null => throw Invalid(path, $"there is no \"{at}\" section"),
        { ValueKind: JsonValueKind.Object } e => e,
        _ => throw Invalid(path, $"\"{at}\" must be an object"),
    };

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string Text(string path, string where, JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Invalid(path, $"{where}: field \"{p.Name}\" must be a string, not {p.Value.GetRawText()}");

    private static long Integer(string path, string where, JsonProperty p, long min, long max)
    {
        long value = 0;
        bool ok = (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out value))
            || (p.Value.ValueKind == JsonValueKind.String && long.TryParse(p.Value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value));
        return ok && value >= min && value <= max
            ? value
            : throw Invalid(path, $"{where}: field \"{p.Name}\" must be an integer{(max == int.MaxValue ? " of 32 bits" : string.Empty)}, not {p.Value.GetRawText()}");
    }

    private static T Choice<T>(string path, string where, JsonProperty p, T[] allowed) where T : struct, Enum
    {
        string? text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
        foreach (T value in allowed)
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw Invalid(path, $"{where}: field \"{p.Name}\" is {p.Value.GetRawText()}; expected one of {string.Join(", ", allowed)}");
    }

    private static PolicyFileException Invalid(string path, string problem) => new($"{path}: invalid policy file: {problem}.");
}

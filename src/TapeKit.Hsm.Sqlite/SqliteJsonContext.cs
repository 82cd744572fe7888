using System.Text.Json.Serialization;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

/// <summary>JSON of the columns that hold structured values.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyDecision))]
[JsonSerializable(typeof(ListLimits))]
[JsonSerializable(typeof(Checksum[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;

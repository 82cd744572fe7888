using System.Text.Json.Serialization;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Postgres;

/// <summary>JSON of the <c>jsonb</c> columns that hold structured values (the same shape as the SQLite store's).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyDecision))]
[JsonSerializable(typeof(ListLimits))]
[JsonSerializable(typeof(Checksum[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PostgresJsonContext : JsonSerializerContext;

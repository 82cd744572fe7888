using System.Text.Json;
using System.Text.Json.Serialization;

namespace TapeKit.Bench.HsmScale;

/// <summary>The JSON of the store's structured columns, written as the store writes it (camelCase, enums as strings).</summary>
internal static class CatalogJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Of<T>(T value) => JsonSerializer.Serialize(value, Options);
}

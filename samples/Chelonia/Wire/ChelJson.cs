using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chelonia.Wire;

/// <summary>The one JSON shape of every Chelonia message: camelCase names, enums as camelCase strings.</summary>
public static class ChelJson
{
    /// <summary>The options used by the services and their clients.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the Chelonia settings to <paramref name="options"/> (the minimal APIs' own options).</summary>
    /// <param name="options">The options to change.</param>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}

using System.Net;
using System.Net.Http.Json;

namespace Chelonia.Wire;

/// <summary>Reading answers of Chelonia services: the body on success, a <see cref="ChelHttpException"/> with the error body otherwise.</summary>
public static class ChelHttp
{
    /// <summary>The body of a successful answer.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="response">The answer.</param>
    /// <param name="service">Who answered (for the message).</param>
    /// <param name="ct">Cancels the read.</param>
    /// <exception cref="ChelHttpException">The answer is an error.</exception>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, string service, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        await EnsureAsync(response, service, ct);
        return await response.Content.ReadFromJsonAsync<T>(ChelJson.Options, ct)
            ?? throw new ChelHttpException(response.StatusCode, new ChelError("emptyBody", "The answer has no body."), service);
    }

    /// <summary>Throws unless the answer is a success.</summary>
    /// <param name="response">The answer.</param>
    /// <param name="service">Who answered.</param>
    /// <param name="ct">Cancels the read.</param>
    /// <exception cref="ChelHttpException">The answer is an error.</exception>
    public static async Task EnsureAsync(HttpResponseMessage response, string service, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        throw new ChelHttpException(response.StatusCode, await ErrorOfAsync(response, ct), service);
    }

    /// <summary>The error body of an answer (one made up when it has none).</summary>
    /// <param name="response">The answer.</param>
    /// <param name="ct">Cancels the read.</param>
    public static async Task<ChelError> ErrorOfAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            if (System.Text.Json.JsonSerializer.Deserialize<ChelError>(text, ChelJson.Options) is { Error: not null } e)
            {
                return e;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return new ChelError(response.StatusCode == HttpStatusCode.NotFound ? "notFound" : "http" + (int)response.StatusCode,
            text.Length == 0 ? response.ReasonPhrase ?? "No detail." : text);
    }
}

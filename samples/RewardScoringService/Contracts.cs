using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardScoringService;

/// <summary>POST /score body.</summary>
public sealed record ScoreRequest(string? Prompt, IReadOnlyList<string>? Responses)
{
    /// <summary>Most responses scored in one request.</summary>
    public const int MaxResponses = 256;

    /// <summary>What is wrong with the request, or null.</summary>
    public string? Validate()
    {
        if (Prompt is null)
        {
            return "'prompt' is required";
        }

        if (Responses is null || Responses.Count == 0)
        {
            return "'responses' must be a non-empty array of strings";
        }

        if (Responses.Count > MaxResponses)
        {
            return $"at most {MaxResponses} responses per request ({Responses.Count} given)";
        }

        return Responses.Any(r => r is null) ? "'responses' must not contain null" : null;
    }
}

/// <summary>POST /score result: one reward per response, in order.</summary>
public sealed record ScoreResponse(float[] Rewards);

/// <summary>A 400 answer.</summary>
public sealed record ErrorResponse(string Error);

/// <summary>GET /health result.</summary>
public sealed record HealthResponse(string Status, string Model);

/// <summary>Source-generated JSON for the service's contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreRequest))]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;

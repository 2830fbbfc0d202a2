using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardScoringService;

/// <summary>POST /score body.</summary>
public sealed record ScoreRequest(string? Prompt, IReadOnlyList<string>? Responses)
{
    /// <summary>What is wrong with the request, by field (the keys of an RFC 7807 validation problem), or null.</summary>
    public Dictionary<string, string[]>? Validate(ServiceSettings limits)
    {
        var errors = new Dictionary<string, string[]>();
        if (Prompt is null)
        {
            errors["prompt"] = ["'prompt' is required"];
        }
        else if (Prompt.Length > limits.MaxTextLength)
        {
            errors["prompt"] = [$"'prompt' has {Prompt.Length} characters; at most {limits.MaxTextLength} are scored"];
        }

        if (Responses is null || Responses.Count == 0)
        {
            errors["responses"] = ["'responses' must be a non-empty array of strings"];
        }
        else if (Responses.Count > limits.MaxResponses)
        {
            errors["responses"] = [$"at most {limits.MaxResponses} responses per request ({Responses.Count} given)"];
        }
        else
        {
            for (int i = 0; i < Responses.Count; i++)
            {
                if (Responses[i] is not { } response)
                {
                    errors[$"responses[{i}]"] = ["must be a string, not null"];
                }
                else if (response.Length > limits.MaxTextLength)
                {
                    errors[$"responses[{i}]"] = [$"has {response.Length} characters; at most {limits.MaxTextLength} are scored"];
                }
            }
        }

        return errors.Count == 0 ? null : errors;
    }
}

/// <summary>POST /score result: one reward per response, in order.</summary>
public sealed record ScoreResponse(float[] Rewards);

/// <summary>GET /health result.</summary>
public sealed record HealthResponse(string Status, string Model);

/// <summary>Source-generated JSON for the service's contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreRequest))]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;

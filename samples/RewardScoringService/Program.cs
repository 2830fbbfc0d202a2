// A reward-scoring service: loads an ML.NET reward model zip once and serves
//   POST /score {"prompt": "...", "responses": ["...", "..."]}  ->  {"rewards": [r1, r2]}
//   GET  /health                                               ->  {"status": "ok", "model": "<path>"}
// on 127.0.0.1 only. Usage: see ServiceSettings.Usage. Exit codes: 2 wrong arguments, 3 the model file cannot be served.
// The model is any zip saved with mlContext.Model.Save from a pipeline that reads Prompt and Response and writes a
// Single score column (sample 1 writes one). Requests are scored with ITransformer.Transform on a batch of rows: a
// loaded transformer is immutable and every Transform call makes its own cursors, so concurrent requests share it
// safely without a pool of prediction engines.
// Bounds: at most MaxConcurrentRequests are scored at once and MaxQueuedRequests wait (then 429); a body above
// MaxBodyBytes is answered 413, a request above MaxResponses or MaxTextLength 400. Every error body is RFC 7807
// problem+json.
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using RewardScoringService;

const int UsageExitCode = 2, ModelFileExitCode = 3;
var settings = ServiceSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine(ServiceSettings.Usage);
    return UsageExitCode;
}

RewardScorer scorer;
try
{
    scorer = RewardScorer.Load(settings.ModelPath, settings.ScoreColumn);
}
catch (ModelFileException e)
{
    Console.Error.WriteLine($"error: cannot serve the model {e.Message}");
    return ModelFileExitCode;
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port}");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxBodyBytes);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJsonContext.Default));
builder.Services.AddProblemDetails();
const string ScoringPolicy = "scoring";
builder.Services.AddRateLimiter(limiter =>
{
    limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    limiter.AddConcurrencyLimiter(ScoringPolicy, o =>
    {
        o.PermitLimit = settings.MaxConcurrentRequests;
        o.QueueLimit = settings.MaxQueuedRequests;
        o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
    });
});
var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages(); // turns the empty 429 of the rate limiter (and any other empty error) into problem+json
app.UseRateLimiter();

app.MapGet("/health", () => Results.Ok(new HealthResponse("ok", settings.ModelPath)));
app.MapPost("/score", async (HttpRequest http, CancellationToken cancel) =>
{
    // The body is read here rather than bound by the framework so that malformed JSON and an oversized body get a
    // problem+json answer that says what was wrong (framework binding answers an empty 400).
    ScoreRequest? request;
    try
    {
        request = await JsonSerializer.DeserializeAsync(http.Body, ServiceJsonContext.Default.ScoreRequest, cancel);
    }
    catch (JsonException e)
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON",
            detail: $"expected a JSON object {{\"prompt\": \"...\", \"responses\": [\"...\"]}}: {e.Message}");
    }
    catch (BadHttpRequestException e)
    {
        return Results.Problem(statusCode: e.StatusCode, detail: e.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? $"the body is larger than {settings.MaxBodyBytes} bytes (--max-body-bytes)" : e.Message);
    }

    if (request is null)
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not a JSON object",
            detail: "expected a JSON object {\"prompt\": \"...\", \"responses\": [\"...\"]}");
    }

    if (request.Validate(settings) is { } errors)
    {
        return Results.ValidationProblem(errors);
    }

    return Results.Ok(new ScoreResponse(scorer.Score(request.Prompt!, request.Responses!)));
}).RequireRateLimiting(ScoringPolicy);

Console.WriteLine($"RewardScoringService: model {settings.ModelPath}, listening on http://127.0.0.1:{settings.Port}");
app.Run();
return 0;

// A reward-scoring service: loads an ML.NET reward model zip once and serves
//   POST /score {"prompt": "...", "responses": ["...", "..."]}  ->  {"rewards": [r1, r2]}
//   GET  /health                                               ->  {"status": "ok", "model": "<path>"}
// on 127.0.0.1 only. Usage: dotnet RewardScoringService.dll --model reward.zip [--port 5080] [--score-column Score]
// The model is any zip saved with mlContext.Model.Save from a pipeline that reads Prompt and Response and writes a
// Single score column (sample 1 writes one). Requests are scored with ITransformer.Transform on a batch of rows: a
// loaded transformer is immutable and every Transform call makes its own cursors, so concurrent requests share it
// safely without a pool of prediction engines.
using Microsoft.ML;
using RewardScoringService;

var settings = ServiceSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: RewardScoringService --model <reward.zip> [--port 5080] [--score-column Score]");
    return 2;
}

var scorer = RewardScorer.Load(settings.ModelPath, settings.ScoreColumn);
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJsonContext.Default));
var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new HealthResponse("ok", settings.ModelPath)));
app.MapPost("/score", (ScoreRequest? request) =>
{
    string? problem = request is null ? "the body must be a JSON object {\"prompt\": \"...\", \"responses\": [\"...\"]}" : request.Validate();
    if (problem is not null)
    {
        return Results.BadRequest(new ErrorResponse(problem));
    }

    return Results.Ok(new ScoreResponse(scorer.Score(request!.Prompt!, request.Responses!)));
});

Console.WriteLine($"RewardScoringService: model {settings.ModelPath}, listening on http://127.0.0.1:{settings.Port}");
app.Run();
return 0;

using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using MLNet.Rewards.Generation;
using CoreMessage = MLNet.Rewards.Generation.ChatMessage;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MLNet.Rewards.Extensions.AI;

/// <summary>
/// A local chat model (SmolLM2 on ONNX Runtime, <see cref="CausalLanguageModel"/>) as an <see cref="IChatClient"/>, with
/// streaming and, through <see cref="ICandidateChatClient"/>, several candidates from one shared prompt run. Requests
/// run one at a time (the model holds one decoding state); <see cref="ChatOptions"/> maps to sampling: Temperature (0 =
/// greedy), TopP, TopK, MaxOutputTokens and Seed. Stop sequences and tools are not supported and are refused.
/// </summary>
public sealed class LocalChatClient : IChatClient, ICandidateChatClient
{
    private readonly CausalLanguageModel _model;
    private readonly TextGenerator _generator;
    private readonly SamplingOptions _defaults;
    private readonly bool _ownsModel;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ChatClientMetadata _metadata;

    /// <summary>Serves <paramref name="model"/>; the caller keeps ownership of it.</summary>
    /// <param name="model">The loaded chat model.</param>
    /// <param name="defaults">Sampling used where a request's <see cref="ChatOptions"/> says nothing (default: <see cref="SamplingOptions"/>' defaults).</param>
    public LocalChatClient(CausalLanguageModel model, SamplingOptions? defaults = null)
        : this(model, defaults, ownsModel: false)
    {
    }

    private LocalChatClient(CausalLanguageModel model, SamplingOptions? defaults, bool ownsModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        _defaults = defaults ?? new SamplingOptions();
        _defaults.Validate();
        _model = model;
        _ownsModel = ownsModel;
        _generator = new TextGenerator(model);
        _metadata = new ChatClientMetadata("mlnet-rewards-local", null, Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder.Path)));
    }

    /// <summary>Loads the chat model folder (e.g. ../shared/models/SmolLM2-135M-Instruct-q4) and serves it; disposing the client disposes the model.</summary>
    public static LocalChatClient Load(string folder, CausalLanguageModelOptions? modelOptions = null, SamplingOptions? defaults = null) =>
        new(CausalLanguageModel.Load(folder, modelOptions), defaults, ownsModel: true);

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        (await GetCandidatesAsync([.. messages], 1, options, cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatResponse>> GetCandidatesAsync(IReadOnlyList<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var conversation = ToConversation(messages);
        var sampling = SamplingFor(options);
        var result = await RunExclusiveAsync(() => _generator.Generate(conversation, count, sampling, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        return [.. result.Candidates.Select(c => new ChatResponse(new ChatMessage(ChatRole.Assistant, c.Text))
        {
            ModelId = _metadata.DefaultModelId,
            CreatedAt = created,
            FinishReason = FinishReasonOf(c.FinishReason),
            Usage = new UsageDetails { InputTokenCount = result.PromptTokens, OutputTokenCount = c.TokenIds.Length, TotalTokenCount = result.PromptTokens + c.TokenIds.Length },
        })];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = ToConversation([.. messages]);
        var sampling = SamplingFor(options);
        string responseId = Guid.NewGuid().ToString("N");
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var generation = RunExclusiveAsync(
            () =>
            {
                try
                {
                    return _generator.Generate(conversation, 1, sampling, onText: p => { if (p.Text.Length > 0) { pieces.Writer.TryWrite(p.Text); } }, cancellationToken: cancellationToken);
                }
                finally
                {
                    pieces.Writer.TryComplete();
                }
            },
            cancellationToken);

        await foreach (string text in pieces.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = responseId, ModelId = _metadata.DefaultModelId };
        }

        var result = await generation.ConfigureAwait(false);
        var answer = result.Candidates[0];
        var usage = new UsageDetails { InputTokenCount = result.PromptTokens, OutputTokenCount = answer.TokenIds.Length, TotalTokenCount = result.PromptTokens + answer.TokenIds.Length };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
        {
            ResponseId = responseId,
            ModelId = _metadata.DefaultModelId,
            FinishReason = FinishReasonOf(answer.FinishReason),
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(CausalLanguageModel))
        {
            return _model;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _oneAtATime.Dispose();
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    private async Task<T> RunExclusiveAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Decoding is CPU-bound and synchronous: off the caller's thread, so streaming readers and UI threads stay free.
            return await Task.Run(work, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private SamplingOptions SamplingFor(ChatOptions? options)
    {
        if (options is null)
        {
            return _defaults;
        }

        if (options.StopSequences is { Count: > 0 })
        {
            throw new NotSupportedException("LocalChatClient does not support stop sequences; the model stops at its end-of-turn token or MaxOutputTokens");
        }

        if (options.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("LocalChatClient does not support tools");
        }

        var sampling = _defaults with
        {
            Temperature = options.Temperature ?? _defaults.Temperature,
            TopP = options.TopP ?? _defaults.TopP,
            TopK = options.TopK ?? _defaults.TopK,
            MaxNewTokens = options.MaxOutputTokens ?? _defaults.MaxNewTokens,
            Seed = options.Seed ?? _defaults.Seed,
        };
        sampling.Validate();
        return sampling;
    }

    private static List<CoreMessage> ToConversation(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("the conversation has no messages", nameof(messages));
        }

        return [.. messages.Select((m, i) => m.Role == ChatRole.User || m.Role == ChatRole.Assistant || m.Role == ChatRole.System
            ? new CoreMessage(m.Role.Value, m.Text)
            : throw new ArgumentException($"message {i} has role '{m.Role.Value}'; the local chat model takes system, user and assistant messages", nameof(messages)))];
    }

    private static ChatFinishReason FinishReasonOf(FinishReason reason) => reason == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length;
}

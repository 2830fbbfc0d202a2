using System.Numerics.Tensors;
using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class ResponseLikelihoodTests
{
    private static ResponseLikelihood Create(int maxPromptTokens = 384, int maxResponseTokens = 384) => new(SmolLm.Model, maxPromptTokens, maxResponseTokens);

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheLikelihoodIsTheSumOfEveryResponseTokensLogProbabilityAsCachedDecodingGivesIt()
    {
        // An independent path: the KV-cache decoder, one token at a time, with the log-softmax taken here.
        var model = SmolLm.Model;
        const string Prompt = "What is the capital of France?", Response = "The capital of France is Paris.";
        var measured = Create().Measure(Prompt, Response);

        int[] response = [.. model.Tokenizer.EncodeOrdinary(Response), model.EndOfTurnTokenId];
        Assert.AreEqual(response.Length, measured.Tokens);
        double Decoded(int[] context)
        {
            using var state = model.Prefill(context, 1);
            double sum = 0;
            foreach (int token in response)
            {
                var logits = state.Logits.Row(0);
                float max = TensorPrimitives.Max(logits);
                double normaliser = 0;
                foreach (float value in logits)
                {
                    normaliser += Math.Exp(value - max);
                }

                sum += logits[token] - max - Math.Log(normaliser);
                model.Step(state, [token]);
            }

            return sum;
        }

        // The 4-bit kernels quantise activations per run, so one-token steps and a whole-sequence run differ by a few
        // hundredths of a nat a token (0.045 over these 8 seen here); a position off by one would be off by nats.
        double tolerance = 0.02 * response.Length;
        Assert.AreEqual(Decoded(model.EncodeChat([ChatMessage.User(Prompt)])), measured.GivenPrompt, tolerance);
        Assert.AreEqual(Decoded(model.EncodeChat([ChatMessage.User(string.Empty)])), measured.WithoutPrompt, tolerance);
        Assert.IsLessThan(0.0, measured.GivenPrompt);
        Assert.AreEqual(measured.GivenPrompt - measured.WithoutPrompt, measured.PointwiseMutualInformation, 1e-12);
        Assert.AreEqual(measured.PointwiseMutualInformation / measured.Tokens, measured.PointwiseMutualInformationPerToken, 1e-12);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AnAnswerGainsMoreFromItsOwnQuestionThanFromAnotherOne()
    {
        var likelihood = Create();
        const string Answer = "The capital of France is Paris.";
        var own = likelihood.Measure("What is the capital of France?", Answer);
        var other = likelihood.Measure("Name three colours of the rainbow.", Answer);
        Assert.IsGreaterThan(0.0, own.PointwiseMutualInformation, "the question makes its answer more likely");
        Assert.IsGreaterThan(other.PointwiseMutualInformation, own.PointwiseMutualInformation);
        Assert.AreEqual(own.WithoutPrompt, other.WithoutPrompt, 1e-9, "without the prompt, the prompt cannot matter");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void LongPromptsAndResponsesAreCutToTheLimitsAndAnEmptyResponseScoresItsEndOfTurn()
    {
        var likelihood = Create(maxPromptTokens: 40, maxResponseTokens: 16);
        string longText = string.Join(' ', Enumerable.Repeat("a long sentence about many things", 60));
        var cut = likelihood.Measure("\n\nHuman: " + longText + "\n\nAssistant: Sure.\n\nHuman: And then?\n\nAssistant:", longText);
        Assert.AreEqual(16, cut.Tokens, "15 response tokens and the end-of-turn token");
        Assert.IsTrue(double.IsFinite(cut.PointwiseMutualInformation));

        var empty = likelihood.Measure("Say nothing.", "   ");
        Assert.AreEqual(1, empty.Tokens);
        Assert.IsLessThan(0.0, empty.GivenPrompt);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void BadLimitsAndAModelWithoutLogitsAreRefused()
    {
        Assert.ThrowsExactly<InvalidOptionException>(() => Create(maxPromptTokens: 8));
        Assert.ThrowsExactly<InvalidOptionException>(() => Create(maxResponseTokens: 0));
        using var hiddenOnly = CausalLanguageModel.LoadForHiddenStates(SmolLmFixture.Folder, new CausalLanguageModelOptions { Threads = 1 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => new ResponseLikelihood(hiddenOnly, 384, 384));
        StringAssert.Contains(e.Message, "CausalLanguageModel.Load");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheIdentityNamesTheModelFileHashAndTheLimits()
    {
        string identity = Create(100, 50).Identity;
        StringAssert.StartsWith(identity, "response-likelihood;sha256=");
        StringAssert.EndsWith(identity, ";maxPrompt=100;maxResponse=50");
        Assert.AreNotEqual(identity, Create(100, 51).Identity);
    }
}

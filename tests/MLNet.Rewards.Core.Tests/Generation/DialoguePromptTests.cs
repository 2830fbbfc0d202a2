using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class DialoguePromptTests
{
    [TestMethod]
    public void HhTranscriptsBecomeAlternatingTurnsWithoutTheEmptyLastOne()
    {
        var messages = DialoguePrompt.ToMessages("\n\nHuman: Hi there\n\nAssistant: Hello! How can I help?\n\nHuman: Tell me a joke.\n\nAssistant:");
        CollectionAssert.AreEqual(
            new[] { ChatMessage.User("Hi there"), ChatMessage.Assistant("Hello! How can I help?"), ChatMessage.User("Tell me a joke.") },
            messages);
    }

    [TestMethod]
    public void OtherPromptsAreOneUserMessage()
    {
        CollectionAssert.AreEqual(new[] { ChatMessage.User("How do I set up a webcam?") }, DialoguePrompt.ToMessages("  How do I set up a webcam? "));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void LongConversationsDropTheirEarliestTurnsToFit()
    {
        var model = SmolLm.Model;
        var messages = Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? ChatMessage.User($"Question number {i} about something long enough.") : ChatMessage.Assistant($"Answer number {i}, also of some length.")).ToList();
        int[] ids = DialoguePrompt.EncodeWithin(model, messages, 80);
        Assert.IsLessThanOrEqualTo(80, ids.Length);
        string text = model.Tokenizer.Decode(ids);
        StringAssert.Contains(text, "Question number 10");
        Assert.IsFalse(text.Contains("Question number 0 ", StringComparison.Ordinal));
        Assert.IsTrue(text.EndsWith("<|im_start|>assistant\n", StringComparison.Ordinal));
    }
}

using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class EmbedCommandTests
{
    [TestMethod]
    public void ASecondEmbedRunComputesNothing()
    {
        string store = CliProcess.TempPath(".sqlite");
        string[] args = ["embed", "--featurizer", "hashing", "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--store", store];
        try
        {
            var (code, stdout, stderr) = CliProcess.Run(null, args);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "0 already stored");
            (code, stdout, stderr) = CliProcess.Run(null, args);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, " 0 computed");
        }
        finally
        {
            File.Delete(store);
        }
    }

    [TestMethod]
    public void AStorePathThatIsAnotherFileIsRefusedAndLeftUntouched()
    {
        string path = CliProcess.TempPath(".txt");
        File.WriteAllText(path, "my notes");
        try
        {
            var (code, _, stderr) = CliProcess.Run(null, "embed", "--featurizer", "hashing", "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--store", path);
            Assert.AreEqual(3, code, stderr);
            StringAssert.Contains(stderr, "not an embedding store");
            Assert.AreEqual("my notes", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AMissingModelFolderIsABadInputError()
    {
        var (code, _, stderr) = CliProcess.Run(null, "embed", "--model", "/nonexistent/model-folder", "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--store", CliProcess.TempPath(".sqlite"));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "/nonexistent/model-folder");
    }
}

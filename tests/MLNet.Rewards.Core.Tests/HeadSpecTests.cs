using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class HeadSpecTests
{
    [TestMethod]
    public void MlpHeadSpecPrintsItsHiddenSizesAndComparesByThem()
    {
        var spec = new MlpHeadSpec { HiddenSizes = [8, 4] };

        Assert.AreEqual("MlpHeadSpec { HiddenSizes = [8, 4] }", spec.ToString());
        Assert.AreEqual(new MlpHeadSpec { HiddenSizes = [8, 4] }, spec);
        Assert.AreNotEqual(new MlpHeadSpec { HiddenSizes = [8] }, spec);
    }
}

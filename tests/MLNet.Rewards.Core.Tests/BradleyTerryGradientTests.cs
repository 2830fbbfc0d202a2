using MLNet.Rewards.Heads;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class BradleyTerryGradientTests
{
    [TestMethod]
    [DataRow(0.0, 0.0)]
    [DataRow(2.5, 0.0)]
    [DataRow(-3.0, 0.1)]
    [DataRow(40.0, 0.05)]
    public void LossGradientMatchesFiniteDifference(double margin, double smoothing)
    {
        const double h = 1e-5;
        double numeric = (BradleyTerry.Loss(margin + h, smoothing).Loss - BradleyTerry.Loss(margin - h, smoothing).Loss) / (2 * h);
        Assert.AreEqual(numeric, BradleyTerry.Loss(margin, smoothing).Gradient, 1e-6);
    }

    [TestMethod]
    public void LossIsStableForLargeMargins()
    {
        Assert.AreEqual(1000.0, BradleyTerry.Loss(-1000).Loss, 1e-9);
        Assert.AreEqual(0.0, BradleyTerry.Loss(1000).Loss, 1e-12);
    }

    [TestMethod]
    public void LinearHeadGradientMatchesFiniteDifference() => CheckHeadGradient(new LinearHeadSpec().Create(7, 1));

    [TestMethod]
    public void MlpHeadGradientMatchesFiniteDifference() => CheckHeadGradient(new MlpHeadSpec { HiddenSizes = [6, 5] }.Create(4, 3));

    /// <summary>
    /// The pair loss L = BT(r(x_c) − r(x_r)) as a function of each parameter, differentiated numerically (in double, around
    /// float parameters), against Backward's analytic gradient.
    /// </summary>
    internal static void CheckHeadGradient(RewardHead head)
    {
        var random = new SeededRandom(5);
        int d = head.InputDimension;
        for (int i = 0; i < head.Parameters.Length; i++)
        {
            head.Parameters[i] = (float)(random.NextGaussian() * 0.5);
        }

        var inputs = new float[2 * d];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)random.NextGaussian();
        }

        double Loss()
        {
            var rewards = new float[2];
            head.Forward(inputs, 2, head.CreateWorkspace(2), rewards);
            return BradleyTerry.Loss(rewards[0] - rewards[1]).Loss;
        }

        var workspace = head.CreateWorkspace(2);
        var r = new float[2];
        head.Forward(inputs, 2, workspace, r);
        float g = (float)BradleyTerry.Loss(r[0] - r[1]).Gradient;
        var gradient = new float[head.Parameters.Length];
        head.Backward(inputs, 2, workspace, [g, -g], gradient);

        const float h = 1e-2f;
        for (int p = 0; p < head.Parameters.Length; p++)
        {
            float saved = head.Parameters[p];
            head.Parameters[p] = saved + h;
            double up = Loss();
            head.Parameters[p] = saved - h;
            double down = Loss();
            head.Parameters[p] = saved;
            double numeric = (up - down) / (2 * h);
            Assert.AreEqual(numeric, gradient[p], 2e-3 + (2e-2 * Math.Abs(numeric)), $"parameter {p}");
        }
    }
}

using System.Diagnostics;
using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Onnx;

[TestClass]
public sealed class OnnxSessionTests
{
    [TestMethod]
    public void DescribesInputsAndOutputsWithDynamicDimensions()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Add());
        CollectionAssert.AreEqual(new[] { "x", "y" }, session.Inputs.Select(i => i.Name).ToArray());
        Assert.AreEqual("z", session.Outputs.Single().Name);
        var x = session.Inputs[0];
        Assert.IsTrue(x.IsTensor);
        Assert.AreEqual(OnnxElementType.Float, x.ElementType);
        CollectionAssert.AreEqual(new long[] { -1 }, x.Dimensions.ToArray());
        Assert.AreEqual("n", x.SymbolicDimensions[0]);
    }

    [TestMethod]
    public void RunsWithSeveralNamedInputsAndReadsOutputsWithTheirShape()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Add());
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, 2, 3 }, [3]);
        using var y = OnnxValue.CreateTensor<float>(new float[] { 10, 20, 30 }, [3]);
        using var outputs = session.Run([new("y", y), new("x", x)], ["z"]);
        CollectionAssert.AreEqual(new long[] { 3 }, outputs["z"].Shape.ToArray());
        CollectionAssert.AreEqual(new float[] { 11, 22, 33 }, outputs["z"].ToArray<float>());
        Assert.AreEqual(OnnxElementType.Float, outputs[0].ElementType);
    }

    [TestMethod]
    public void Int64TensorsRoundTripAndShapesFollowTheInput()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Int64));
        foreach (int n in new[] { 1, 5, 0 })
        {
            var data = Enumerable.Range(0, n).Select(i => (long)i * 1_000_000_000_000).ToArray();
            using var x = OnnxValue.CreateTensor<long>(data, [n]);
            using var outputs = session.Run([new("x", x)], ["y"]);
            CollectionAssert.AreEqual(new long[] { n }, outputs["y"].Shape.ToArray());
            CollectionAssert.AreEqual(data, outputs["y"].ToArray<long>());
        }
    }

    [TestMethod]
    public void AnOutputCanBeFedBackAsTheNextInputWithoutCopying()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Add());
        using var one = OnnxValue.CreateTensor<float>(new float[] { 1, 1 }, [2]);
        var state = OnnxValue.CreateTensor<float>(new float[] { 0, 5 }, [2]);
        for (int step = 0; step < 10; step++)
        {
            using var outputs = session.Run([new("x", state), new("y", one)], ["z"]);
            state.Dispose();
            state = outputs.Take("z");
        }

        CollectionAssert.AreEqual(new float[] { 10, 15 }, state.ToArray<float>());
        state.Dispose();
    }

    [TestMethod]
    public void PreallocatedOutputsAreWrittenIntoTheCallersBuffer()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Add());
        var result = new float[2];
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, 2 }, [2]);
        using var z = OnnxValue.CreateTensor<float>(result, [2]);
        session.Run([new("x", x), new("y", x)], [new NamedOnnxValue("z", z)]);
        CollectionAssert.AreEqual(new float[] { 2, 4 }, result);
    }

    [TestMethod]
    public void WritesToAPinnedBufferAreSeenByLaterRuns()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        var buffer = new float[] { 1, 2 };
        using var x = OnnxValue.CreateTensor<float>(buffer, [2]);
        buffer[1] = 7;
        using var outputs = session.Run([new("x", x)], ["y"]);
        CollectionAssert.AreEqual(new float[] { 1, 7 }, outputs["y"].ToArray<float>());
    }

    [TestMethod]
    public void AMissingModelFileIsAClearError()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => OnnxSession.FromFile("/nonexistent/model.onnx"));
        StringAssert.Contains(e.Message, "/nonexistent/model.onnx");
    }

    [TestMethod]
    public void BytesThatAreNotAModelGiveOnnxRuntimesErrorAndCode()
    {
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxSession.FromBytes("not a model"u8));
        Assert.AreEqual(OnnxErrorCode.InvalidProtobuf, e.ErrorCode);
        StringAssert.Contains(e.Message, "InvalidProtobuf");
    }

    [TestMethod]
    public void AWrongInputNameIsReportedByOnnxRuntime()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1 }, [1]);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([new("not_x", x)], ["y"]));
        Assert.AreEqual(OnnxErrorCode.InvalidArgument, e.ErrorCode);
        StringAssert.Contains(e.RuntimeMessage, "not_x");
    }

    [TestMethod]
    public void AWrongOutputNameIsReportedByOnnxRuntime()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1 }, [1]);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([new("x", x)], ["nope"]));
        StringAssert.Contains(e.RuntimeMessage, "nope");
    }

    [TestMethod]
    public void AWrongShapeIsReportedByOnnxRuntime()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([new("x", x)], ["y"]));
        Assert.AreEqual(OnnxErrorCode.InvalidArgument, e.ErrorCode);
        StringAssert.Contains(e.RuntimeMessage, "rank");
    }

    [TestMethod]
    public void AWrongElementTypeIsReportedByOnnxRuntime()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Int64));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1 }, [1]);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([new("x", x)], ["y"]));
        Assert.AreEqual(OnnxErrorCode.InvalidArgument, e.ErrorCode);
        StringAssert.Contains(e.RuntimeMessage, "type");
    }

    [TestMethod]
    public void ABufferThatDoesNotMatchTheShapeIsRejectedBeforeReachingOnnxRuntime()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => OnnxValue.CreateTensor<float>(new float[3], [2, 2]));
        StringAssert.Contains(e.Message, "4 elements");
    }

    [TestMethod]
    public void ReadingWithTheWrongTypeOrAfterDisposeFailsClearly()
    {
        var x = OnnxValue.CreateTensor<long>(new long[] { 1 }, [1]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => x.ToArray<float>());
        StringAssert.Contains(e.Message, "Int64");
        x.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.ToArray<long>());
        x.Dispose();
    }

    [TestMethod]
    public void ADisposedSessionCannotRun()
    {
        var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1 }, [1]);
        session.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => session.Run([new("x", x)], ["y"]));
    }

    [TestMethod]
    public void ACancelledTokenStopsBeforeRunning()
    {
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1 }, [1]);
        using var cancel = new CancellationTokenSource();
        using (var outputs = session.Run([new("x", x)], ["y"], cancel.Token))
        {
            Assert.AreEqual(1f, outputs[0].AsSpan<float>()[0]);
        }

        cancel.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => session.Run([new("x", x)], ["y"], cancel.Token));
    }

    [TestMethod]
    [DoNotParallelize] // Resident memory is the process's: a test of another class loading a model at the same time would count here.
    public void ThousandsOfRunsReleaseEveryHandle()
    {
        // Each run creates an input over a 1 MB buffer and a 1 MB output: a leak of either would grow memory by GBs.
        using var session = OnnxSession.FromBytes(TinyOnnxModels.Identity(OnnxElementType.Float));
        const int n = 1 << 18;
        var data = new float[n];
        void RunMany(int count)
        {
            for (int i = 0; i < count; i++)
            {
                using var x = OnnxValue.CreateTensor<float>(data, [n]);
                using var outputs = session.Run([new("x", x)], ["y"]);
                Assert.AreEqual(n, outputs[0].ElementCount);
            }
        }

        RunMany(200);
        long before = CurrentRss();
        RunMany(3000);
        long growth = CurrentRss() - before;
        Assert.IsLessThan(100L << 20, growth, $"resident memory grew by {growth >> 20} MB over 3,000 runs");
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}

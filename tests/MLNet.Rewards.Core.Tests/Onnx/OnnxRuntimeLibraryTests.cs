using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Onnx;

[TestClass]
public sealed class OnnxRuntimeLibraryTests
{
    [TestMethod]
    public void The_library_is_found_and_reports_its_version()
    {
        StringAssert.Contains(OnnxRuntimeLibrary.LoadedPath, "libonnxruntime");
        Assert.IsTrue(Version.TryParse(OnnxRuntimeLibrary.Version, out var version), OnnxRuntimeLibrary.Version);
        Assert.IsGreaterThanOrEqualTo(new Version(1, 20), version);
    }

    [TestMethod]
    public void A_missing_library_says_how_to_get_one()
    {
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Open("/nonexistent/libonnxruntime.so", "a test"));
        StringAssert.Contains(e.Message, "/nonexistent/libonnxruntime.so");
        StringAssert.Contains(e.Message, "scripts/fetch-onnxruntime.sh");
        StringAssert.Contains(e.Message, OnnxRuntimeLibrary.EnvironmentVariable);
    }

    [TestMethod]
    public void A_library_that_is_not_onnx_runtime_is_named_as_such()
    {
        string other = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6" }.First(File.Exists);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Open(other, "a test"));
        StringAssert.Contains(e.Message, "is not ONNX Runtime's library");
    }

    [TestMethod]
    public void A_file_that_is_not_a_library_is_reported()
    {
        string path = TestData.WriteLines(["not a shared library"], ".so");
        try
        {
            var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Open(path, "a test"));
            StringAssert.Contains(e.Message, "could not be loaded");
        }
        finally
        {
            File.Delete(path);
        }
    }
}

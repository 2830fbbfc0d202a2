using System.IO.Compression;
using System.Text;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests;

/// <summary>Model zips whose entries are larger than a model's, or than they declare (issue 14, item 8).</summary>
[TestClass]
public sealed class ModelArchiveLimitTests
{
    private static string Zip(params (string Name, byte[] Content)[] entries)
    {
        string path = TestData.TempPath(".zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
            stream.Write(content);
        }

        return path;
    }

    [TestMethod]
    public void AnOversizedManifestIsRefusedBeforeItIsInflated()
    {
        // 64 MB of spaces deflate to about 64 KB: the declared size alone must stop the load.
        byte[] manifest = [.. "{\"formatVersion\":1,\"component\":\"pairwise-reward\""u8, .. Enumerable.Repeat((byte)' ', 64 << 20), (byte)'}'];
        string path = Zip((ModelArchive.ManifestEntry, manifest), (ModelArchive.WeightsEntry, [0]));
        Assert.IsLessThan(1L << 20, new FileInfo(path).Length);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var load in new Action[] { () => ModelArchive.Load(path), () => ModelArchive.ReadComponent(path) })
        {
            var error = Assert.ThrowsExactly<ModelFormatException>(load);
            StringAssert.Contains(error.Message, "'manifest.json' declares 67,108,913 bytes, more than the 16,777,216 it may have");
        }

        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before, "nothing near the manifest's size was allocated");
    }

    [TestMethod]
    public void AWeightsEntryOfAnotherSizeThanDeclaredIsRefused()
    {
        byte[] manifest = Encoding.UTF8.GetBytes("""{"formatVersion":1,"component":"pairwise-reward","weights":{"file":"weights.safetensors","bytes":16,"sha256":"00"}}""");
        var error = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchive.Load(Zip((ModelArchive.ManifestEntry, manifest), (ModelArchive.WeightsEntry, new byte[1 << 20]))));
        StringAssert.Contains(error.Message, "'weights.safetensors' declares 1,048,576 bytes, more than the 16 it may have");

        error = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchive.Load(Zip((ModelArchive.ManifestEntry, manifest), (ModelArchive.WeightsEntry, new byte[8]))));
        StringAssert.Contains(error.Message, "holds 8 bytes but the manifest declares 16");
    }

    [TestMethod]
    public void AManifestWithoutTheWeightsSizeIsRefused()
    {
        byte[] manifest = Encoding.UTF8.GetBytes("""{"formatVersion":1,"component":"pairwise-reward","weights":{"file":"weights.safetensors"}}""");
        var error = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchive.Load(Zip((ModelArchive.ManifestEntry, manifest), (ModelArchive.WeightsEntry, new byte[8]))));
        StringAssert.Contains(error.Message, "'weights.bytes' is missing");
    }

    [TestMethod]
    public void AWeightsBombIsRefusedBeforeItIsInflated()
    {
        const int Size = 200 << 20;
        byte[] manifest = Encoding.UTF8.GetBytes($$$"""{"formatVersion":1,"component":"pairwise-reward","weights":{"file":"weights.safetensors","bytes":{{{Size}}},"sha256":"00"}}""");
        string path = Zip((ModelArchive.ManifestEntry, manifest), (ModelArchive.WeightsEntry, new byte[Size]));
        Assert.IsLessThan(1L << 20, new FileInfo(path).Length);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchive.Load(path));
        StringAssert.Contains(error.Message, "zip bomb");
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}

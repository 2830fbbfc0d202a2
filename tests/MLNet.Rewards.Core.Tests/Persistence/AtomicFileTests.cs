using System.Diagnostics;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Persistence;

[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void TemporaryFilesOfDeadSavesAreRemovedAndOthersKept()
    {
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-atomic-").FullName;
        try
        {
            string host = Environment.MachineName.Replace('.', '-');
            int dead = DeadProcessId();
            string stale = Path.Combine(folder, $".model.zip.{host}.{dead}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
            string running = Path.Combine(folder, $".model.zip.{host}.{Environment.ProcessId}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
            string otherHost = Path.Combine(folder, $".model.zip.elsewhere.{dead}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
            string unrelated = Path.Combine(folder, ".notes.tmp");
            foreach (string file in new[] { stale, running, otherHost, unrelated })
            {
                File.WriteAllText(file, "partial");
            }

            AtomicFile.Write(Path.Combine(folder, "other.zip"), [1, 2, 3]);

            Assert.IsFalse(File.Exists(stale), "the dead save's temporary file is removed");
            Assert.IsTrue(File.Exists(running), "a running save's file is kept");
            Assert.IsTrue(File.Exists(otherHost), "another machine's file is kept");
            Assert.IsTrue(File.Exists(unrelated));
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(folder, "other.zip")));
            Assert.HasCount(4, Directory.GetFiles(folder), "the save left no temporary file of its own");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ADirectoryOrAPipeIsNeverReplaced()
    {
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-atomic-").FullName;
        try
        {
            string directory = Path.Combine(folder, "a.zip");
            Directory.CreateDirectory(directory);
            StringAssert.Contains(Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(directory, [1])).Message, "is a directory");
            Assert.IsTrue(Directory.Exists(directory));
            if (OperatingSystem.IsLinux())
            {
                string fifo = Path.Combine(folder, "pipe.zip");
                using (var mkfifo = Process.Start("mkfifo", fifo))
                {
                    mkfifo.WaitForExit();
                }

                Assert.AreEqual(FileTargetKind.Other, FileTarget.KindOf(fifo));
                StringAssert.Contains(Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(fifo, [1])).Message, "not a regular file");
                Assert.AreEqual(FileTargetKind.Other, FileTarget.KindOf(fifo), "the pipe is still there");
                Assert.AreEqual(FileTargetKind.Other, FileTarget.KindOf("/dev/null"));
            }

            Assert.HasCount(0, Directory.GetFiles(folder, "*" + AtomicFile.TemporarySuffix), "no temporary file was left");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void PathsThroughLinkedFoldersNameTheSameFile()
    {
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-atomic-").FullName;
        try
        {
            string real = Directory.CreateDirectory(Path.Combine(folder, "real")).FullName;
            File.WriteAllText(Path.Combine(real, "data.jsonl"), "{}");
            Directory.CreateSymbolicLink(Path.Combine(folder, "linked"), real);
            File.CreateSymbolicLink(Path.Combine(folder, "file-link.jsonl"), Path.Combine("linked", "data.jsonl"));
            Assert.IsTrue(FileTarget.SameFile(Path.Combine(folder, "linked", "data.jsonl"), Path.Combine(real, "data.jsonl")));
            Assert.IsTrue(FileTarget.SameFile(Path.Combine(folder, "file-link.jsonl"), Path.Combine(real, "data.jsonl")));
            Assert.IsTrue(FileTarget.SameFile(Path.Combine(folder, "linked", "..", "real", "new.zip"), Path.Combine(real, "new.zip")));
            Assert.IsFalse(FileTarget.SameFile(Path.Combine(folder, "linked", "other.jsonl"), Path.Combine(real, "data.jsonl")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.Id;
    }
}

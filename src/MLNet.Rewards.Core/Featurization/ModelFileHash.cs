using System.Security.Cryptography;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Featurization;

/// <summary>The SHA-256 by which a featurizer spec names its ONNX file, and the check that a loaded model finds the same file.</summary>
internal static class ModelFileHash
{
    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {path}", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Throws unless the file at <paramref name="path"/> has the SHA-256 <paramref name="expected"/>.</summary>
    /// <exception cref="ModelFormatException">The file is another one than the featurizer was built with.</exception>
    public static void Require(string path, string expected, string what)
    {
        string actual = Sha256Of(path);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFormatException(path, $"this ONNX file (sha256 {actual}) is not the {what} the model was built with (sha256 {expected}); point the model folder at the original file");
        }
    }
}

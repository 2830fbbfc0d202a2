using System.Security.Cryptography;
using System.Text;

namespace MLNet.Rewards.Data;

/// <summary>A content hash of a list of pairs, recorded in model manifests so a model can be traced to its data.</summary>
internal static class PreferenceDataHash
{
    /// <summary>SHA-256 over every pair's fields, in order, hex-encoded.</summary>
    public static string Of(IEnumerable<PreferencePair> pairs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var pair in pairs)
        {
            foreach (string field in new[] { pair.Id, pair.Source, pair.Prompt, pair.Chosen, pair.Rejected })
            {
                hash.AppendData(Encoding.UTF8.GetBytes(field));
                hash.AppendData([0]);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

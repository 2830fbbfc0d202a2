using System.Runtime.InteropServices;

namespace MLNet.Rewards.Data;

/// <summary>
/// A 64-bit string hash that is the same in every process and on every machine (unlike <see cref="string.GetHashCode()"/>):
/// FNV-1a over the UTF-16 code units followed by a SplitMix64 finaliser, mixed with a seed.
/// </summary>
internal static class StableHash
{
    /// <summary>Hashes <paramref name="text"/> with <paramref name="seed"/>.</summary>
    public static ulong Of(ReadOnlySpan<char> text, long seed = 0)
    {
        ulong hash = 14695981039346656037UL ^ Mix((ulong)seed);
        foreach (ushort unit in MemoryMarshal.Cast<char, ushort>(text))
        {
            hash = (hash ^ unit) * 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>SplitMix64's finaliser: spreads every input bit over the output.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        x ^= x >> 31;
        return x;
    }
}

using System.Runtime.InteropServices;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// Finds and loads ONNX Runtime's native library (libonnxruntime.so) once per process. Searched in order:
/// <list type="number">
/// <item><see cref="ExplicitPath"/>, when set before first use;</item>
/// <item>the environment variable <c>MLNET_REWARDS_ONNXRUNTIME</c> (a path to the library);</item>
/// <item>the cache that <c>scripts/fetch-onnxruntime.sh</c> fills: <c>~/.cache/mlnet-rewards/onnxruntime/VERSION/libonnxruntime.so.1</c>
/// (or under <c>$XDG_CACHE_HOME</c>);</item>
/// <item>the native asset of the official Microsoft.ML.OnnxRuntime NuGet package, next to the application
/// (<c>runtimes/linux-x64/native/libonnxruntime.so</c>) or in the NuGet package folder;</item>
/// <item>the operating system's default library search.</item>
/// </list>
/// A path given explicitly or by the environment variable must work: it is never silently skipped.
/// </summary>
public static class OnnxRuntimeLibrary
{
    /// <summary>The environment variable that names the library file.</summary>
    public const string EnvironmentVariable = "MLNET_REWARDS_ONNXRUNTIME";

    /// <summary>The ONNX Runtime version that <c>scripts/fetch-onnxruntime.sh</c> fetches by default.</summary>
    public const string PinnedVersion = "1.30.0";

    /// <summary>
    /// The C API version requested from the library. The function table is append-only, so any ONNX Runtime at least this
    /// new (1.20) serves every function this binding calls.
    /// </summary>
    public const uint ApiVersion = 20;

    private static readonly Lock Gate = new();
    private static LoadedLibrary? _loaded;
    private static string? _explicitPath;

    /// <summary>
    /// A library path that takes precedence over every other place; must be set before the first session is created.
    /// </summary>
    public static string? ExplicitPath
    {
        get => _explicitPath;
        set
        {
            lock (Gate)
            {
                if (_loaded is not null && value != _explicitPath)
                {
                    throw new InvalidOperationException($"ONNX Runtime is already loaded from {_loaded.Path}; set {nameof(ExplicitPath)} before the first session is created");
                }

                _explicitPath = value;
            }
        }
    }

    /// <summary>The path of the loaded library (loading it if needed).</summary>
    public static string LoadedPath => Load().Path;

    /// <summary>The version string the loaded library reports (loading it if needed).</summary>
    public static string Version => Load().Version;

    internal static unsafe IntPtr* Api => (IntPtr*)Load().Api;

    /// <summary>The places searched, in order, for the library (those given explicitly first).</summary>
    public static IReadOnlyList<string> CandidatePaths()
    {
        var paths = new List<string>();
        string cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string cache = Path.Combine(cacheRoot, "mlnet-rewards", "onnxruntime");
        paths.Add(Path.Combine(cache, PinnedVersion, "libonnxruntime.so.1"));
        if (Directory.Exists(cache))
        {
            paths.AddRange(Directory.EnumerateDirectories(cache)
                .OrderByDescending(d => System.Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0))
                .Select(d => Path.Combine(d, "libonnxruntime.so.1")));
        }

        paths.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so"));
        paths.Add(Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so"));
        string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } nuget
            ? nuget
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string official = Path.Combine(nugetRoot, "microsoft.ml.onnxruntime");
        if (Directory.Exists(official))
        {
            paths.AddRange(Directory.EnumerateDirectories(official)
                .OrderByDescending(d => System.Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0))
                .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native", "libonnxruntime.so")));
        }

        return paths.Distinct().ToList();
    }

    private static LoadedLibrary Load()
    {
        if (_loaded is { } loaded)
        {
            return loaded;
        }

        lock (Gate)
        {
            return _loaded ??= Find();
        }
    }

    private static LoadedLibrary Find()
    {
        if (_explicitPath is { } explicitPath)
        {
            return Open(explicitPath, $"the path set in {nameof(OnnxRuntimeLibrary)}.{nameof(ExplicitPath)}");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return Open(fromEnvironment, $"the environment variable {EnvironmentVariable}");
        }

        var candidates = CandidatePaths();
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return Open(candidate, "a cached copy");
            }
        }

        foreach (string name in new[] { "libonnxruntime.so.1", "libonnxruntime.so", "onnxruntime" })
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return Bind(handle, name, "the system library search");
            }
        }

        throw new OnnxRuntimeException(
            $"ONNX Runtime's native library (libonnxruntime.so, version 1.20 or newer) was not found. Run scripts/fetch-onnxruntime.sh " +
            $"(it fetches onnxruntime-node@{PinnedVersion} with npm and caches the library), or set {EnvironmentVariable} to the path of a " +
            $"libonnxruntime.so. Looked in: {string.Join(", ", candidates)}, then the system library search.");
    }

    internal static LoadedLibrary Open(string path, string source)
    {
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException($"ONNX Runtime's native library was not found at {path} (given by {source}). {HowToGet}");
        }

        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new OnnxRuntimeException($"{path} (given by {source}) could not be loaded as ONNX Runtime's native library: {e.Message}. {HowToGet}", e);
        }

        return Bind(handle, path, source);
    }

    private static string HowToGet =>
        $"Run scripts/fetch-onnxruntime.sh to fetch onnxruntime-node@{PinnedVersion}'s library into the cache, or set {EnvironmentVariable} to the path of a libonnxruntime.so (1.20 or newer).";

    private static unsafe LoadedLibrary Bind(IntPtr handle, string path, string source)
    {
        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
        {
            throw new OnnxRuntimeException($"{path} (given by {source}) is not ONNX Runtime's library: it has no OrtGetApiBase. {HowToGet}");
        }

        // OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged[Cdecl]<IntPtr**>)getApiBase)();
        var getApi = (delegate* unmanaged[Cdecl]<uint, IntPtr>)apiBase[0];
        var getVersion = (delegate* unmanaged[Cdecl]<IntPtr>)apiBase[1];
        string version = Marshal.PtrToStringUTF8(getVersion()) ?? "unknown";
        IntPtr api = getApi(ApiVersion);
        if (api == IntPtr.Zero)
        {
            throw new OnnxRuntimeException($"{path} (given by {source}) is ONNX Runtime {version}, which does not offer C API version {ApiVersion}: version 1.20 or newer is needed. {HowToGet}");
        }

        return new LoadedLibrary(path, version, api);
    }

    internal sealed record LoadedLibrary(string Path, string Version, IntPtr Api);
}

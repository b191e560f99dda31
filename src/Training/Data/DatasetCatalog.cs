namespace OrleansPigmm.Training.Data;

/// <summary>
/// Finds datasets on disk. The data folder is, in order: an explicit folder, the environment
/// variable <see cref="DataDirectoryVariable"/>, or $XDG_CACHE_HOME/orleanspigmm/datasets
/// (~/.cache/orleanspigmm/datasets). Dataset NAME lives in DATA/NAME/, with its descriptor
/// DATA/NAME/dataset.json as the fetch script leaves it.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The environment variable naming the data folder.</summary>
    public const string DataDirectoryVariable = "PIGMM_DATA_DIR";

    /// <summary>The data folder: <paramref name="explicitFolder"/> if given, else the environment variable, else the cache default.</summary>
    public static string DataDirectory(string? explicitFolder = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder))
        {
            return explicitFolder;
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(cache, "orleanspigmm", "datasets");
    }

    /// <summary>
    /// The descriptor and folder of a dataset given by name (its fetched descriptor, else a built-in
    /// one) or by the path of a descriptor file (whose data lies beside it).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such dataset; the message lists the known ones and the fetch command.</exception>
    public static (DatasetDescriptor Descriptor, string Folder) Resolve(string nameOrDescriptorPath, string? dataDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrDescriptorPath);
        if (nameOrDescriptorPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var fromFile = DatasetDescriptor.Parse(File.ReadAllText(nameOrDescriptorPath), nameOrDescriptorPath);
            return (fromFile, Path.GetDirectoryName(Path.GetFullPath(nameOrDescriptorPath))!);
        }
        string folder = Path.Combine(DataDirectory(dataDirectory), nameOrDescriptorPath);
        string fetched = Path.Combine(folder, DatasetDescriptor.FileName);
        var builtIn = DatasetDescriptor.BuiltIn(nameOrDescriptorPath);
        var descriptor = File.Exists(fetched)
            ? DatasetDescriptor.ParseFetched(File.ReadAllText(fetched), fetched, builtIn)
            : builtIn
              ?? throw new FileNotFoundException($"Unknown dataset '{nameOrDescriptorPath}': no {fetched} and no built-in descriptor (built in: {string.Join(", ", DatasetDescriptor.BuiltInNames)}). Describe it in a JSON file and fetch it with scripts/fetch-dataset.sh FILE.json.", fetched);
        return (descriptor, folder);
    }

    /// <summary>
    /// The shape of a dataset given as for <see cref="Resolve"/>, from its descriptor alone: no data
    /// file is read, so specs can be checked before (or without) loading the data.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such dataset; the message lists the known ones and the fetch command.</exception>
    public static DatasetDimensions Dimensions(string nameOrDescriptorPath, string? dataDirectory = null) =>
        Resolve(nameOrDescriptorPath, dataDirectory).Descriptor.Dimensions;

    /// <summary>As <see cref="Dimensions"/>, but null for a dataset that is neither fetched nor built
    /// in (a descriptor that exists but is invalid still throws).</summary>
    public static DatasetDimensions? TryDimensions(string nameOrDescriptorPath, string? dataDirectory = null)
    {
        try
        {
            return Dimensions(nameOrDescriptorPath, dataDirectory);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Resolves and loads a dataset (see <see cref="Resolve"/> and <see cref="Dataset.Load"/>).</summary>
    public static Dataset Load(string nameOrDescriptorPath, string? dataDirectory = null)
    {
        var (descriptor, folder) = Resolve(nameOrDescriptorPath, dataDirectory);
        return Dataset.Load(descriptor, folder);
    }
}

using EdgeNode.Configuration.Loading;

namespace EdgeNode.Configuration;

public static partial class EdgeNodeConfigLoader
{
    /// <summary>
    /// Validates <paramref name="text"/> as if it were the content of <paramref name="path"/> (the file is not read or
    /// written): relative paths and <c>include:</c> folders resolve against the file's folder, and each problem has the
    /// same file name, line, column and message as <see cref="Load"/> would give once the text is saved there.
    /// </summary>
    public static ConfigLoadResult LoadText(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        return ConfigReader.LoadText(path, text);
    }
}

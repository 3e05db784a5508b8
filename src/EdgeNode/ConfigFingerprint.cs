using System.Security.Cryptography;
using EdgeNode.Configuration;

namespace EdgeNode;

/// <summary>A hash of the bytes of the configuration file and of every type file it includes: equal means nothing changed.</summary>
internal static class ConfigFingerprint
{
    public static string Of(EdgeNodeConfig config)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = config.Types.Select(t => t.SourcePath).OfType<string>().Append(config.SourcePath).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                hash.AppendData([0]);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}

using System.Runtime.InteropServices;

namespace EdgeNode.Engine;

/// <summary>
/// Facts about the gateway published in NBIRTH as <c>Properties/Hardware Make</c>, <c>/Hardware Model</c>,
/// <c>/OS</c>, <c>/OS Version</c> (Sparkplug 3.0 topics section, optional node metrics) and node information.
/// Read once at start; each falls back to something honest rather than failing.
/// </summary>
public sealed record NodeInformation(string HardwareMake, string HardwareModel, string Os, string OsVersion, string HostName)
{
    public static NodeInformation Detect(string? makeOverride = null, string? modelOverride = null)
    {
        var model = modelOverride ?? ReadTrimmed("/proc/device-tree/model") ?? ReadTrimmed("/sys/class/dmi/id/product_name")
            ?? RuntimeInformation.OSArchitecture.ToString();
        var make = makeOverride ?? GuessMake(model) ?? ReadTrimmed("/sys/class/dmi/id/sys_vendor") ?? "unknown";
        var release = ReadOsRelease();
        var os = release.GetValueOrDefault("NAME") ?? RuntimeInformation.OSDescription;
        var version = release.GetValueOrDefault("VERSION") ?? release.GetValueOrDefault("VERSION_ID") ?? Environment.OSVersion.VersionString;
        return new NodeInformation(make, model, os, $"{version} ({RuntimeInformation.OSArchitecture}, kernel {Environment.OSVersion.Version})",
            Environment.MachineName);
    }

    private static string? GuessMake(string model) =>
        model.StartsWith("Raspberry Pi", StringComparison.Ordinal) ? "Raspberry Pi Ltd" : null;

    private static string? ReadTrimmed(string path)
    {
        try
        {
            // device-tree strings are NUL-terminated
            var text = File.Exists(path) ? File.ReadAllText(path).Trim('\0', ' ', '\n', '\r', '\t') : null;
            return string.IsNullOrEmpty(text) ? null : text;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> ReadOsRelease()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = ReadTrimmed("/etc/os-release") ?? ReadTrimmed("/usr/lib/os-release");
        foreach (var line in (text ?? "").Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }
}

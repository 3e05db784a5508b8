using System.Text.RegularExpressions;
using EdgeNode.Testing;

namespace EdgeNode.Systemd.Tests.Packaging;

/// <summary>
/// Builds the packages once for all packaging tests: the real ones with "./build.sh package" (the node self-contained
/// for amd64 and arm64, framework-dependent for armhf; the bridge for amd64 and arm64 once its project exists), an
/// upgrade package with a higher version from the same publish, and a synthetic set from a publish folder that holds
/// SQLite's native builds for every RID.
/// </summary>
public sealed class PackagesFixture : IDisposable
{
    public static readonly string[] Architectures = ["amd64", "arm64", "armhf"];

    /// <summary>The architectures whose packages carry their own .NET runtime (the registry serves their runtime packs).</summary>
    public static readonly string[] SelfContainedArchitectures = ["amd64", "arm64"];

    /// <summary>The bridge is packaged when its project exists (it is written on another branch).</summary>
    public static bool BridgeBuilt => File.Exists(Path.Combine(RepoPaths.Root, "src", "EdgeNode.Bridge", "EdgeNode.Bridge.csproj"));

    /// <summary>Every (application, architecture) package "./build.sh package" builds.</summary>
    public static IEnumerable<(string App, string Arch)> Built =>
        Architectures.Select(a => ("edgenode", a))
            .Concat(BridgeBuilt ? SelfContainedArchitectures.Select(a => ("edgenode-bridge", a)) : []);

    /// <summary>Test data: the self-contained packages (of one architecture, or "" for all; only amd64 runs here).</summary>
    public static TheoryData<string, string> SelfContained(string only)
    {
        var data = new TheoryData<string, string>();
        foreach (var (app, arch) in Built.Where(p => SelfContainedArchitectures.Contains(p.Arch) && (only == "" || p.Arch == only)))
        {
            data.Add(app, arch);
        }

        return data;
    }

    public PackagesFixture()
    {
        Version = Regex.Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props")),
            "<Version>([^<]+)</Version>").Groups[1].Value;
        Tools.DpkgDeb.ToString();
        Scratch = Directory.CreateTempSubdirectory("edgenode-packaging-").FullName;

        // A stale package of another version must be gone after the build.
        PackagesDirectory = Path.Combine(RepoPaths.Root, "artifacts", "packages");
        Directory.CreateDirectory(PackagesDirectory);
        StalePackage = Path.Combine(PackagesDirectory, "edgenode_0.0.0~stale_amd64.deb");
        File.WriteAllText(StalePackage, "stale");
        BuildOutput = RunOrThrow(Path.Combine(RepoPaths.Root, "build.sh"), ["package"]);

        UpgradeVersion = Version + "+upgrade1";
        // From the publish "./build.sh package" left in artifacts/publish: one self-contained publish per architecture.
        RunOrThrow(Path.Combine(RepoPaths.Root, "packaging", "build-deb.sh"),
            ["--out", Path.Combine(Scratch, "upgrade"), "--app", "edgenode", "--arch", "amd64", "--version", UpgradeVersion, "--reuse-publish"]);

        // A publish folder with every RID's libe_sqlite3.so (from the SourceGear.sqlite3 package beside this assembly).
        var publish = Path.Combine(Scratch, "all-rids-publish");
        Directory.CreateDirectory(publish);
        File.WriteAllText(Path.Combine(publish, "edgenode.dll"), "stand-in");
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "runtimes"), Path.Combine(publish, "runtimes"));
        RidCount = Directory.GetDirectories(Path.Combine(publish, "runtimes")).Length;
        SyntheticDirectory = Path.Combine(Scratch, "synthetic");
        RunOrThrow(Path.Combine(RepoPaths.Root, "packaging", "build-deb.sh"),
            ["--out", SyntheticDirectory, "--publish-dir", publish]);
    }

    public string Version { get; }

    public string UpgradeVersion { get; }

    public string Scratch { get; }

    public string PackagesDirectory { get; }

    public string StalePackage { get; }

    public string BuildOutput { get; }

    public string SyntheticDirectory { get; }

    public int RidCount { get; }

    public string Package(string arch) => Package("edgenode", arch);

    public string Package(string app, string arch) => Path.Combine(PackagesDirectory, $"{app}_{Version}_{arch}.deb");

    public string Synthetic(string arch) => Path.Combine(SyntheticDirectory, $"edgenode_{Version}_{arch}.deb");

    public string UpgradePackage => Path.Combine(Scratch, "upgrade", $"edgenode_{UpgradeVersion}_amd64.deb");

    /// <summary>Extracts a package's files into a fresh folder.</summary>
    public string Extract(string deb)
    {
        var dir = Path.Combine(Scratch, "x-" + Path.GetFileNameWithoutExtension(deb) + "-" + Guid.NewGuid().ToString("N")[..6]);
        RunOrThrow(Tools.DpkgDeb, ["-x", deb, dir]);
        return dir;
    }

    public static string RunOrThrow(string file, IEnumerable<string> args)
    {
        // Five publishes (two trimmed) on a loaded 2-core machine: generous, a hung build still ends.
        var (code, output) = Tools.Run(file, args, TimeSpan.FromMinutes(45), RepoPaths.Root);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}:\n{output}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

using System.Xml.Linq;

namespace EdgeNode.Configuration.Tests;

/// <summary>
/// The configuration describes; the engine maps descriptions to transports. These tests fail the build when
/// EdgeNode.Configuration references a transport again (in its project file or in its compiled assembly), when
/// EdgeNode.Addressing, the one project it shares rules through, takes a reference of its own, and when a library's
/// project file lists a project its assembly does not use.
/// </summary>
public sealed class DependencyRuleTests
{
    private static readonly string[] Transports =
        ["EdgeNode.Modbus", "EdgeNode.Serial", "EdgeNode.Gpio", "EdgeNode.I2c", "EdgeNode.Mqtt", "EdgeNode.Sparkplug", "EdgeNode.Storage", "EdgeNode.Kafka"];

    // The broker URL and Sparkplug id rules the configuration shares with the MQTT client and the codec.
    private const string SharedRules = "EdgeNode.Addressing";

    [Fact]
    public void ConfigurationAssembly_References_OnlyTheSharedRulesOfOurs()
    {
        var references = typeof(EdgeNodeConfig).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Equal([SharedRules], references.Where(name => name.StartsWith("EdgeNode", StringComparison.Ordinal)));
        Assert.Contains("YamlDotNet", references);
    }

    [Fact]
    public void ConfigurationProject_Lists_OnlyTheSharedRulesAndNoFramework()
    {
        var project = Project("EdgeNode.Configuration");

        Assert.Equal([SharedRules], Items(project, "ProjectReference").Select(Path.GetFileNameWithoutExtension));
        Assert.Empty(Items(project, "FrameworkReference"));
        Assert.Equal(["YamlDotNet"], Items(project, "PackageReference"));
    }

    [Fact]
    public void SharedRules_ReferenceNothing_SoTheConfigurationTakesNoTransportThroughThem()
    {
        var project = Project(SharedRules);
        var used = ReferencedAssemblies(Path.Combine(AppContext.BaseDirectory, SharedRules + ".dll"));

        Assert.Empty(Items(project, "ProjectReference"));
        Assert.Empty(Items(project, "PackageReference"));
        Assert.Empty(Items(project, "FrameworkReference"));
        Assert.DoesNotContain(used, name => name.StartsWith("EdgeNode", StringComparison.Ordinal));
        Assert.All(used, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal), $"{SharedRules} uses {name}"));
    }

    [Theory]
    [InlineData("EdgeNode.Mqtt")]
    [InlineData("EdgeNode.Sparkplug")]
    public void TransportsWithTheSameRules_ListTheSharedRules_InsteadOfACopy(string name)
    {
        var listed = Items(Project(name), "ProjectReference").Select(Path.GetFileNameWithoutExtension);

        Assert.Contains(SharedRules, listed);
    }

    [Fact]
    public void EngineProject_IsWhereTransportsMeetTheConfiguration()
    {
        var listed = Items(Project("EdgeNode.Engine"), "ProjectReference").Select(Path.GetFileNameWithoutExtension).ToList();

        Assert.Contains("EdgeNode.Configuration", listed);
        Assert.All(Transports.Except(["EdgeNode.Kafka"]), transport => Assert.Contains(transport, listed));
    }

    public static TheoryData<string> Projects() =>
        [.. Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Select(d => Path.GetFileName(d)).Where(n => File.Exists(ProjectPath(n)))];

    [Theory]
    [MemberData(nameof(Projects))]
    public void EveryReference_OfAProject_IsUsedByItsAssembly(string name)
    {
        // This test project references every project under src/, so each assembly beside it is freshly built.
        var project = Project(name);
        var assemblyName = project.Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault() ?? name;
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: add src/{name} to this test project's references");
        var used = ReferencedAssemblies(path);

        var listed = Items(project, "ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r)!).ToList();
        foreach (var reference in listed)
        {
            Assert.True(used.Contains(reference), $"{name} lists {reference}, which its assembly does not use");
        }

        // And the other way: what the assembly uses of ours is listed, not reached through another project.
        var unlisted = used.Where(a => a.StartsWith("EdgeNode", StringComparison.Ordinal) && !listed.Contains(a)).Order().ToList();
        Assert.True(unlisted.Count == 0, $"{name} uses {string.Join(", ", unlisted)} without listing it");

        // The ASP.NET Core shared framework is for projects that serve HTTP; one that only logs takes
        // Microsoft.Extensions.Logging.Abstractions.
        if (Items(project, "FrameworkReference").Contains("Microsoft.AspNetCore.App"))
        {
            Assert.True(used.Any(a => a.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)),
                $"{name} takes the ASP.NET Core framework but its assembly uses none of it");
        }
    }

    // Read from the file's metadata, not loaded: an executable's assembly need not be loadable here.
    private static HashSet<string> ReferencedAssemblies(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToHashSet(StringComparer.Ordinal);
    }

    private static XDocument Project(string name) => XDocument.Load(ProjectPath(name));

    private static string ProjectPath(string name) => Path.Combine(RepoRoot(), "src", name, name + ".csproj");

    private static List<string> Items(XDocument project, string item) =>
        [.. project.Descendants(item).Select(e => (string?)e.Attribute("Include") ?? "")];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeNode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no EdgeNode.sln above {AppContext.BaseDirectory}");
    }
}

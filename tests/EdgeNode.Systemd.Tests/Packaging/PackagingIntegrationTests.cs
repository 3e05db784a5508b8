using System.IO.Compression;
using System.Text.RegularExpressions;
using EdgeNode.Testing;

namespace EdgeNode.Systemd.Tests.Packaging;

/// <summary>The Debian packages built by "./build.sh package", inspected with dpkg-deb, file and lintian, and installed
/// with the real dpkg into a throwaway root.</summary>
public sealed class PackagingIntegrationTests(PackagesFixture packages) : IClassFixture<PackagesFixture>
{
    private static readonly Dictionary<string, string> s_rid = new()
    {
        ["amd64"] = "linux-x64", ["arm64"] = "linux-arm64", ["armhf"] = "linux-arm",
    };

    private static readonly Dictionary<string, Regex> s_elf = new()
    {
        ["amd64"] = new(@"^ELF 64-bit LSB .*x86-64"),
        ["arm64"] = new(@"^ELF 64-bit LSB .*ARM aarch64"),
        ["armhf"] = new(@"^ELF 32-bit LSB .*ARM, EABI5"),
    };

    [Fact]
    public void BuildPackage_EveryApplicationAndArchitecture_NamedByBuildVersionAndStaleRemoved()
    {
        var built = Directory.GetFiles(packages.PackagesDirectory, "*.deb").Select(Path.GetFileName).Order().ToList();

        Assert.Equal(PackagesFixture.Built.Select(p => $"{p.App}_{packages.Version}_{p.Arch}.deb").Order(), built);
        Assert.False(File.Exists(packages.StalePackage));
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    [InlineData("armhf")]
    public void Control_Fields_ArchitectureVersionAndDependencies(string arch)
    {
        var (_, info) = Tools.Run(Tools.DpkgDeb, ["-I", packages.Package(arch)]);
        string Field(string name) => Regex.Match(info, $@"^ {name}: (.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();

        Assert.Equal("edgenode", Field("Package"));
        Assert.Equal(packages.Version, Field("Version"));
        Assert.Equal(arch, Field("Architecture"));
        Assert.Matches(@"^libc6 \(>= 2\.\d+\)", Field("Depends"));
        Assert.Contains("adduser", Field("Depends"));
        // No hard dependency on Microsoft's runtime package: it does not exist for Raspberry Pi OS.
        Assert.DoesNotContain("aspnetcore", Field("Depends"));
        Assert.DoesNotContain("dotnet", Field("Depends"));
        // Only the framework-dependent armhf package needs a runtime beside it.
        Assert.Equal(arch == "armhf" ? "aspnetcore-runtime-10.0" : "", Field("Recommends"));
        Assert.Contains("postinst", info);
        Assert.Contains("prerm", info);
        Assert.Contains("postrm", info);
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    [InlineData("armhf")]
    public void Contents_Layout_RootOwnedWithTheRightModes(string arch)
    {
        var (_, listing) = Tools.Run(Tools.DpkgDeb, ["-c", packages.Package(arch)]);
        var entries = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Regex.Match(l, @"^(\S+) (\S+)\s+\d+ \S+ \S+ \./(.*?)(?: -> .*)?$"))
            .Where(m => m.Success)
            .ToDictionary(m => "/" + m.Groups[3].Value.TrimEnd('/'), m => (Mode: m.Groups[1].Value, Owner: m.Groups[2].Value));

        Assert.All(entries.Values, e => Assert.Equal("root/root", e.Owner));
        var selfContained = PackagesFixture.SelfContainedArchitectures.Contains(arch);
        // Self-contained: /usr/bin/edgenode links to the native executable; armhf: the launcher script.
        Assert.Equal(selfContained ? "lrwxrwxrwx" : "-rwxr-xr-x", entries["/usr/bin/edgenode"].Mode);
        if (selfContained)
        {
            Assert.Contains("./usr/bin/edgenode -> ../lib/edgenode/edgenode", listing);
            Assert.Equal("-rwxr-xr-x", entries["/usr/lib/edgenode/edgenode"].Mode);
        }

        // NativeAOT (amd64, arm64): the executable is the whole program, no assemblies beside it; armhf: the assembly
        // and what the installed runtime needs to load it.
        string[] assemblies = ["/usr/lib/edgenode/edgenode.dll", "/usr/lib/edgenode/edgenode.runtimeconfig.json", "/usr/lib/edgenode/edgenode.deps.json"];
        foreach (var file in (selfContained ? [] : assemblies).Concat(
                 [
                     "/lib/systemd/system/edgenode.service",
                     "/etc/edgenode/edgenode.yaml", "/usr/share/doc/edgenode/copyright",
                     "/usr/share/doc/edgenode/changelog.Debian.gz", "/usr/share/man/man1/edgenode.1.gz",
                     "/lib/udev/rules.d/60-edgenode.rules",
                 ]))
        {
            Assert.True(entries.ContainsKey(file), $"{file} missing from {arch}:\n{listing}");
            Assert.Equal("-rw-r--r--", entries[file].Mode);
        }

        // No XML docs, no symbols; one executable: the apphost (self-contained) or the launcher (armhf).
        if (!selfContained)
        {
            Assert.DoesNotContain(entries, e => e.Key == "/usr/lib/edgenode/edgenode");
        }
        else
        {
            Assert.DoesNotContain(entries, e => e.Key.EndsWith(".dll", StringComparison.Ordinal) || e.Key.EndsWith(".json", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(entries, e => e.Key.EndsWith(".xml", StringComparison.Ordinal) || e.Key.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Single(entries, e => e.Value.Mode.StartsWith("-rwx", StringComparison.Ordinal));
        // If the node has native assets, they are this architecture's only.
        Assert.All(entries.Keys.Where(k => k.StartsWith("/usr/lib/edgenode/runtimes/", StringComparison.Ordinal)),
            k => Assert.Matches($"^/usr/lib/edgenode/runtimes($|/({s_rid[arch]}|linux|unix)(/|$))", k));
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    [InlineData("armhf")]
    public void Contents_EveryElfObject_IsOfThePackagesArchitecture(string arch)
    {
        foreach (var deb in new[] { packages.Package(arch), packages.Synthetic(arch) })
        {
            var root = packages.Extract(deb);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var (_, description) = Tools.Run(Tools.File, ["-b", file]);
                if (description.StartsWith("ELF", StringComparison.Ordinal))
                {
                    Assert.Matches(s_elf[arch], description);
                    Assert.DoesNotContain("not stripped", description);
                }
            }
        }
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    [InlineData("armhf")]
    public void AllRidPublish_KeepsOnlyTheOwnSqlite(string arch)
    {
        Assert.True(packages.RidCount > 10, "the SQLite package should bring many RIDs");
        var root = packages.Extract(packages.Synthetic(arch));

        var natives = Directory.EnumerateFiles(Path.Combine(root, "usr", "lib", "edgenode"), "*", SearchOption.AllDirectories)
            .Where(f => f.Contains("/runtimes/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.Equal([$"usr/lib/edgenode/runtimes/{s_rid[arch]}/native/libe_sqlite3.so"], natives);
        var (_, info) = Tools.Run(Tools.DpkgDeb, ["-f", packages.Synthetic(arch), "Depends"]);
        // SourceGear's libe_sqlite3.so needs GLIBC_2.34 symbols: the dependency is computed from the objects.
        Assert.StartsWith("libc6 (>= 2.34)", info.Trim(), StringComparison.Ordinal);
        if (arch == "armhf")
        {
            var (_, header) = Tools.Run("readelf", ["-h", Path.Combine(root, natives[0])]);
            Assert.Contains("hard-float ABI", header);
        }
    }

    [Fact]
    public void Lintian_AllPackages_NoErrorsNoWarnings()
    {
        var debs = PackagesFixture.Built.Select(p => packages.Package(p.App, p.Arch))
            .Concat(PackagesFixture.Architectures.Select(packages.Synthetic)).ToList();

        var (_, output) = Tools.Run(Tools.Lintian, ["--no-tag-display-limit", "--fail-on", "none", .. debs], TimeSpan.FromMinutes(10));

        var problems = output.Split('\n').Where(l => Regex.IsMatch(l, "^[EW]: ")).ToList();
        Assert.True(problems.Count == 0, "lintian:\n" + output);
        Assert.DoesNotContain("unused-override", output);
    }

    [Fact]
    public void Docs_CopyrightIsDep5AndChangelogNamesTheVersion()
    {
        var root = packages.Extract(packages.Package("amd64"));
        var doc = Path.Combine(root, "usr", "share", "doc", "edgenode");

        var copyright = File.ReadAllText(Path.Combine(doc, "copyright"));
        Assert.StartsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n", copyright, StringComparison.Ordinal);
        Assert.Contains("\nFiles: *\n", copyright);

        var gz = File.ReadAllBytes(Path.Combine(doc, "changelog.Debian.gz"));
        // gzip -9n: no file name (FLG bit 3 clear) and no time stamp (MTIME 0), so builds are reproducible.
        Assert.Equal(0, gz[3] & 0x08);
        Assert.Equal(0, BitConverter.ToInt32(gz, 4));
        using var reader = new StreamReader(new GZipStream(new MemoryStream(gz), CompressionMode.Decompress));
        Assert.StartsWith($"edgenode ({packages.Version}) ", reader.ReadLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void Launcher_Armhf_ExecsDotnetOnTheInstalledAssembly()
    {
        var root = packages.Extract(packages.Package("armhf"));

        var launcher = File.ReadAllText(Path.Combine(root, "usr", "bin", "edgenode"));

        Assert.StartsWith("#!/bin/sh\n", launcher, StringComparison.Ordinal);
        Assert.Contains("app=/usr/lib/edgenode/edgenode.dll", launcher);
        // exec: the node replaces the shell and is systemd's main PID (Type=notify, NotifyAccess=main).
        Assert.Contains("exec \"$dotnet\" \"$app\" \"$@\"", launcher);
    }

    [Fact]
    public void ThrowawayRoot_InstallUpgradeRemovePurge_MaintainerScriptsBehave()
    {
        Tools.Unshare.ToString();
        var script = Path.Combine(RepoPaths.Tests, "EdgeNode.Systemd.Tests", "Packaging", "throwaway-install.sh");
        var (code, output) = Tools.Run("/bin/bash", [script, packages.Package("amd64"), packages.UpgradePackage], TimeSpan.FromMinutes(10));
        var checks = output.Split('\n')
            .Where(l => l.StartsWith("CHECK ", StringComparison.Ordinal))
            .Select(l => l[6..])
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        string Check(string key) => checks.TryGetValue(key, out var v) ? v : throw new Xunit.Sdk.XunitException($"no {key}:\n{output}");

        Assert.True(code == 0 && Check("done") == "yes", output);

        // 1. Install in a chroot-like root without a running systemd: user, groups, permissions, enablement.
        Assert.Equal("0", Check("install.rc"));
        Assert.DoesNotMatch(@"\b(start|stop)\b", Check("install.systemctl"));
        Assert.Equal(packages.Version, Check("version"));
        Assert.Equal("/var/lib/edgenode:/usr/sbin/nologin", Check("passwd"));
        Assert.Equal(["dialout", "edgenode", "gpio", "i2c"], Check("groups").Split(' ').Order());
        Assert.Equal("root:edgenode 640", Check("config.stat"));
        Assert.Equal("edgenode:edgenode 750", Check("state.stat"));
        Assert.Contains("/etc/edgenode/edgenode.yaml", Check("conffiles").Split(' '));
        Assert.Equal("/lib/systemd/system/edgenode.service", Check("enabled.link"));
        Assert.Equal("yes", Check("unit.exists"));
        Assert.Equal("yes", Check("udev.exists"));
        // The self-contained amd64 package runs where no .NET exists at all.
        Assert.Equal("", Check("dotnet.absent"));
        Assert.Equal(packages.Version, Check("launcher.version"));
        Assert.Equal("ok", Check("validate.example"));
        Assert.Equal("readable", Check("user.config"));
        // the web console's save (ReadWritePaths=/etc/edgenode in the unit): the service's group writes the folder
        Assert.Equal("root:edgenode 770", Check("config.dir.stat"));
        Assert.Equal("writable", Check("user.config.save"));
        Assert.Equal("writable", Check("user.state"));
        Assert.Equal("denied", Check("other.config"));
        // The installed unit, with its binary and man page present, verifies without a single complaint.
        Assert.True(Check("verify.rc") == "0" && Check("verify.output") == "", Check("verify.output"));

        // 2. With systemd running, a reinstall over the untouched example configuration stops the node, never starts it.
        Assert.Equal("0", Check("reinstall.rc"));
        Assert.Contains("stop edgenode.service", Check("reinstall.systemctl"));
        Assert.DoesNotContain("start edgenode.service", Check("reinstall.systemctl"));
        Assert.Contains("enabled but not started", Check("reinstall.output"));

        // 3. An upgrade keeps the edited conffile (no prompt), its permissions and the state; the node restarts.
        Assert.Equal("0", Check("upgrade.rc"));
        Assert.Equal(packages.UpgradeVersion, Check("upgrade.version"));
        Assert.Equal("1", Check("upgrade.config.edit"));
        Assert.Equal("root:edgenode 640", Check("upgrade.config.stat"));
        Assert.Equal("41", Check("upgrade.bdseq"));
        var upgradeCalls = Check("upgrade.systemctl");
        Assert.True(upgradeCalls.IndexOf("stop edgenode.service", StringComparison.Ordinal) is var stop and >= 0 &&
                    upgradeCalls.IndexOf("start edgenode.service", StringComparison.Ordinal) > stop, upgradeCalls);

        // 4. Remove: stopped, program gone, configuration, state and user kept.
        Assert.Equal("0", Check("remove.rc"));
        Assert.Contains("stop edgenode.service", Check("remove.systemctl"));
        Assert.Equal("gone", Check("remove.binary"));
        Assert.Equal("1", Check("remove.config.edit"));
        Assert.Equal("41", Check("remove.bdseq"));
        Assert.Equal("present", Check("remove.user"));

        // 5. Purge: everything of the node goes, the shared device groups stay.
        Assert.Equal("0", Check("purge.rc"));
        Assert.Equal("gone", Check("purge.etc"));
        Assert.Equal("gone", Check("purge.state"));
        Assert.Equal("gone", Check("purge.user"));
        Assert.Equal("gone", Check("purge.group"));
        Assert.Equal("gone", Check("purge.statoverride"));
        Assert.Equal("gone", Check("purge.statoverride.dir"));
        Assert.Equal("present", Check("purge.devicegroups"));
    }

    /// <summary>The self-contained packages run with no .NET reachable: extracted with dpkg -x into a scratch root and
    /// started with an empty environment (no DOTNET_ROOT, a PATH without dotnet), through /usr/bin's link.</summary>
    [Theory]
    [MemberData(nameof(PackagesFixture.SelfContained), "amd64", MemberType = typeof(PackagesFixture))]
    public void SelfContained_ExtractedWithoutDotnet_RunsVersionAndValidate(string app, string arch)
    {
        var root = packages.Extract(packages.Package(app, arch));
        var exe = Path.Combine(root, "usr", "bin", app);
        var config = Path.Combine(root, "etc", app, app + ".yaml");

        var (versionCode, version) = RunScrubbed(exe, ["--version"], root);
        var (validCode, valid) = RunScrubbed(exe, ["validate", "--config", config], root);
        var broken = Path.Combine(root, "broken.yaml");
        File.WriteAllText(broken, File.ReadAllText(config) + "\nnoSuchKey: 1\n");
        var (brokenCode, brokenOutput) = RunScrubbed(exe, ["validate", "--config", broken], root);

        Assert.True(versionCode == 0, version);
        Assert.Equal(packages.Version, version.Trim());
        Assert.True(validCode == 0, valid);
        Assert.Equal("ok", valid.Trim());
        // The trimmed YAML loader still names file, line and key.
        Assert.Equal(2, brokenCode);
        Assert.Contains(broken + ":", brokenOutput);
        Assert.Contains("noSuchKey", brokenOutput);
    }

    [Theory]
    [MemberData(nameof(PackagesFixture.SelfContained), "", MemberType = typeof(PackagesFixture))]
    public void SelfContained_ExecutableAndNativeLibraries_AreOfThePackagesArchitecture(string app, string arch)
    {
        var root = packages.Extract(packages.Package(app, arch));
        var lib = Path.Combine(root, "usr", "lib", app);
        var machine = arch == "arm64" ? "ARM aarch64" : "x86-64";

        var (_, exe) = Tools.Run(Tools.File, ["-b", Path.Combine(lib, app)]);
        Assert.Matches($"^ELF 64-bit LSB pie executable, {machine},", exe);
        var natives = Directory.GetFiles(lib, "*.so", SearchOption.AllDirectories);
        // The node is NativeAOT: its only shared library is SQLite, no .NET runtime at all. The bridge is self-contained.
        string[] runtime = ["libcoreclr.so", "libclrjit.so", "libhostfxr.so", "libSystem.Native.so"];
        foreach (var required in app == "edgenode" ? ["libe_sqlite3.so"] : runtime.Append("librdkafka.so"))
        {
            Assert.Contains(natives, n => Path.GetFileName(n) == required);
        }

        if (app == "edgenode")
        {
            Assert.Single(natives);
        }

        Assert.All(natives, n => Assert.Matches($"^ELF 64-bit LSB shared object, {machine},", Tools.Run(Tools.File, ["-b", n]).Output));
    }

    [Theory]
    [MemberData(nameof(PackagesFixture.SelfContained), "", MemberType = typeof(PackagesFixture))]
    public void SelfContained_Contents_NoUnusedRuntimePartsAndOnlyDebianDependencies(string app, string arch)
    {
        var (_, listing) = Tools.Run(Tools.DpkgDeb, ["-c", packages.Package(app, arch)]);
        var files = Regex.Matches(listing, @" \./(\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

        // Debugger, standalone GCs, LTTng provider, crash dumper; builds for musl or RHEL; symbols and docs.
        Assert.DoesNotContain(files, f => Regex.IsMatch(Path.GetFileName(f),
            @"^(libmscordaccore|libmscordbi|libclrgc|libclrgcexp|libcoreclrtraceptprovider)\.so$|^createdump$|^(alpine|centos\d*)-|\.(pdb|xml|dbg)$"));
        Assert.DoesNotContain(files, f => f.Contains("/runtimes/", StringComparison.Ordinal));

        // Every dependency (or one of its alternatives) is a package this Debian 12 machine knows.
        var (_, depends) = Tools.Run(Tools.DpkgDeb, ["-f", packages.Package(app, arch), "Depends"]);
        foreach (var alternatives in depends.Trim().Split(", "))
        {
            var names = alternatives.Split(" | ").Select(a => Regex.Replace(a, @"\s*\(.*\)$", "")).ToList();
            Assert.True(names.Any(n => Tools.Run("apt-cache", ["show", "--no-all-versions", n]).ExitCode == 0),
                $"{alternatives} (of {depends.Trim()}) is not a Debian package here");
        }

        // The CLR (the bridge's runtime) is C++; NativeAOT code and SQLite need only the C library.
        if (app == "edgenode")
        {
            Assert.DoesNotContain("libstdc++6", depends);
        }
        else
        {
            Assert.Contains("libstdc++6", depends);
        }

        Assert.DoesNotContain("zlib1g", depends);
    }

    private static (int ExitCode, string Output) RunScrubbed(string file, IEnumerable<string> args, string scratch)
    {
        var empty = Directory.CreateDirectory(Path.Combine(scratch, "empty-path")).FullName;
        var info = new System.Diagnostics.ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = scratch,
        };
        info.Environment.Clear();
        info.Environment["PATH"] = empty;
        info.Environment["HOME"] = scratch;
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

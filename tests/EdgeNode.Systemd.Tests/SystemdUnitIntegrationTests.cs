using System.Globalization;
using System.Text.RegularExpressions;
using EdgeNode.Testing;

namespace EdgeNode.Systemd.Tests;

/// <summary>systemd/edgenode.service checked by systemd's own tools (systemd-analyze verify and security).</summary>
public sealed class SystemdUnitIntegrationTests
{
    private static readonly string s_unit = Path.Combine(RepoPaths.Root, "systemd", "edgenode.service");

    [Fact]
    public void Verify_UnitFile_OnlyComplaintIsTheUninstalledBinary()
    {
        // systemd is not PID 1 here and the node is not installed: verify's only permitted complaint is that
        // /usr/bin/edgenode does not exist. (The packaging test verifies the installed unit with no complaint at all.)
        var (_, output) = Tools.Run(Tools.SystemdAnalyze, ["verify", "--man=no", s_unit]);

        var complaints = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Equals("edgenode.service: Command /usr/bin/edgenode is not executable: No such file or directory",
                StringComparison.Ordinal))
            .ToList();
        Assert.True(complaints.Count == 0, "systemd-analyze verify:\n" + output);
    }

    [Fact]
    public void Security_UnitFile_ExposureAtMostTwo()
    {
        var (code, output) = Tools.Run(Tools.SystemdAnalyze, ["security", "--offline=yes", "--no-pager", s_unit]);

        Assert.True(code == 0, output);
        var match = Regex.Match(output, @"Overall exposure level for edgenode\.service: (\d+\.\d)");
        Assert.True(match.Success, output);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        // 1.6 when written (README); 10 is "UNSAFE". A regression above 2.0 means a protection was dropped.
        Assert.True(exposure <= 2.0, $"exposure {exposure}:\n{output}");
        foreach (var setting in new[] { "ProtectSystem=", "ProtectHome=", "NoNewPrivileges=", "PrivateTmp=", "ProtectKernelModules=",
                     "CapabilityBoundingSet=~CAP_SYS_ADMIN", "RestrictAddressFamilies=~AF_PACKET", "RestrictNamespaces=~user" })
        {
            Assert.Matches(new Regex(@"✓ " + Regex.Escape(setting)), output);
        }
    }

    [Fact]
    public void UnitFile_Settings_NotifyHardenedHardwareAndNetwork()
    {
        var settings = File.ReadAllLines(s_unit)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('['))
            .Select(l => (Key: l[..l.IndexOf('=')], Value: l[(l.IndexOf('=') + 1)..]))
            .ToLookup(s => s.Key, s => s.Value);

        string One(string key) => Assert.Single(settings[key]);

        Assert.Equal("notify", One("Type"));
        Assert.Equal("main", One("NotifyAccess"));
        Assert.Equal("/usr/bin/edgenode run --config /etc/edgenode/edgenode.yaml", One("ExecStart"));
        Assert.Equal("edgenode", One("User"));
        Assert.Equal("dialout gpio i2c", One("SupplementaryGroups"));
        Assert.Equal("edgenode", One("StateDirectory"));
        Assert.Equal("edgenode", One("ConfigurationDirectory"));
        Assert.Equal("strict", One("ProtectSystem"));
        // The web console saves the map in /etc/edgenode (atomically: a new file in the folder renamed over the old) under
        // ProtectSystem=strict: the folder is writable for the service, and its group (edgenode, set by postinst) may write it.
        Assert.Equal("/etc/edgenode", One("ReadWritePaths"));
        Assert.Equal("0770", One("ConfigurationDirectoryMode"));
        Assert.Equal("yes", One("ProtectHome"));
        Assert.Equal("yes", One("NoNewPrivileges"));
        Assert.Equal("yes", One("PrivateTmp"));
        Assert.Equal("on-failure", One("Restart"));
        Assert.Equal(["2", "127"], One("RestartPreventExitStatus").Split(' '));
        Assert.NotEmpty(One("StartLimitIntervalSec"));
        Assert.NotEmpty(One("StartLimitBurst"));
        Assert.Equal("60s", One("WatchdogSec"));
        // The node must be able to finish its 5 s graceful stop (flush, DDEATH/NDEATH, disconnect) before SIGKILL.
        Assert.True(ParseSeconds(One("TimeoutStopSec")) >= 10);
        Assert.Equal("closed", One("DevicePolicy"));
        var devices = settings["DeviceAllow"].ToList();
        foreach (var device in new[] { "char-ttyUSB", "char-ttyACM", "char-ttyAMA", "char-gpiochip", "char-i2c" })
        {
            Assert.Contains(device + " rw", devices);
        }

        // ttyS0-7 by number (major 4, minors 64-71); char-ttyS (or char-tty) would grant all of major 4, with the
        // virtual consoles /dev/tty0-63.
        for (var minor = 64; minor < 72; minor++)
        {
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"/dev/char/4:{minor} rw"), devices);
        }

        Assert.DoesNotContain(devices, d => d.StartsWith("char-tty ", StringComparison.Ordinal) || d.StartsWith("char-ttyS ", StringComparison.Ordinal)
            || d.StartsWith("/dev/char/4:", StringComparison.Ordinal) && int.Parse(d.Split(' ')[0][12..], CultureInfo.InvariantCulture) < 64);

        // The broker must stay reachable.
        var families = One("RestrictAddressFamilies").Split(' ');
        Assert.Contains("AF_INET", families);
        Assert.Contains("AF_INET6", families);
        Assert.Contains("AF_UNIX", families);
        Assert.Empty(settings["PrivateNetwork"]);
        Assert.Empty(settings["IPAddressDeny"]);
        Assert.Empty(settings["PrivateDevices"]);
        Assert.Equal("multi-user.target", One("WantedBy"));
    }

    private static double ParseSeconds(string value) =>
        value.EndsWith("min", StringComparison.Ordinal) ? double.Parse(value[..^3], CultureInfo.InvariantCulture) * 60
        : double.Parse(value.TrimEnd('s'), CultureInfo.InvariantCulture);
}

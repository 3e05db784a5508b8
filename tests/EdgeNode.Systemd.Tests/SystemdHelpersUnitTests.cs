using System.Runtime.CompilerServices;

namespace EdgeNode.Systemd.Tests;

public sealed class SystemdHelpersUnitTests
{
    private static readonly Func<int> s_parent = () => 777;

    [Fact]
    public void Detect_ExecPidIsUs_True() =>
        Assert.True(SystemdHelpers.Detect(1234, "1234", null, null, s_parent, _ => "bash\n"));

    [Fact]
    public void Detect_ExecPidInheritedFromParent_FallsBackToParentComm() =>
        Assert.False(SystemdHelpers.Detect(1234, "1000", null, null, s_parent, _ => "bash\n"));

    [Fact]
    public void Detect_ParentIsSystemd_True() =>
        Assert.True(SystemdHelpers.Detect(1234, null, null, null, s_parent, pid => pid == 777 ? "systemd\n" : null));

    [Fact]
    public void Detect_ParentIsShell_False() =>
        Assert.False(SystemdHelpers.Detect(1234, null, "/run/systemd/notify", null, s_parent, _ => "sh\n"));

    [Fact]
    public void Detect_ParentUnreadable_False() =>
        Assert.False(SystemdHelpers.Detect(1234, null, null, null, s_parent, _ => null));

    [Theory]
    [InlineData("/run/systemd/notify", null, true)]
    [InlineData(null, "1", true)]
    [InlineData(null, null, false)]
    public void Detect_Pid1InContainer_NeedsManagerVariables(string? notify, string? listen, bool expected) =>
        Assert.Equal(expected, SystemdHelpers.Detect(1, null, notify, listen, () => 0, _ => "systemd\n"));

    [Fact]
    public void IsSystemdService_TestHost_MatchesItsParent()
    {
        // The test host is started by dotnet test (or by the build script), not by systemd, unless it is itself a unit.
        var execPid = Environment.GetEnvironmentVariable("SYSTEMD_EXEC_PID");
        var expected = execPid == Environment.ProcessId.ToString() ||
                       File.ReadAllText($"/proc/{Interop.GetParentProcessId()}/comm") == "systemd\n";

        Assert.Equal(expected, SystemdHelpers.IsSystemdService());
    }

    [Fact]
    public void GetParentProcessId_MatchesProcStat()
    {
        // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces, so parse after the last ')'.
        var stat = File.ReadAllText("/proc/self/stat");
        var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);

        Assert.Equal(ppid, Interop.GetParentProcessId());
    }

    [Fact]
    public void Statx_Layout_MatchesKernelHeader()
    {
        // include/uapi/linux/stat.h: struct statx is 0x100 bytes; stx_ino at 0x20, stx_dev_major at 0x88.
        Assert.Equal(256, Unsafe.SizeOf<Interop.statx>());
        Assert.Equal(0x20, System.Runtime.InteropServices.Marshal.OffsetOf<Interop.statx>(nameof(Interop.statx.stx_ino)).ToInt32());
        Assert.Equal(0x80, System.Runtime.InteropServices.Marshal.OffsetOf<Interop.statx>(nameof(Interop.statx.stx_rdev_major)).ToInt32());
        Assert.Equal(0x88, System.Runtime.InteropServices.Marshal.OffsetOf<Interop.statx>(nameof(Interop.statx.stx_dev_major)).ToInt32());
        Assert.Equal(0x8C, System.Runtime.InteropServices.Marshal.OffsetOf<Interop.statx>(nameof(Interop.statx.stx_dev_minor)).ToInt32());
    }

    [Theory]
    [InlineData(0u, 0u, 0ul)]
    [InlineData(8u, 1u, 0x801ul)] // /dev/sda1
    [InlineData(0u, 25u, 25ul)] // an overlay/sockfs anonymous device
    [InlineData(259u, 65536u, 0x1001_0300ul)] // nvme partitions use minors above 255
    [InlineData(4096u, 0u, 0x1000_0000_0000ul)] // majors above 4095 go to the high bits
    public void MakeDev_MatchesGlibcMacro(uint major, uint minor, ulong expected) =>
        Assert.Equal(expected, Interop.MakeDev(major, minor));
}

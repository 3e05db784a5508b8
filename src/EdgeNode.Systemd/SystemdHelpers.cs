using System.Globalization;

namespace EdgeNode.Systemd;

/// <summary>Detects whether this process runs as a systemd service (the rules of dotnet's <c>SystemdHelpers</c>).</summary>
public static class SystemdHelpers
{
    private static readonly Lazy<bool> s_isSystemdService = new(() => Detect(
        Environment.ProcessId,
        Environment.GetEnvironmentVariable("SYSTEMD_EXEC_PID"),
        Environment.GetEnvironmentVariable(SystemdNotifier.NotifySocketVariable),
        Environment.GetEnvironmentVariable("LISTEN_PID"),
        Interop.GetParentProcessId,
        ReadComm));

    /// <summary>
    /// True when systemd started this process as a service: <c>$SYSTEMD_EXEC_PID</c> is our PID (systemd ≥ 248); or we
    /// are PID 1 of a container with <c>$NOTIFY_SOCKET</c>/<c>$LISTEN_PID</c>; or our parent's comm is <c>systemd</c>.
    /// Computed once.
    /// </summary>
    public static bool IsSystemdService() => s_isSystemdService.Value;

    internal static bool Detect(int processId, string? execPid, string? notifySocket, string? listenPid,
        Func<int> parentProcessId, Func<int, string?> readComm)
    {
        // systemd ≥ 248 sets SYSTEMD_EXEC_PID; it is inherited by children, hence the comparison with our own PID.
        if (int.TryParse(execPid, NumberStyles.None, CultureInfo.InvariantCulture, out var exec) && exec == processId)
        {
            return true;
        }

        // PID 1 is a container's entry point; only the service manager's variables say it is managed.
        if (processId == 1)
        {
            return !string.IsNullOrEmpty(notifySocket) || !string.IsNullOrEmpty(listenPid);
        }

        // Older systemd: the service's parent is systemd itself (/usr/bin/edgenode exec's dotnet, keeping the parent).
        var comm = readComm(parentProcessId());
        return string.Equals(comm?.TrimEnd('\n'), "systemd", StringComparison.Ordinal);
    }

    private static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm");
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
}

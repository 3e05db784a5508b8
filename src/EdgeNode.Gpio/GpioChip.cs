using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio;

/// <summary>
/// An open GPIO chip (/dev/gpiochipN): describes its lines and requests them. Line requests outlive the chip object
/// (the kernel keeps the chip alive for them), so a chip may be disposed once its lines are requested. Thread-safe.
/// </summary>
public sealed class GpioChip : IDisposable
{
    private readonly IGpioKernel _kernel;
    private readonly GpioFdSafeHandle _handle;
    private readonly ILogger _logger;
    private string[]? _lineNames;

    private GpioChip(IGpioKernel kernel, GpioFdSafeHandle handle, GpioChipInfo info, ILogger logger)
    {
        _kernel = kernel;
        _handle = handle;
        Info = info;
        _logger = logger;
    }

    /// <summary>The chip's path, name, label and line count.</summary>
    public GpioChipInfo Info { get; }

    /// <summary>The device path, e.g. /dev/gpiochip0.</summary>
    public string Path => Info.Path;

    /// <summary>The kernel name, e.g. gpiochip0.</summary>
    public string Name => Info.Name;

    /// <summary>The label, e.g. pinctrl-rp1.</summary>
    public string Label => Info.Label;

    /// <summary>Number of lines.</summary>
    public int LineCount => Info.LineCount;

    /// <summary>The kernel seam this chip talks through.</summary>
    public IGpioKernel Kernel => _kernel;

    /// <summary>
    /// Opens a chip of the running kernel by device path (<c>/dev/gpiochip0</c>), name (<c>gpiochip0</c>), number
    /// (<c>0</c>) or label (<c>pinctrl-rp1</c>, found by scanning /dev/gpiochip* with GPIO_GET_CHIPINFO_IOCTL).
    /// </summary>
    /// <exception cref="GpioException">No such chip, permission denied, or not a GPIO chip; the message says what to do.</exception>
    public static GpioChip Open(string pathNameOrLabel, ILogger? logger = null) =>
        Open(pathNameOrLabel, LinuxGpioKernel.Instance, logger);

    /// <summary>Opens a chip through <paramref name="kernel"/> (e.g. a <see cref="Testing.FakeGpioKernel"/>).</summary>
    /// <exception cref="GpioException">No such chip, permission denied, or not a GPIO chip; the message says what to do.</exception>
    public static GpioChip Open(string pathNameOrLabel, IGpioKernel kernel, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathNameOrLabel);
        ArgumentNullException.ThrowIfNull(kernel);
        logger ??= NullLogger.Instance;

        var path = PathOf(pathNameOrLabel);
        if (path is not null)
        {
            var chip = OpenPath(kernel, path, logger);
            Log.ChipOpened(logger, path, chip.Info.ToString());
            return chip;
        }

        // A label (or a name that is not gpiochipN): scan every chip.
        var deniedPaths = new List<string>();
        var available = new List<GpioChipInfo>();
        foreach (var candidate in kernel.EnumerateChipPaths())
        {
            GpioChip chip;
            try
            {
                chip = OpenPath(kernel, candidate, logger);
            }
            catch (GpioException ex)
            {
                Log.ChipSkipped(logger, candidate, ex.Errno);
                if (ex.Kind == GpioErrorKind.AccessDenied)
                {
                    deniedPaths.Add(candidate);
                }

                continue;
            }

            if (string.Equals(chip.Label, pathNameOrLabel, StringComparison.Ordinal)
                || string.Equals(chip.Name, pathNameOrLabel, StringComparison.Ordinal))
            {
                Log.ChipOpened(logger, candidate, chip.Info.ToString());
                return chip;
            }

            available.Add(chip.Info);
            chip.Dispose();
        }

        if (deniedPaths.Count > 0)
        {
            throw new GpioException(GpioErrorKind.AccessDenied, pathNameOrLabel, Errno.EACCES,
                $"No GPIO chip labelled '{pathNameOrLabel}' among those readable; permission was denied on " +
                $"{string.Join(", ", deniedPaths)}. {GpioException.PermissionHint}.");
        }

        throw new GpioException(GpioErrorKind.ChipNotFound, pathNameOrLabel, Errno.ENOENT, available.Count == 0
            ? $"No GPIO chip '{pathNameOrLabel}': this machine has no /dev/gpiochip* devices (no GPIO controller, or a " +
              "kernel without CONFIG_GPIO_CDEV)."
            : $"No GPIO chip with the label or name '{pathNameOrLabel}'. Available: {string.Join(", ", available)}.");
    }

    /// <summary>Every chip of the running kernel (or of <paramref name="kernel"/>) that can be opened, in numeric order.</summary>
    public static IReadOnlyList<GpioChipInfo> EnumerateChips(IGpioKernel? kernel = null)
    {
        kernel ??= LinuxGpioKernel.Instance;
        var chips = new List<GpioChipInfo>();
        foreach (var path in kernel.EnumerateChipPaths())
        {
            try
            {
                using var chip = OpenPath(kernel, path, NullLogger.Instance);
                chips.Add(chip.Info);
            }
            catch (GpioException)
            {
                // Unreadable or vanished chips are left out of the list; Open names the reason when one is asked for.
            }
        }

        return chips;
    }

    /// <summary>
    /// Finds a line by name on every chip (like gpiofind): the first chip, in numeric order, with a line of that name.
    /// </summary>
    public static bool TryFindLineOnAnyChip(string lineName, out GpioChipInfo? chip, out int offset, IGpioKernel? kernel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(lineName);
        kernel ??= LinuxGpioKernel.Instance;
        foreach (var path in kernel.EnumerateChipPaths())
        {
            try
            {
                using var candidate = OpenPath(kernel, path, NullLogger.Instance);
                if (candidate.TryFindLine(lineName, out offset))
                {
                    chip = candidate.Info;
                    return true;
                }
            }
            catch (GpioException)
            {
                // Skip chips that cannot be read; the line may be on another.
            }
        }

        chip = null;
        offset = -1;
        return false;
    }

    /// <summary>/dev/gpiochipN for a path, a gpiochipN name or a number; null for anything else (a label).</summary>
    internal static string? PathOf(string spec)
    {
        if (spec.StartsWith('/'))
        {
            return spec;
        }

        if (GpioChipPath.ChipNumber(spec) >= 0)
        {
            return GpioChipPath.DevicePrefix + spec;
        }

        return IsNumber(spec, out var n) ? GpioChipPath.DevicePrefix + "gpiochip" + n.ToString(CultureInfo.InvariantCulture) : null;
    }

    private static bool IsNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static unsafe GpioChip OpenPath(IGpioKernel kernel, string path, ILogger logger)
    {
        var fd = kernel.Open(path);
        if (fd < 0)
        {
            throw GpioException.ForChip(-fd, path, "opening");
        }

        var handle = new GpioFdSafeHandle(kernel, fd);
        try
        {
            var info = default(gpiochip_info);
            var rc = kernel.Ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, AsBytes(ref info));
            if (rc < 0)
            {
                throw GpioException.ForChip(-rc, path, "reading the chip info of");
            }

            return new GpioChip(kernel, handle, new GpioChipInfo(path, ReadString(info.name, GPIO_MAX_NAME_SIZE),
                ReadString(info.label, GPIO_MAX_NAME_SIZE), (int)info.lines), logger);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Describes line <paramref name="offset"/>: name, consumer, flags, debounce.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The chip has no such line.</exception>
    /// <exception cref="GpioException">The kernel call failed.</exception>
    public GpioLineInfo GetLineInfo(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, LineCount);
        var info = new gpio_v2_line_info { offset = (uint)offset };
        using (var lease = _handle.Lease())
        {
            var rc = _kernel.Ioctl(lease.Fd, GPIO_V2_GET_LINEINFO_IOCTL, AsBytes(ref info));
            if (rc < 0)
            {
                throw -rc == Errno.ENOTTY
                    ? GpioException.ForLines(-rc, Path, "reading the info of", $"line {offset}")
                    : GpioException.ForChip(-rc, Path, $"reading the info of line {offset} on");
            }
        }

        return GpioLineConfig.Decode(ref info);
    }

    /// <summary>Describes every line of the chip (like gpioinfo).</summary>
    public IReadOnlyList<GpioLineInfo> GetLineInfos()
    {
        var lines = new GpioLineInfo[LineCount];
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = GetLineInfo(i);
        }

        return lines;
    }

    /// <summary>
    /// Finds a line by its name (exact match first, then a case-insensitive one when unambiguous). Line names come from
    /// the device tree and do not change while the system runs, so they are read once.
    /// </summary>
    public bool TryFindLine(string name, out int offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var names = _lineNames ??= GetLineInfos().Select(l => l.Name).ToArray();
        offset = Array.IndexOf(names, name);
        if (offset >= 0)
        {
            return true;
        }

        var matches = names.Select((n, i) => (Name: n, Index: i))
            .Where(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)).ToArray();
        offset = matches.Length == 1 ? matches[0].Index : -1;
        return offset >= 0;
    }

    /// <summary>The offset of the line named <paramref name="name"/>.</summary>
    /// <exception cref="GpioException">No line has that name (<see cref="GpioErrorKind.LineNotFound"/>).</exception>
    public int FindLine(string name)
    {
        if (TryFindLine(name, out var offset))
        {
            return offset;
        }

        var named = (_lineNames ?? []).Where(n => n.Length > 0).Take(8).ToArray();
        throw new GpioException(GpioErrorKind.LineNotFound, Path, 0,
            $"GPIO chip {Info} has no line named '{name}'. " + (named.Length == 0
                ? "Its lines have no names: use line numbers."
                : $"Names look like {string.Join(", ", named)}; 'gpioinfo {Name}' lists them all."));
    }

    /// <summary>Resolves a line given as a number ("17") or a name ("GPIO17") to its offset.</summary>
    /// <exception cref="GpioException">The number is out of range or no line has the name.</exception>
    public int ResolveLine(string numberOrName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(numberOrName);
        if (IsNumber(numberOrName.Trim(), out var offset))
        {
            if (offset >= LineCount)
            {
                throw new GpioException(GpioErrorKind.LineNotFound, Path, 0,
                    $"GPIO chip {Info} has no line {offset}: its lines are 0..{LineCount - 1}.", offset);
            }

            return offset;
        }

        return FindLine(numberOrName);
    }

    /// <summary>
    /// Requests lines (GPIO_V2_GET_LINE_IOCTL) and configures them as <paramref name="options"/> says. The lines
    /// stay held, with their configuration, until the returned request is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="GpioLineRequestOptionsValidator"/>).</exception>
    /// <exception cref="GpioException">
    /// A line does not exist, is in use (<see cref="GpioErrorKind.LineBusy"/>, naming its consumer), or the kernel
    /// refused the configuration.
    /// </exception>
    public unsafe GpioLineRequest RequestLines(GpioLineRequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = GpioLineRequestOptionsValidator.Validate(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid GPIO line request on {Path}: {string.Join("; ", problems)}", nameof(options));
        }

        var count = options.Lines.Count;
        var offsets = new int[count];
        var settings = new GpioLineSettings[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = ResolveLine(options.Lines[i].Line);
            settings[i] = options.Lines[i].Settings;
            var first = Array.IndexOf(offsets, offsets[i]);
            if (first < i)
            {
                throw new GpioException(GpioErrorKind.InvalidConfiguration, Path, 0,
                    $"'{options.Lines[first].Line}' and '{options.Lines[i].Line}' are the same line {offsets[i]} of {Info}.",
                    offsets[i]);
            }
        }

        var request = default(gpio_v2_line_request);
        for (var i = 0; i < count; i++)
        {
            request.offsets[i] = (uint)offsets[i];
        }

        WriteString(request.consumer, GPIO_MAX_NAME_SIZE, options.Consumer);
        GpioLineConfig.Encode(settings, options.EventClock, ref request.config, Path);
        request.num_lines = (uint)count;
        request.event_buffer_size = (uint)options.EventBufferSize;

        int rc;
        using (var lease = _handle.Lease())
        {
            rc = _kernel.Ioctl(lease.Fd, GPIO_V2_GET_LINE_IOCTL, AsBytes(ref request));
        }

        if (rc < 0)
        {
            throw RequestFailed(-rc, offsets);
        }

        if (request.fd <= 0)
        {
            throw new GpioException(GpioErrorKind.Other, Path, 0,
                $"GPIO chip {Path} accepted the request for {Describe(offsets)} but returned no line fd ({request.fd}).");
        }

        var lineRequest = new GpioLineRequest(_kernel, new GpioFdSafeHandle(_kernel, request.fd), Info, options.Consumer, offsets,
            settings, options, _logger);
        Log.LinesRequested(_logger, Path, lineRequest.Describe(), options.Consumer);
        return lineRequest;
    }

    /// <summary>Requests one line.</summary>
    public GpioLineRequest RequestLine(string numberOrName, GpioLineSettings settings, string consumer = "edgenode") =>
        RequestLines(new GpioLineRequestOptions { Consumer = consumer }.Add(numberOrName, settings));

    private GpioException RequestFailed(int errno, int[] offsets)
    {
        if (errno == Errno.EBUSY)
        {
            // Name the holder: line info carries the consumer label of whoever has the line (gpioinfo's column).
            foreach (var offset in offsets)
            {
                GpioLineInfo info;
                try
                {
                    info = GetLineInfo(offset);
                }
                catch (GpioException)
                {
                    continue;
                }

                if (info.IsUsed)
                {
                    var holder = info.Consumer.Length > 0 ? $"'{info.Consumer}'" : "an unnamed consumer (usually a kernel driver)";
                    return new GpioException(GpioErrorKind.LineBusy, Path, errno,
                        $"GPIO line {offset}{(info.Name.Length > 0 ? $" ({info.Name})" : "")} on {Info} is already in use by " +
                        $"{holder}. Stop the other program (another EdgeNode, a gpioset/gpiomon, a Python script), or remove " +
                        "the device-tree overlay that claims the pin (dtoverlay=... in /boot/firmware/config.txt, e.g. " +
                        "w1-gpio, gpio-key, gpio-fan); 'gpioinfo' shows every line's consumer.", offset, info.Consumer);
                }
            }

            return new GpioException(GpioErrorKind.LineBusy, Path, errno,
                $"GPIO {Describe(offsets)} on {Info} is busy (EBUSY) although no line reports a consumer; a line may be " +
                "listed twice or was taken and released in the meantime.", offsets[0], "");
        }

        return GpioException.ForLines(errno, Path, "requesting", Describe(offsets));
    }

    internal static string Describe(IReadOnlyList<int> offsets) =>
        offsets.Count == 1 ? $"line {offsets[0]}" : $"lines {string.Join(",", offsets)}";

    /// <summary>Closes the chip fd; requested lines stay held until their requests are disposed.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Info}";
}

using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio;

/// <summary>
/// Encodes line settings into a <c>struct gpio_v2_line_config</c> and decodes <c>struct gpio_v2_line_info</c>. The
/// config holds one default flags word plus at most ten attributes, each applying to the lines of its mask (bit i =
/// offsets[i]): lines whose flags differ from the most common set get a FLAGS attribute per distinct set, initial
/// output values share one OUTPUT_VALUES attribute, and each distinct debounce period gets a DEBOUNCE attribute.
/// </summary>
internal static class GpioLineConfig
{
    /// <summary>The gpio_v2_line_flag bits of one line.</summary>
    internal static ulong Flags(GpioLineSettings settings, GpioEventClock clock)
    {
        ulong flags = 0;
        if (settings.ActiveLow)
        {
            flags |= LineFlag.ACTIVE_LOW;
        }

        flags |= settings.Bias switch
        {
            GpioBias.PullUp => LineFlag.BIAS_PULL_UP,
            GpioBias.PullDown => LineFlag.BIAS_PULL_DOWN,
            GpioBias.Disabled => LineFlag.BIAS_DISABLED,
            _ => 0,
        };

        if (settings.Direction == GpioDirection.Output)
        {
            flags |= LineFlag.OUTPUT;
            flags |= settings.Drive switch
            {
                GpioDrive.OpenDrain => LineFlag.OPEN_DRAIN,
                GpioDrive.OpenSource => LineFlag.OPEN_SOURCE,
                _ => 0,
            };
        }
        else
        {
            flags |= LineFlag.INPUT;
            flags |= settings.Edge switch
            {
                GpioEdge.Rising => LineFlag.EDGE_RISING,
                GpioEdge.Falling => LineFlag.EDGE_FALLING,
                GpioEdge.Both => LineFlag.EDGES,
                _ => 0,
            };

            // The clock flag only means something with edge detection; the kernel accepts it on any input.
            if (settings.Edge != GpioEdge.None && clock == GpioEventClock.Realtime)
            {
                flags |= LineFlag.EVENT_CLOCK_REALTIME;
            }
        }

        return flags;
    }

    /// <summary>
    /// Fills <paramref name="config"/> for <paramref name="lines"/> (index i = offsets[i]). Throws
    /// <see cref="GpioException"/> when the settings need more than ten attributes.
    /// </summary>
    internal static void Encode(IReadOnlyList<GpioLineSettings> lines, GpioEventClock clock, ref gpio_v2_line_config config,
        string chip)
    {
        config = default;
        var flags = new ulong[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            flags[i] = Flags(lines[i], clock);
        }

        // The most common flag set becomes the default, so the usual case (all lines alike) needs no attribute.
        var defaultFlags = flags.GroupBy(f => f).OrderByDescending(g => g.Count()).ThenBy(g => Array.IndexOf(flags, g.Key))
            .First().Key;
        config.flags = defaultFlags;

        var attrs = new List<gpio_v2_line_config_attribute>();
        foreach (var group in flags.Select((f, i) => (Flags: f, Index: i)).Where(x => x.Flags != defaultFlags).GroupBy(x => x.Flags))
        {
            var attr = new gpio_v2_line_config_attribute { mask = Mask(group.Select(x => x.Index)) };
            attr.attr.id = LineAttrId.FLAGS;
            attr.attr.flags = group.Key;
            attrs.Add(attr);
        }

        ulong outputMask = 0, outputValues = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Direction == GpioDirection.Output)
            {
                outputMask |= 1UL << i;
                if (lines[i].InitialValue)
                {
                    outputValues |= 1UL << i;
                }
            }
        }

        // Outputs not in an OUTPUT_VALUES mask start inactive (gpio_v2_line_config_output_value), so the attribute
        // is only spent when some output starts active.
        if (outputValues != 0)
        {
            var attr = new gpio_v2_line_config_attribute { mask = outputMask };
            attr.attr.id = LineAttrId.OUTPUT_VALUES;
            attr.attr.values = outputValues;
            attrs.Add(attr);
        }

        foreach (var group in lines.Select((s, i) => (Us: (uint)s.DebounceMs * 1000, Index: i)).Where(x => x.Us != 0).GroupBy(x => x.Us))
        {
            var attr = new gpio_v2_line_config_attribute { mask = Mask(group.Select(x => x.Index)) };
            attr.attr.id = LineAttrId.DEBOUNCE;
            attr.attr.debounce_period_us = group.Key;
            attrs.Add(attr);
        }

        if (attrs.Count > GPIO_V2_LINE_NUM_ATTRS_MAX)
        {
            throw new GpioException(GpioErrorKind.InvalidConfiguration, chip, 0,
                $"The {lines.Count} lines requested together on {chip} need {attrs.Count} kernel configuration attributes " +
                $"(distinct flag sets, initial values and debounce periods), more than the {GPIO_V2_LINE_NUM_ATTRS_MAX} " +
                "one request can hold: split them into several requests or make their settings more alike.");
        }

        config.num_attrs = (uint)attrs.Count;
        for (var i = 0; i < attrs.Count; i++)
        {
            config.Attr(i) = attrs[i];
        }
    }

    private static ulong Mask(IEnumerable<int> indices) => indices.Aggregate(0UL, (mask, i) => mask | 1UL << i);

    /// <summary>Decodes the kernel's description of a line.</summary>
    internal static unsafe GpioLineInfo Decode(ref gpio_v2_line_info info)
    {
        var flags = info.flags;
        uint debounce = 0;
        for (var i = 0; i < Math.Min((int)info.num_attrs, GPIO_V2_LINE_NUM_ATTRS_MAX); i++)
        {
            ref var attr = ref info.Attr(i);
            if (attr.id == LineAttrId.DEBOUNCE)
            {
                debounce = attr.debounce_period_us;
            }
        }

        fixed (byte* name = info.name)
        fixed (byte* consumer = info.consumer)
        {
            return new GpioLineInfo
            {
                Offset = (int)info.offset,
                Name = ReadString(name, GPIO_MAX_NAME_SIZE),
                Consumer = ReadString(consumer, GPIO_MAX_NAME_SIZE),
                IsUsed = (flags & LineFlag.USED) != 0,
                Direction = (flags & LineFlag.OUTPUT) != 0 ? GpioDirection.Output : GpioDirection.Input,
                ActiveLow = (flags & LineFlag.ACTIVE_LOW) != 0,
                Bias = (flags & LineFlag.BIAS_PULL_UP) != 0 ? GpioBias.PullUp
                    : (flags & LineFlag.BIAS_PULL_DOWN) != 0 ? GpioBias.PullDown
                    : (flags & LineFlag.BIAS_DISABLED) != 0 ? GpioBias.Disabled
                    : GpioBias.AsIs,
                Drive = (flags & LineFlag.OPEN_DRAIN) != 0 ? GpioDrive.OpenDrain
                    : (flags & LineFlag.OPEN_SOURCE) != 0 ? GpioDrive.OpenSource
                    : GpioDrive.PushPull,
                Edge = (flags & LineFlag.EDGES) switch
                {
                    LineFlag.EDGES => GpioEdge.Both,
                    LineFlag.EDGE_RISING => GpioEdge.Rising,
                    LineFlag.EDGE_FALLING => GpioEdge.Falling,
                    _ => GpioEdge.None,
                },
                DebounceMicroseconds = debounce,
                EventClock = (flags & LineFlag.EVENT_CLOCK_REALTIME) != 0 ? GpioEventClock.Realtime : GpioEventClock.Monotonic,
            };
        }
    }
}

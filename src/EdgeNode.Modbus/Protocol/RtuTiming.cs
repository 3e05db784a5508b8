namespace EdgeNode.Modbus;

/// <summary>
/// RTU timers from the line settings (Modbus over Serial Line V1.02 §2.5.1.1): a character is start + data + parity +
/// stop bits (11 in the 8E1/8N2 RTU format); frames are separated by at least 3.5 character times of silence (t3.5)
/// and a gap over 1.5 character times inside a frame (t1.5) breaks it. Above 19200 baud the guide fixes t1.5 at 750 µs
/// and t3.5 at 1.750 ms (the computed values would be too short for a UART interrupt to honour).
/// </summary>
public readonly record struct RtuTiming(TimeSpan CharacterTime, TimeSpan InterCharacterTimeout, TimeSpan InterFrameDelay)
{
    /// <summary>Timers for a line at <paramref name="baudRate"/> with <paramref name="bitsPerCharacter"/> bits per character.</summary>
    public static RtuTiming For(int baudRate, int bitsPerCharacter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitsPerCharacter);
        var character = TimeSpan.FromTicks((long)Math.Round(bitsPerCharacter * (double)TimeSpan.TicksPerSecond / baudRate));
        if (baudRate > 19200)
        {
            return new RtuTiming(character, TimeSpan.FromMicroseconds(750), TimeSpan.FromMicroseconds(1750));
        }

        return new RtuTiming(character, character * 1.5, character * 3.5);
    }

    /// <summary>Time to transmit <paramref name="bytes"/> characters.</summary>
    public TimeSpan WireTime(int bytes) => CharacterTime * bytes;
}

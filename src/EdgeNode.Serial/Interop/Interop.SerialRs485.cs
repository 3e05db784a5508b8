using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

internal static partial class Interop
{
    /// <summary>
    /// <c>struct serial_rs485</c> (linux/serial.h): {u32 flags; u32 delay_rts_before_send; u32 delay_rts_after_send
    /// (both in ms); u32 padding[5]} = 32 bytes. Newer kernels overlay addr_recv/addr_dest on the padding.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct serial_rs485
    {
        public uint flags;
        public uint delay_rts_before_send;
        public uint delay_rts_after_send;
        public fixed uint padding[5];
    }

    /// <summary>serial_rs485.flags (linux/serial.h).</summary>
    internal static class Rs485Flags
    {
        internal const uint SER_RS485_ENABLED = 1 << 0;
        internal const uint SER_RS485_RTS_ON_SEND = 1 << 1;
        internal const uint SER_RS485_RTS_AFTER_SEND = 1 << 2;
        internal const uint SER_RS485_RX_DURING_TX = 1 << 4;
        internal const uint SER_RS485_TERMINATE_BUS = 1 << 5;
    }
}

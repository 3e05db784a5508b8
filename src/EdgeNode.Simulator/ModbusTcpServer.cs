using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace EdgeNode.Simulator;

/// <summary>
/// A small Modbus TCP slave (Modbus Application Protocol v1.1b3 and Messaging on TCP/IP v1.0b): function codes
/// 1, 2, 3, 4, 5, 6, 15, 16 and 23 over MBAP, one bank per unit id. Units it does not serve get no answer, as a
/// silent RTU unit behind a gateway would. Requests on one connection are answered in order.
/// </summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IReadOnlyDictionary<byte, RegisterBank> _units;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;
    private long _requests;

    public ModbusTcpServer(IPAddress address, int port, IReadOnlyDictionary<byte, RegisterBank> units)
    {
        _listener = new TcpListener(address, port);
        _units = units;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Requests answered so far (all units, all connections).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptAsync(_stop.Token);
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(socket, ct));
            }
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        var request = new byte[260];
        var response = new byte[260];
        using (socket)
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    if (!await ReadExactlyAsync(socket, request.AsMemory(0, 7), ct).ConfigureAwait(false))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(4));
                    if (length is < 2 or > 254 || BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(2)) != 0)
                    {
                        return; // not Modbus: drop the connection rather than guess at framing
                    }

                    if (!await ReadExactlyAsync(socket, request.AsMemory(7, length - 1), ct).ConfigureAwait(false))
                    {
                        return;
                    }

                    var unit = request[6];
                    if (!_units.TryGetValue(unit, out var bank))
                    {
                        continue;
                    }

                    var pduLength = Handle(bank, request.AsSpan(7, length - 1), response.AsSpan(7));
                    Interlocked.Increment(ref _requests);
                    request.AsSpan(0, 4).CopyTo(response);
                    BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(4), (ushort)(pduLength + 1));
                    response[6] = unit;
                    await socket.SendAsync(response.AsMemory(0, 7 + pduLength), ct).ConfigureAwait(false);
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], ct).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>Executes one request PDU against a bank and writes the response PDU; returns its length.</summary>
    internal static int Handle(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var function = pdu[0];
        response[0] = function;
        try
        {
            return function switch
            {
                1 or 2 => ReadBits(bank, function == 1 ? ModbusTable.Coil : ModbusTable.Discrete, pdu, response),
                3 or 4 => ReadWords(bank, function == 3 ? ModbusTable.Holding : ModbusTable.Input, pdu, response),
                5 => WriteSingleCoil(bank, pdu, response),
                6 => WriteSingleRegister(bank, pdu, response),
                15 => WriteMultipleCoils(bank, pdu, response),
                16 => WriteMultipleRegisters(bank, pdu, response),
                23 => ReadWriteMultiple(bank, pdu, response),
                _ => Exception(response, function, 1),
            };
        }
        catch (ModbusFault fault)
        {
            return Exception(response, function, fault.Code);
        }
        catch (IndexOutOfRangeException)
        {
            return Exception(response, function, 3); // a request shorter than its function code needs
        }
        catch (ArgumentOutOfRangeException)
        {
            return Exception(response, function, 3);
        }
    }

    private static int Exception(Span<byte> response, byte function, byte code)
    {
        response[0] = (byte)(function | 0x80);
        response[1] = code;
        return 2;
    }

    private static (int Address, int Count) Range(RegisterBank bank, ReadOnlySpan<byte> pdu, int offset, int max)
    {
        int address = BinaryPrimitives.ReadUInt16BigEndian(pdu[offset..]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(pdu[(offset + 2)..]);
        if (count < 1 || count > max)
        {
            throw new ModbusFault(3);
        }

        if (!bank.InRange(address, count))
        {
            throw new ModbusFault(2);
        }

        return (address, count);
    }

    private static int ReadBits(RegisterBank bank, ModbusTable table, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var (address, count) = Range(bank, pdu, 1, 2000);
        var bytes = (count + 7) / 8;
        response[1] = (byte)bytes;
        response.Slice(2, bytes).Clear();
        lock (bank.SyncRoot)
        {
            var bits = bank.Bits(table);
            for (var i = 0; i < count; i++)
            {
                if (bits[address + i])
                {
                    response[2 + (i / 8)] |= (byte)(1 << (i % 8));
                }
            }
        }

        return 2 + bytes;
    }

    private static int ReadWords(RegisterBank bank, ModbusTable table, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var (address, count) = Range(bank, pdu, 1, 125);
        response[1] = (byte)(count * 2);
        lock (bank.SyncRoot)
        {
            var words = bank.Words(table);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(response[(2 + (2 * i))..], words[address + i]);
            }
        }

        return 2 + (count * 2);
    }

    private static int WriteSingleCoil(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        int address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var value = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (value is not (0xFF00 or 0x0000))
        {
            throw new ModbusFault(3);
        }

        if (!bank.InRange(address, 1))
        {
            throw new ModbusFault(2);
        }

        bank.SetCoil(address, value == 0xFF00);
        bank.OnWritten(ModbusTable.Coil, address, 1);
        pdu[..5].CopyTo(response);
        return 5;
    }

    private static int WriteSingleRegister(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        int address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        if (!bank.InRange(address, 1))
        {
            throw new ModbusFault(2);
        }

        bank.SetHolding(address, BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]));
        bank.OnWritten(ModbusTable.Holding, address, 1);
        pdu[..5].CopyTo(response);
        return 5;
    }

    private static int WriteMultipleCoils(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var (address, count) = Range(bank, pdu, 1, 1968);
        if (pdu[5] != (count + 7) / 8)
        {
            throw new ModbusFault(3);
        }

        lock (bank.SyncRoot)
        {
            var coils = bank.Bits(ModbusTable.Coil);
            for (var i = 0; i < count; i++)
            {
                coils[address + i] = (pdu[6 + (i / 8)] & (1 << (i % 8))) != 0;
            }
        }

        bank.OnWritten(ModbusTable.Coil, address, count);
        pdu[..5].CopyTo(response);
        return 5;
    }

    private static int WriteMultipleRegisters(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var (address, count) = Range(bank, pdu, 1, 123);
        if (pdu[5] != count * 2)
        {
            throw new ModbusFault(3);
        }

        WriteWords(bank, address, count, pdu[6..]);
        pdu[..5].CopyTo(response);
        return 5;
    }

    private static int ReadWriteMultiple(RegisterBank bank, ReadOnlySpan<byte> pdu, Span<byte> response)
    {
        var (readAddress, readCount) = Range(bank, pdu, 1, 125);
        var (writeAddress, writeCount) = Range(bank, pdu, 5, 121);
        if (pdu[9] != writeCount * 2)
        {
            throw new ModbusFault(3);
        }

        // The write happens before the read (Modbus Application Protocol §6.17).
        WriteWords(bank, writeAddress, writeCount, pdu[10..]);
        Span<byte> read = stackalloc byte[5];
        read[0] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(read[1..], (ushort)readAddress);
        BinaryPrimitives.WriteUInt16BigEndian(read[3..], (ushort)readCount);
        var length = ReadWords(bank, ModbusTable.Holding, read, response);
        response[0] = 23;
        return length;
    }

    private static void WriteWords(RegisterBank bank, int address, int count, ReadOnlySpan<byte> data)
    {
        lock (bank.SyncRoot)
        {
            var words = bank.Words(ModbusTable.Holding);
            for (var i = 0; i < count; i++)
            {
                words[address + i] = BinaryPrimitives.ReadUInt16BigEndian(data[(2 * i)..]);
            }
        }

        bank.OnWritten(ModbusTable.Holding, address, count);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        if (_acceptLoop is not null)
        {
            pending = [.. pending, _acceptLoop];
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private sealed class ModbusFault(byte code) : Exception
    {
        public byte Code { get; } = code;
    }
}

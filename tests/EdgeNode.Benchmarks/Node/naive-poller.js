#!/usr/bin/env node
// The peer of the "node" benchmark: the naive poller a plant engineer would write in an afternoon. Every SCAN_MS it
// reads each unit's holding registers over Modbus TCP (FC 3, at most 125 per request, one connection per unit, one
// request at a time), compares them with the previous scan and publishes the changed ones as a Sparkplug DDATA
// (Eclipse Tahu's encoder, metrics by name, UInt16, each with its read timestamp) with MQTT.js at QoS 0. A DBIRTH with
// every register goes out after the first scan. No NBIRTH/bdSeq session, no aliases, no store-and-forward, no device
// health: it does the data path of the node and nothing else, so its cost is a floor for that path in Node.js.
//
// usage: naive-poller.js MQTT_URL MODBUS_PORT UNITS REGISTERS SCAN_MS GROUP_ID EDGE_NODE_ID
// Prints {"ready":true} once connected to the broker, then runs until killed (SIGTERM).
'use strict';

const net = require('net');
const mqtt = require('mqtt');
const sparkplug = require('sparkplug-payload').get('spBv1.0');

const [url, modbusPort, units, registers, scanMs, groupId, edgeNodeId] = process.argv.slice(2);
const unitCount = Number(units);
const registerCount = Number(registers);
const names = Array.from({ length: registerCount }, (_, i) => 'R' + String(i).padStart(3, '0'));

// A minimal Modbus TCP master: one outstanding request per connection, MBAP framing, FC 3 only.
function connectUnit(unitId) {
  const socket = net.connect({ host: '127.0.0.1', port: Number(modbusPort) });
  socket.setNoDelay(true);
  let buffer = Buffer.alloc(0);
  let pending = null;
  let transaction = 0;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 7 && buffer.length >= 6 + buffer.readUInt16BE(4)) {
      const frame = buffer.subarray(0, 6 + buffer.readUInt16BE(4));
      buffer = buffer.subarray(frame.length);
      const done = pending;
      pending = null;
      if (done) {
        if (frame[7] & 0x80) done.reject(new Error('modbus exception ' + frame[8]));
        else done.resolve(frame.subarray(9, 9 + frame[8]));
      }
    }
  });
  socket.on('error', (err) => { if (pending) pending.reject(err); });
  return {
    ready: new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); }),
    readHolding(address, count) {
      return new Promise((resolve, reject) => {
        transaction = (transaction + 1) & 0xffff;
        const request = Buffer.alloc(12);
        request.writeUInt16BE(transaction, 0);
        request.writeUInt16BE(0, 2);
        request.writeUInt16BE(6, 4);
        request[6] = unitId;
        request[7] = 3;
        request.writeUInt16BE(address, 8);
        request.writeUInt16BE(count, 10);
        pending = { resolve, reject };
        socket.write(request);
      });
    },
  };
}

async function main() {
  const client = mqtt.connect(url, { clientId: `${groupId}-${edgeNodeId}`, protocolVersion: 4, clean: true, reconnectPeriod: 1000 });
  await new Promise((resolve, reject) => { client.once('connect', resolve); client.once('error', reject); });
  const devices = [];
  for (let unit = 1; unit <= unitCount; unit++) {
    const link = connectUnit(unit);
    await link.ready;
    devices.push({ unit, link, last: null, busy: false });
  }
  let seq = 0;
  const publish = (type, deviceId, metrics) => {
    const payload = sparkplug.encodePayload({ timestamp: Date.now(), metrics, seq });
    seq = (seq + 1) % 256;
    client.publish(`spBv1.0/${groupId}/${type}/${edgeNodeId}/${deviceId}`, payload, { qos: 0 });
  };

  const scan = async (device) => {
    if (device.busy) return; // the previous scan of this unit is still running: skip, as setInterval pollers do
    device.busy = true;
    try {
      const values = new Array(registerCount);
      let readAt = 0;
      for (let address = 0; address < registerCount; address += 125) {
        const count = Math.min(125, registerCount - address);
        const data = await device.link.readHolding(address, count);
        readAt = Date.now();
        for (let i = 0; i < count; i++) values[address + i] = data.readUInt16BE(2 * i);
      }
      const deviceId = 'Unit' + device.unit;
      if (device.last === null) {
        publish('DBIRTH', deviceId, values.map((v, i) => ({ name: names[i], type: 'UInt16', value: v, timestamp: readAt })));
      } else {
        const changed = [];
        for (let i = 0; i < registerCount; i++) {
          if (values[i] !== device.last[i]) changed.push({ name: names[i], type: 'UInt16', value: values[i], timestamp: readAt });
        }
        if (changed.length > 0) publish('DDATA', deviceId, changed);
      }
      device.last = values;
    } catch (err) {
      process.stderr.write(`unit ${device.unit}: ${err.message}\n`);
    } finally {
      device.busy = false;
    }
  };

  setInterval(() => { for (const device of devices) scan(device); }, Number(scanMs));
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  process.on('SIGTERM', () => { client.end(false, () => process.exit(0)); });
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });

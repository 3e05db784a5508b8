#!/usr/bin/env node
// A minimal counting subscriber for the "mqtt" benchmark suite: a raw TCP MQTT 3.1.1 client that subscribes to a
// filter at QoS 0 and counts PUBLISH packets per topic without decoding payloads — the same neutral receiver for
// every publisher measured, in its own process so it does not share the publisher's CPU accounting.
//
//   node mqtt-count.js <port> <topicFilter>   prints {"ready":true} once the SUBACK arrived
//   stdin "expect <n> <topic>"                resets the count, prints {"armed":n}, then {"received":n} when n
//                                             PUBLISH packets on <topic> arrived
'use strict';

const net = require('net');
const readline = require('readline');

const [portText, filter] = process.argv.slice(2);
let target = Infinity;
let targetTopic = Buffer.alloc(0);
let count = 0;

function str(s) {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function packet(first, body) {
  const header = [first];
  let n = body.length;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    header.push(digit);
  } while (n > 0);
  return Buffer.concat([Buffer.from(header), body]);
}

const socket = net.connect(Number(portText), '127.0.0.1', () => {
  socket.setNoDelay(true);
  const connect = Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0]), str(`bench-count-${process.pid}`)]);
  const subscribe = Buffer.concat([Buffer.from([0, 1]), str(filter), Buffer.from([0])]);
  socket.write(Buffer.concat([packet(0x10, connect), packet(0x82, subscribe)]));
});

let pending = null;
socket.on('data', chunk => {
  const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
  let pos = 0;
  while (buf.length - pos >= 2) {
    const first = buf[pos];
    let remaining = 0;
    let multiplier = 1;
    let i = pos + 1;
    let complete = false;
    while (i < buf.length) {
      const b = buf[i++];
      remaining += (b & 0x7f) * multiplier;
      multiplier *= 128;
      if ((b & 0x80) === 0) { complete = true; break; }
    }
    if (!complete || buf.length - i < remaining) break;
    const type = first >> 4;
    if (type === 3) {
      const topicLength = buf.readUInt16BE(i);
      if (topicLength === targetTopic.length && buf.compare(targetTopic, 0, topicLength, i + 2, i + 2 + topicLength) === 0 && ++count === target) {
        process.stdout.write(JSON.stringify({ received: count }) + '\n');
      }
    } else if (type === 9) {
      process.stdout.write(JSON.stringify({ ready: true }) + '\n');
    }
    pos = i + remaining;
  }
  pending = pos < buf.length ? buf.subarray(pos) : null;
});
socket.on('error', err => {
  process.stderr.write(String(err) + '\n');
  process.exit(2);
});
socket.on('close', () => process.exit(0));

readline.createInterface({ input: process.stdin }).on('line', line => {
  const m = /^expect (\d+) (\S+)$/.exec(line.trim());
  if (m) {
    count = 0;
    target = Number(m[1]);
    targetTopic = Buffer.from(m[2]);
    process.stdout.write(JSON.stringify({ armed: target }) + '\n');
  }
});

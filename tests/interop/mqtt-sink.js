#!/usr/bin/env node
// A minimal MQTT "sink broker" for the "mqtt" benchmark suite: it accepts any CONNECT (CONNACK 0), counts PUBLISH
// packets, answers QoS 1 with PUBACK, QoS 2 with PUBREC/PUBCOMP, PINGREQ with PINGRESP, SUBSCRIBE with SUBACK — and
// forwards nothing. It costs far less per message than a real broker, so a publisher's own speed shows instead of
// the broker's. Same sink for every client measured.
//
//   node mqtt-sink.js            prints {"port":N} once listening on 127.0.0.1
//   stdin "expect <n> <topic>"   resets the count, prints {"armed":n}, then {"received":n} when n PUBLISH packets on
//                                <topic> arrived
'use strict';

const net = require('net');
const readline = require('readline');

let target = Infinity;
let targetTopic = Buffer.alloc(0);
let count = 0;

function counted(buf, topicStart, topicLength) {
  if (topicLength !== targetTopic.length || buf.compare(targetTopic, 0, topicLength, topicStart, topicStart + topicLength) !== 0) return;
  if (++count === target) {
    process.stdout.write(JSON.stringify({ received: count }) + '\n');
  }
}

const server = net.createServer(socket => {
  socket.setNoDelay(true);
  let pending = null;
  socket.on('data', chunk => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    const replies = [];
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
      const body = i;
      pos = i + remaining;
      switch (type) {
        case 1: // CONNECT
          replies.push(Buffer.from([0x20, 0x02, 0x00, 0x00]));
          break;
        case 3: { // PUBLISH
          const topicLength = buf.readUInt16BE(body);
          counted(buf, body + 2, topicLength);
          const qos = (first >> 1) & 3;
          if (qos > 0) {
            const id = buf.readUInt16BE(body + 2 + topicLength);
            replies.push(Buffer.from([qos === 1 ? 0x40 : 0x50, 0x02, id >> 8, id & 0xff]));
          }
          break;
        }
        case 6: // PUBREL
          replies.push(Buffer.from([0x70, 0x02, buf[body], buf[body + 1]]));
          break;
        case 8: // SUBSCRIBE: grant QoS 0 to one filter
          replies.push(Buffer.from([0x90, 0x03, buf[body], buf[body + 1], 0x00]));
          break;
        case 12: // PINGREQ
          replies.push(Buffer.from([0xd0, 0x00]));
          break;
        case 14: // DISCONNECT
          socket.end();
          break;
        default:
          break;
      }
    }
    pending = pos < buf.length ? buf.subarray(pos) : null;
    if (replies.length > 0) socket.write(replies.length === 1 ? replies[0] : Buffer.concat(replies));
  });
  socket.on('error', () => {});
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});

readline.createInterface({ input: process.stdin }).on('line', line => {
  const m = /^expect (\d+) (\S+)$/.exec(line.trim());
  if (m) {
    count = 0;
    target = Number(m[1]);
    targetTopic = Buffer.from(m[2]);
    process.stdout.write(JSON.stringify({ armed: target }) + '\n');
  }
});

#!/usr/bin/env node
// MQTT.js (npm mqtt) as an independent MQTT peer for EdgeNode's client tests, driven through EdgeNode.Testing.NodeJs.
//
//   node mqtt-peer.js sub <url> <protocolVersion 4|5> <qos> <topicFilter> <count>
//       subscribes, prints {"ready":true,"granted":[...]} once the SUBACK is in, then one JSON line per message
//       {"topic","payload"(base64),"qos","retain"}, and {"done":n} after <count> messages; then disconnects cleanly.
//   node mqtt-peer.js pub <url> <protocolVersion 4|5>      (stdin: [{"topic","payload"(base64),"qos","retain"}, ...])
//       publishes the messages in order, waits for every acknowledgement, prints {"published":n}, disconnects.
//   node mqtt-peer.js will <url> <protocolVersion 4|5> <willTopic> <willPayload>
//       connects with a QoS 1 Will, prints {"ready":true} and waits to be killed (abrupt loss publishes the Will).
'use strict';

const mqtt = require('mqtt');

const [mode, url, version, ...rest] = process.argv.slice(2);
const base = {
  protocolVersion: Number(version),
  clean: true,
  clientId: `mqttjs-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
  reconnectPeriod: 0,
  connectTimeout: 15000,
  keepalive: 30,
};

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function fail(err) {
  process.stderr.write(JSON.stringify({ error: String(err && err.stack || err) }) + '\n');
  process.exit(2);
}

function connect(extra) {
  const client = mqtt.connect(url, Object.assign({}, base, extra || {}));
  client.on('error', fail);
  return client;
}

if (mode === 'sub') {
  const [qos, filter, count] = rest;
  const want = Number(count);
  let seen = 0;
  const client = connect();
  client.on('message', (topic, payload, packet) => {
    out({ topic, payload: Buffer.from(payload).toString('base64'), qos: packet.qos, retain: !!packet.retain });
    if (++seen >= want) {
      out({ done: seen });
      client.end(false, () => process.exit(0));
    }
  });
  client.on('connect', () => {
    client.subscribe(filter, { qos: Number(qos) }, (err, granted) => {
      if (err) fail(err);
      out({ ready: true, granted: granted.map(g => g.qos) });
    });
  });
} else if (mode === 'pub') {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', chunk => { input += chunk; });
  process.stdin.on('end', () => {
    const messages = JSON.parse(input);
    const client = connect();
    client.on('connect', () => {
      let acked = 0;
      if (messages.length === 0) finish();
      for (const m of messages) {
        client.publish(m.topic, Buffer.from(m.payload, 'base64'), { qos: m.qos, retain: !!m.retain }, err => {
          if (err) fail(err);
          if (++acked === messages.length) finish();
        });
      }
      function finish() {
        out({ published: messages.length });
        client.end(false, () => process.exit(0));
      }
    });
  });
} else if (mode === 'will') {
  const [willTopic, willPayload] = rest;
  const client = connect({ will: { topic: willTopic, payload: Buffer.from(willPayload), qos: 1, retain: false } });
  client.on('connect', () => out({ ready: true }));
} else {
  fail(`unknown mode ${mode}`);
}

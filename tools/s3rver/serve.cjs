#!/usr/bin/env node
// Starts @20minutes/s3rver (a third-party S3 implementation that verifies SigV4) on
// 127.0.0.1, port 0, for granary's tests, and prints the port on a line of its own.
//
// Usage: node serve.cjs --dir DIR [--bucket NAME]... [--credential KEY:SECRET]...
// s3rver knows one account (S3RVER:S3RVER); each --credential adds a key pair to it.
// The process exits when its parent goes away, so a crashed test leaves no server behind.
'use strict';
const path = require('path');
const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account');

const args = process.argv.slice(2);
const buckets = [];
let directory = null;
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (value === undefined) throw new Error(`${flag}: missing value`);
  if (flag === '--dir') directory = path.resolve(value);
  else if (flag === '--bucket') buckets.push({ name: value, configs: [] });
  else if (flag === '--credential') {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new Error(`--credential ${value}: expected KEY:SECRET`);
    DUMMY_ACCOUNT.createKeyPair(value.slice(0, colon), value.slice(colon + 1));
  } else throw new Error(`unknown argument ${flag}`);
}
if (!directory) throw new Error('--dir is required');

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: buckets,
});
server.run().then(({ port }) => {
  process.stdout.write(`${port}\n`);
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 500).unref();
  process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
});

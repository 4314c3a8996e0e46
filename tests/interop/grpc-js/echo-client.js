// Calls the Threshold gRPC host's test service with @grpc/grpc-js, the standard gRPC client for Node.
// Usage: node echo-client.js <host:port> <server-certificate.pem> [echo.proto] [dir of google/api/*.proto]
// Prints one JSON object (the Echo reply, its trailer, and the statuses of a failing and a timed-out
// call) and exits 0; on any failure it prints the reason to stderr and exits 1.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [address, pemPath, protoArg, googleProtos] = process.argv.slice(2);
if (!address || !pemPath) {
  console.error('usage: node echo-client.js <host:port> <server-certificate.pem> [echo.proto] [dir of google/api/*.proto]');
  process.exit(2);
}

const protoPath = protoArg ?? path.join(__dirname, '..', '..', 'Threshold.Server.Tests', 'Protos', 'echo.proto');
// echo.proto imports google/api/annotations.proto (its JSON routes): the test passes where that lives.
const includeDirs = googleProtos ? [googleProtos] : [];
const definition = protoLoader.loadSync(protoPath, { includeDirs, longs: String, bytes: String, defaults: true });
const Echo = grpc.loadPackageDefinition(definition).threshold.rpc.test.Echo;
const client = new Echo(address, grpc.credentials.createSsl(fs.readFileSync(pemPath)));

// One unary call; resolves with the reply (or error) and the trailing metadata.
function call(method, request, metadata, options) {
  return new Promise((resolve) => {
    let trailers;
    const pending = client[method](request, metadata ?? new grpc.Metadata(), options ?? {}, (error, reply) => {
      setImmediate(() => resolve({ error, reply, trailers }));
    });
    pending.on('status', (status) => { trailers = status.metadata; });
  });
}

async function main() {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', 'from-grpc-js');
  const echo = await call('Echo', { text: 'hello from grpc-js', payload: Buffer.from([1, 2, 3]).toString('base64'), echoHeader: 'x-request-id' }, metadata);
  if (echo.error) {
    throw new Error(`Echo failed: ${echo.error.code} ${echo.error.details}`);
  }

  const fail = await call('Fail', { code: grpc.status.NOT_FOUND, message: 'no such key: 100% ü' });
  const slow = await call('Slow', { text: 'grpc-js' }, undefined, { deadline: Date.now() + 200 });
  return {
    reply: echo.reply,
    trailer: echo.trailers?.get('x-echoed')?.[0] ?? null,
    fail: { code: fail.error?.code ?? 0, details: fail.error?.details ?? null },
    slow: { code: slow.error?.code ?? 0 },
  };
}

main()
  .then((result) => {
    console.log(JSON.stringify(result));
    client.close();
    process.exit(0);
  })
  .catch((error) => {
    console.error(error.message ?? String(error));
    client.close();
    process.exit(1);
  });

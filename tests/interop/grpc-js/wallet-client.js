// Calls a running aggregator's wallet API (threshold.v1.Wallet) with @grpc/grpc-js, loading the
// project's own .proto contract: what any third-party client would do.
// Usage: node wallet-client.js <host:port> <aggregator-certificate.pem> <dir of google/api/*.proto>
// Prints the ClusterInfo as JSON and exits 0; on failure prints the reason to stderr and exits 1.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [address, pemPath, googleProtos] = process.argv.slice(2);
if (!address || !pemPath || !googleProtos) {
  console.error('usage: node wallet-client.js <host:port> <aggregator-certificate.pem> <dir of google/api/*.proto>');
  process.exit(2);
}

const protoRoot = path.join(__dirname, '..', '..', '..', 'src', 'Threshold.Contracts', 'Protos');
const definition = protoLoader.loadSync('threshold/v1/wallet.proto', { includeDirs: [protoRoot, googleProtos], longs: String, enums: String, bytes: String, defaults: true });
const Wallet = grpc.loadPackageDefinition(definition).threshold.v1.Wallet;
const client = new Wallet(address, grpc.credentials.createSsl(fs.readFileSync(pemPath)));

client.GetClusterInfo({}, { deadline: Date.now() + 10000 }, (error, info) => {
  client.close();
  if (error) {
    console.error(`GetClusterInfo failed: ${error.code} ${error.details}`);
    process.exit(1);
  }

  console.log(JSON.stringify(info));
  process.exit(0);
});

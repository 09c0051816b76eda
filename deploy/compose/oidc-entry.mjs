// Compose only: runs the repository's test OpenID provider (tests/oidc/provider.mjs) so that a
// browser on the host and the API container agree on one issuer, http://127.0.0.1:9400.
//
// provider.mjs listens on 127.0.0.1 only and names itself http://127.0.0.1:<OIDC_PORT>. The API
// container shares this container's network namespace (`network_mode: service:oidc`), so
// 127.0.0.1:9400 is the provider for it too; the host reaches it through the published port
// 9401, which this script forwards, byte for byte, to 127.0.0.1:9400.
import net from 'node:net';

const target = Number.parseInt(process.env.OIDC_PORT || '9400', 10);
const published = Number.parseInt(process.env.OIDC_FORWARD_PORT || '9401', 10);
const script = process.env.OIDC_PROVIDER_SCRIPT || '/srv/tests/oidc/provider.mjs';

net
  .createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  })
  .on('error', (err) => {
    console.error(`oidc-entry: cannot listen on 0.0.0.0:${published}: ${err.message}`);
    process.exit(2);
  })
  .listen(published, '0.0.0.0', () => {
    console.log(`oidc-entry: 0.0.0.0:${published} -> 127.0.0.1:${target}`);
  });

await import(script);

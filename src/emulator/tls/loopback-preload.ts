/**
 * `node --import ./src/emulator/tls/loopback-preload.ts app.js` with EMULATOR_LOOPBACK_PORT=<port>: the real Microsoft
 * names resolve to 127.0.0.1 and dial that port, as a hosts entry plus a listener on 443 would (other names untouched);
 * trust comes from NODE_EXTRA_CA_CERTS. For when the emulator cannot listen on 443 (docs/REAL-HOSTNAME-MODE.md).
 */
import { setGlobalDispatcher } from 'undici'
import { loopbackDispatcher } from './loopback-dispatcher.ts'

const port = Number(process.env.EMULATOR_LOOPBACK_PORT)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(
    'loopback-preload: set EMULATOR_LOOPBACK_PORT to the port the emulator listens on (HTTPS, 127.0.0.1).',
  )
}
// EMULATOR_LOOPBACK_STRICT=1 refuses every other name (tests: nothing leaves loopback).
setGlobalDispatcher(
  loopbackDispatcher({
    port,
    otherNames: process.env.EMULATOR_LOOPBACK_STRICT === '1' ? 'refuse' : 'pass',
  }),
)

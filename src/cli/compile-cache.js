// Preloaded by `npm start` and `npm run emulator` (node --import): turns Node's compile cache on before the first
// TypeScript file loads. A warm start then takes every module's type-stripped source and V8 code from the cache and
// never loads the type stripper (amaro, a WebAssembly module: about 17 MB of RSS and 50 ms of start). Plain JavaScript
// because a .ts preload would need the type stripper itself. src/cli/main.ts enables the cache too, for direct runs.
import { enableCompileCache } from 'node:module'

enableCompileCache()

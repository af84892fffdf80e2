// The Connect app in its own process, composed exactly as `npm start` composes it (src/cli/commands/start.ts),
// configured by environment for an emulator that runs in another process. `prefill` stores N more signed-in
// sessions through core's Store API, each a copy of a real one with its own token cache (and photo) records.
import { createHmac, randomBytes } from 'node:crypto'
import { start } from '../../src/cli/commands/start.ts'
import { loadConfig } from '../../src/core/config.ts'
import { createStore } from '../../src/core/store/store.ts'
import { tokenCacheKey } from '../../src/core/auth/token-cache.ts'
import { runSubject } from '../lib/subject-child.ts'

interface StoredSession {
  user?: { partition: string; hasPhoto?: boolean }
  [field: string]: unknown
}

runSubject(async ([envJson]) => {
  const env = JSON.parse(envJson) as Record<string, string>
  const code = await start({ env, out: () => undefined })
  if (code !== 0) throw new Error(`start returned ${code}`)
  return {
    url: env.PUBLIC_URL,
    methods: { prefill: (argument) => prefill(env, argument as { cookie: string; count: number }) },
    // start() installed the SIGTERM handler: graceful shutdown, then exit (which also writes --cpu-prof).
    close: async () => void process.kill(process.pid, 'SIGTERM'),
  }
})

async function prefill(env: Record<string, string>, { cookie, count }: { cookie: string; count: number }) {
  const config = loadConfig(env)
  const store = await createStore(config.store)
  try {
    const id = /(?:^|;\s*)session=([^;]+)/.exec(cookie)?.[1] ?? ''
    // The store key of a session, as src/web/session.ts derives it.
    const key = createHmac('sha256', config.sessionSecret).update(id).digest('base64url')
    const session = await store.get<StoredSession>(`sess:${key}`)
    if (!session?.user) throw new Error('prefill: the signed-in session was not found in the store')
    const partition = session.user.partition
    const cache = await store.get<string>(tokenCacheKey(partition))
    const photo = session.user.hasPhoto ? await store.get(`photo:${partition}`) : undefined
    const idle = config.session.idleSeconds
    const absolute = config.session.absoluteSeconds
    for (let done = 0; done < count; ) {
      const batch = Math.min(500, count - done)
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const copy = randomBytes(32).toString('base64url')
          await store.set(`sess:${randomBytes(32).toString('base64url')}`, { ...session, user: { ...session.user, partition: copy } }, idle)
          if (cache !== undefined) await store.set(tokenCacheKey(copy), cache, absolute)
          if (photo !== undefined) await store.set(`photo:${copy}`, photo, absolute)
        }),
      )
      done += batch
    }
    return { sessions: count, recordsPerSession: 1 + (cache === undefined ? 0 : 1) + (photo === undefined ? 0 : 1) }
  } finally {
    await store.close()
  }
}

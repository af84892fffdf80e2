/**
 * Stores N more signed-in sessions through core's Store API, in a process of its own so that the app's RSS
 * stays the app's: each a copy of a real signed-in session with its own token-cache (and photo) records.
 * Usage: node bench/subjects/prefill.ts '<app env JSON>' '<session cookie header>' <count>  → JSON on stdout
 */
import { createHmac, randomBytes } from 'node:crypto'
import { loadConfig } from '../../src/core/config.ts'
import { tokenCacheKey } from '../../src/core/auth/token-cache.ts'
import { createStore } from '../../src/core/store/create-store.ts'

interface StoredSession {
  user?: { partition: string; hasPhoto?: boolean }
  [field: string]: unknown
}

const [envJson, cookie, countText] = process.argv.slice(2)
const config = loadConfig(JSON.parse(envJson) as Record<string, string>)
const count = Number(countText)
const store = await createStore(config.store)
try {
  const id = /(?:^|;\s*)session=([^;]+)/.exec(cookie)?.[1] ?? ''
  // The store key of a session, as src/web/session.ts derives it from the cookie.
  const key = createHmac('sha256', config.sessionSecret).update(id).digest('base64url')
  const session = await store.get<StoredSession>(`sess:${key}`)
  if (!session?.user) throw new Error('prefill: the signed-in session was not found in the store')
  const partition = session.user.partition
  const cache = await store.get<string>(tokenCacheKey(partition))
  const photo = session.user.hasPhoto ? await store.get(`photo:${partition}`) : undefined
  for (let done = 0; done < count;) {
    const batch = Math.min(500, count - done)
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const copy = randomBytes(32).toString('base64url')
        const record = { ...session, user: { ...session.user, partition: copy } }
        await store.set(
          `sess:${randomBytes(32).toString('base64url')}`,
          record,
          config.session.idleSeconds,
        )
        if (cache !== undefined)
          await store.set(tokenCacheKey(copy), cache, config.session.absoluteSeconds)
        if (photo !== undefined)
          await store.set(`photo:${copy}`, photo, config.session.absoluteSeconds)
      }),
    )
    done += batch
  }
  const recordsPerSession = 1 + (cache === undefined ? 0 : 1) + (photo === undefined ? 0 : 1)
  process.stdout.write(JSON.stringify({ sessions: count, recordsPerSession }))
} finally {
  await store.close()
}

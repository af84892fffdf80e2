/**
 * testRedis: the Redis the suite uses — `TEST_REDIS_URL`, set by the global setup (test/kit/global-setup.ts) to a
 * private redis-server it started, or 127.0.0.1:6379 when a file runs on its own without the setup.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Host and port of TEST_REDIS_URL (for a TCP proxy in front of it). */
export function testRedisAddress(): { host: string; port: number } {
  const url = new URL(TEST_REDIS_URL)
  return { host: url.hostname, port: Number(url.port || 6379) }
}

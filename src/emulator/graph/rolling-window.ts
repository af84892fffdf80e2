/** createRollingWindow(): amounts recorded per key, summed over the last N seconds (a rolling window, not a fixed one). */
export type RollingWindow = ReturnType<typeof createRollingWindow>

export function createRollingWindow() {
  const entries = new Map<string, { at: number; amount: number }[]>()
  /** The key's entries still inside the window ending at `now`, older ones dropped. */
  const live = (key: string, windowSeconds: number, now: number) => {
    const list = entries.get(key) ?? []
    const since = now - windowSeconds * 1000
    let first = 0
    while (first < list.length && list[first]!.at <= since) first++
    if (first > 0) list.splice(0, first)
    if (list.length === 0) entries.delete(key)
    return list
  }
  return {
    /** The sum over the window ending at `now`. */
    total(key: string, windowSeconds: number, now: number): number {
      return live(key, windowSeconds, now).reduce((sum, entry) => sum + entry.amount, 0)
    },
    add(key: string, amount: number, now: number): void {
      const list = entries.get(key) ?? []
      list.push({ at: now, amount })
      entries.set(key, list)
    },
    /** Whole seconds (at least 1) until the sum over the window falls below `limit`. */
    secondsUntilBelow(key: string, windowSeconds: number, now: number, limit: number): number {
      let toShed = this.total(key, windowSeconds, now) - limit + 1
      for (const entry of live(key, windowSeconds, now)) {
        toShed -= entry.amount
        if (toShed <= 0)
          return Math.max(1, Math.ceil((entry.at + windowSeconds * 1000 - now) / 1000))
      }
      return 1
    },
    clear: () => entries.clear(),
  }
}

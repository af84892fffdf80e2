/**
 * `lockHolder`: which process holds a SQLite file's exclusive lock. SQLite cannot say, so the holder writes its pid
 * beside the file (`<file>.pid`, owner-only) once it has the lock, and removes it on close; a second process that
 * finds the file locked reads it to name the holder (and its command line, where /proc has it).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'

export interface LockHolder {
  /** Removes the pid file if it is still this process's. */
  release(): void
}

/** Called once the lock is taken: `<file>.pid` holds this process's pid. */
export function holdLock(file: string): LockHolder {
  const pidFile = `${file}.pid`
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 })
  return {
    release() {
      if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true })
    },
  }
}

/** "process 1234 (node …/main.ts start)", or undefined when no live process is recorded. */
export function lockHolder(file: string): string | undefined {
  const pid = readPid(`${file}.pid`)
  if (!pid || !alive(pid)) return undefined
  const commandLine = readCommandLine(pid)
  return `process ${pid}${commandLine ? ` (${commandLine})` : ''}`
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // alive, owned by another user
  }
}

function readCommandLine(pid: number): string | undefined {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    return words.length ? words.join(' ').slice(0, 200) : undefined
  } catch {
    return undefined // not Linux, or gone
  }
}

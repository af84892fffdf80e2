/**
 * `sampleProcess`: a child's CPU time (user + system, /proc/<pid>/stat) and peak RSS (VmHWM, /proc/<pid>/status) read
 * every `everyMs` until it exits, so a process that runs no bench code (a real `graph-connect merge`) can be measured.
 */
import { readFileSync } from 'node:fs'

export interface ProcessSample {
  /** CPU time of all its threads at the last reading before it exited, microseconds. */
  cpuMicros: number
  /** The kernel's high-water mark of its resident memory (VmHWM), bytes. */
  peakRssBytes: number
  samples: number
}

export interface ProcessSampler {
  /** The latest reading (call once the process has exited: the last one before it did). */
  result(): ProcessSample
  stop(): void
}

export function sampleProcess(pid: number, everyMs = 50): ProcessSampler {
  const sample: ProcessSample = { cpuMicros: 0, peakRssBytes: 0, samples: 0 }
  const read = () => {
    try {
      const cpu = cpuMicrosOf(pid)
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      const hwm = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024
      // A zombie (exited, not yet reaped) has no memory left: keep the last live reading.
      if (hwm === 0) return
      sample.cpuMicros = Math.max(sample.cpuMicros, cpu)
      sample.peakRssBytes = Math.max(sample.peakRssBytes, hwm)
      sample.samples++
    } catch {
      // gone between two readings
    }
  }
  read()
  const timer = setInterval(read, everyMs)
  return {
    result: () => ({ ...sample }),
    stop: () => clearInterval(timer),
  }
}

/**
 * User + system CPU time of `pid`, microseconds: /proc/<pid>/stat's utime and stime, which keep the time of threads
 * that have already ended (a sum over /proc/<pid>/task would lose it), in clock ticks (USER_HZ: TICKS_PER_SECOND below).
 */
export function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields 14 and 15 of proc(5), counted from the state (field 3) after the command's name.
  return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / TICKS_PER_SECOND)
}

const TICKS_PER_SECOND = 100

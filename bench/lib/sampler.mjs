// Samples processes from /proc every 250 ms: resident memory (VmRSS, and the kernel's high-water
// mark VmHWM) and CPU time, so a run can report peak RSS and which process burned the CPU.
import { readdirSync, readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

function statusKb(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'),
    )
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return null
  }
}

/** Per thread: [cpu ns, ns spent runnable but waiting for a CPU] from /proc/<pid>/task/<tid>/schedstat. */
function threadSchedstats(pid) {
  const out = {}
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [cpu, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
        out[tid] = [cpu, wait]
      } catch {}
    }
  } catch {}
  return out
}

/**
 * The process's busiest thread while sampling: its CPU seconds and the seconds it was ready to
 * run but waited for a core (other processes' load). For workerd that thread runs everything.
 */
function busiestThread(before, after) {
  let best = null
  for (const [tid, [cpu, wait]] of Object.entries(after)) {
    const [cpu0, wait0] = before[tid] ?? [0, 0]
    const delta = {
      tid: Number(tid),
      cpu_s: +((cpu - cpu0) / 1e9).toFixed(2),
      runqueue_wait_s: +((wait - wait0) / 1e9).toFixed(2),
    }
    if (!best || delta.cpu_s > best.cpu_s) best = delta
  }
  return best
}

/**
 * Starts sampling `pids` ({ label: pid }); `stop()` returns, per label, peak and last RSS in MB,
 * the kernel's VmHWM, and CPU seconds used while sampling.
 */
export function startSampler(pids, intervalMs = 250) {
  const entries = Object.entries(pids).filter(([, pid]) => pid)
  const stats = Object.fromEntries(
    entries.map(([label, pid]) => [
      label,
      {
        pid,
        startThreads: threadSchedstats(pid),
        startCpu: cpuSeconds(pid),
        startRssKb: statusKb(pid, 'VmRSS'),
        peakRssKb: 0,
        samples: [],
      },
    ]),
  )
  const started = Date.now()
  const sample = () => {
    for (const [, s] of Object.entries(stats)) {
      const rss = statusKb(s.pid, 'VmRSS')
      if (rss === null) continue
      s.peakRssKb = Math.max(s.peakRssKb, rss)
      s.samples.push([Date.now() - started, rss])
    }
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return Object.fromEntries(
        Object.entries(stats).map(([label, s]) => [
          label,
          {
            start_rss_mb: s.startRssKb === null ? null : +(s.startRssKb / 1024).toFixed(1),
            peak_rss_mb: +(s.peakRssKb / 1024).toFixed(1),
            end_rss_mb: s.samples.length ? +(s.samples.at(-1)[1] / 1024).toFixed(1) : null,
            vm_hwm_mb: (() => {
              const hwm = statusKb(s.pid, 'VmHWM')
              return hwm === null ? null : +(hwm / 1024).toFixed(1)
            })(),
            cpu_s: s.startCpu === null ? null : +(cpuSeconds(s.pid) - s.startCpu).toFixed(2),
            main_thread: busiestThread(s.startThreads, threadSchedstats(s.pid)),
            wall_s: +((Date.now() - started) / 1000).toFixed(2),
            // One point per second is enough to show whether memory grows with the batch.
            rss_mb_per_s: s.samples
              .filter((_, i) => i % Math.round(1000 / intervalMs) === 0)
              .map(([, kb]) => +(kb / 1024).toFixed(0)),
          },
        ]),
      )
    },
  }
}

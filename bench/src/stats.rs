//! Percentiles of latency samples, and what `/proc` tells of a server process.

use serde::Serialize;
use std::path::Path;

/// Latency percentiles of one measurement, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// How many samples.
    pub samples: usize,
    /// The median.
    pub p50_ms: f64,
    /// The 99th percentile.
    pub p99_ms: f64,
    /// The slowest.
    pub max_ms: f64,
}

impl Latency {
    /// Summarises samples in microseconds (sorted in place).
    pub fn of_micros(samples: &mut [u32]) -> Self {
        samples.sort_unstable();
        let ms = |us: u32| f64::from(us) / 1000.0;
        Self {
            samples: samples.len(),
            p50_ms: ms(percentile(samples, 50.0)),
            p99_ms: ms(percentile(samples, 99.0)),
            max_ms: ms(samples.last().copied().unwrap_or(0)),
        }
    }
}

/// The nearest-rank percentile of sorted samples (0 for none).
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One reading of a process: CPU time so far and memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcSample {
    /// User + system CPU seconds since the process started.
    pub cpu_secs: f64,
    /// Resident set size now, KiB.
    pub rss_kib: u64,
    /// Peak resident set size, KiB.
    pub peak_rss_kib: u64,
}

/// Reads `/proc/<pid>/stat` and `/proc/<pid>/status`.
pub fn sample(pid: u32, clock_ticks: f64) -> anyhow::Result<ProcSample> {
    let dir = Path::new("/proc").join(pid.to_string());
    let stat = std::fs::read_to_string(dir.join("stat"))?;
    let status = std::fs::read_to_string(dir.join("status"))?;
    let ticks = cpu_ticks(&stat).ok_or_else(|| anyhow::anyhow!("unreadable /proc/{pid}/stat"))?;
    Ok(ProcSample {
        cpu_secs: ticks as f64 / clock_ticks,
        rss_kib: status_kib(&status, "VmRSS").unwrap_or(0),
        peak_rss_kib: status_kib(&status, "VmHWM").unwrap_or(0),
    })
}

/// utime + stime, in clock ticks, from the text of `/proc/<pid>/stat`. The command
/// name (field 2) may hold spaces and parentheses, so fields are counted after the last `)`.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name come state (field 3) ... utime (14) and stime (15).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `Key:   1234 kB` line of `/proc/<pid>/status`.
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), 100 if it cannot be asked.
pub fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn latency_in_milliseconds() {
        let mut samples = vec![3000, 1000, 2000];
        let l = Latency::of_micros(&mut samples);
        assert_eq!(l.samples, 3);
        assert_eq!(l.p50_ms, 2.0);
        assert_eq!(l.max_ms, 3.0);
    }

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let stat = "4242 (tokio (rt) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
        assert_eq!(cpu_ticks(stat), Some(300));
        assert_eq!(cpu_ticks("garbage"), None);
    }

    #[test]
    fn status_lines() {
        let status = "Name:\tserver\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(1024));
        assert_eq!(status_kib(status, "VmHWM"), Some(2048));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let s = sample(std::process::id(), clock_ticks()).unwrap();
        assert!(s.rss_kib > 0 && s.peak_rss_kib >= s.rss_kib, "{s:?}");
    }
}

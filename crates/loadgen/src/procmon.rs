//! CPU and memory of the server (and of everything else on the machine) over a run, from
//! `/proc`: utime+stime of the server process, of this generator, of every `postgres`
//! process, and the machine's busy time; the server's peak RSS (VmHWM, reset before each
//! scenario through `/proc/<pid>/clear_refs`).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;
use tokio::task::JoinHandle;

/// Clock ticks per second of the `/proc` times (`getconf CLK_TCK`, nearly always 100).
pub fn clk_tck() -> f64 {
    static TCK: OnceLock<f64> = OnceLock::new();
    *TCK.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// utime + stime of a process, in ticks.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields resume after the last ')'.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resident set size now (KiB).
pub fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// Peak resident set size since start or the last [`reset_peak`] (KiB).
pub fn hwm_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:")
}

/// Reset VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`).
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

fn postgres_ticks() -> HashMap<u32, u64> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim_end() == "postgres"
            && let Some(t) = cpu_ticks(pid)
        {
            out.insert(pid, t);
        }
    }
    out
}

/// (busy, total) ticks of the whole machine.
fn machine_ticks() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = s.lines().next() else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 5 {
        return (0, 0);
    }
    let total: u64 = v.iter().sum();
    let idle = v[3] + v[4];
    (total - idle, total)
}

/// Usage over a run. CPU figures are percent of one core (200 % = both cores of a 2-core
/// machine); memory in KiB.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Usage {
    pub seconds: f64,
    pub server_cpu_pct: Option<f64>,
    pub server_peak_rss_kib: Option<u64>,
    pub server_rss_kib: Option<u64>,
    pub generator_cpu_pct: f64,
    pub postgres_cpu_pct: f64,
    pub machine_busy_pct: f64,
    /// Busy time not explained by the server, the generator and PostgreSQL (other work on a
    /// shared machine, kernel threads).
    pub other_cpu_pct: f64,
}

pub struct Monitor {
    pid: Option<u32>,
    at: Instant,
    server: Option<u64>,
    me: u64,
    pg: HashMap<u32, u64>,
    machine: (u64, u64),
}

impl Monitor {
    /// Start measuring (and reset the server's peak RSS).
    pub fn start(pid: Option<u32>) -> Monitor {
        if let Some(p) = pid {
            reset_peak(p);
        }
        Monitor {
            pid,
            at: Instant::now(),
            server: pid.and_then(cpu_ticks),
            me: cpu_ticks(std::process::id()).unwrap_or(0),
            pg: postgres_ticks(),
            machine: machine_ticks(),
        }
    }

    /// Measure over a scenario's window, `from` (the end of the warmup) to `to`, on a task of
    /// its own while the load runs.
    pub fn window(pid: Option<u32>, from: Instant, to: Instant) -> JoinHandle<Usage> {
        tokio::spawn(async move {
            tokio::time::sleep_until(from.into()).await;
            let m = Monitor::start(pid);
            tokio::time::sleep_until(to.into()).await;
            m.finish()
        })
    }

    pub fn finish(&self) -> Usage {
        let secs = self.at.elapsed().as_secs_f64().max(1e-6);
        let tck = clk_tck();
        let pct = |ticks: u64| ticks as f64 / tck / secs * 100.0;
        let server = match (self.pid.and_then(cpu_ticks), self.server) {
            (Some(b), Some(a)) => Some(pct(b.saturating_sub(a))),
            _ => None,
        };
        let me = pct(cpu_ticks(std::process::id())
            .unwrap_or(0)
            .saturating_sub(self.me));
        let pg_now = postgres_ticks();
        let pg = pct(pg_now
            .iter()
            .map(|(pid, t)| t.saturating_sub(*self.pg.get(pid).unwrap_or(&0)))
            .sum());
        let (busy, _) = machine_ticks();
        let machine = pct(busy.saturating_sub(self.machine.0));
        Usage {
            seconds: secs,
            server_cpu_pct: server,
            server_peak_rss_kib: self.pid.and_then(hwm_kib),
            server_rss_kib: self.pid.and_then(rss_kib),
            generator_cpu_pct: me,
            postgres_cpu_pct: pg,
            machine_busy_pct: machine,
            other_cpu_pct: (machine - server.unwrap_or(0.0) - me - pg).max(0.0),
        }
    }
}

/// The machine, for the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Machine {
        cpu_model,
        cores,
        memory_gib: mem_kib as f64 / 1024.0 / 1024.0,
        kernel,
    }
}

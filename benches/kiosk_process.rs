//! The whole kiosk process: `cargo bench --bench kiosk_process`.
//!
//! The real `tapin` binary (journal, sync worker, screen) in a pseudo-terminal
//! of 160×48, in a data directory seeded as an enrolled kiosk with a
//! 10,000-person roster cached, a file secret and a hub URL on a closed port
//! (so it runs offline, the sync worker retrying). Each run measures:
//!
//! - start to first frame: from spawning the process until the first person of
//!   the roster is on the screen (the harness's vt100 parse included);
//! - idle CPU: the process's CPU time (all threads) over a few idle seconds;
//! - peak memory: VmHWM from /proc/PID/status, read before SIGTERM;
//!
//! then SIGTERM, and the exit must be clean. Targets: start to first frame
//! < 50 ms (median of the runs; the worst is shown), VmHWM < 16 MiB (every run),
//! idle CPU < 1 % of a core. Exits non-zero when missed, unless
//! `TAPIN_BENCH_NO_FAIL` is set.
//!
//! Environment: `TAPIN_BENCH_DIR` (default: the system temp dir),
//! `TAPIN_BENCH_PEOPLE` (default 10,000), `TAPIN_BENCH_RUNS` (default 10),
//! `TAPIN_BENCH_IDLE_SECS` (default 3), `TAPIN_BENCH_JSON_START` (set: the
//! roster's snapshot is not seeded, so the first run parses the JSON, as the
//! first start after a roster arrives would), `TAPIN_BENCH_BIN` (default: the
//! `tapin` of this build; another build of it, to compare build settings).

#[path = "bench_stats/mod.rs"]
mod bench_stats;
#[path = "kiosk_fixture/mod.rs"]
mod kiosk_fixture;
#[path = "../tests/kiosk_support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::{Duration, Instant};

use bench_stats::verdict;
use kiosk_fixture::env_usize;
use pty::Pty;

const FIRST_FRAME: Duration = Duration::from_millis(50);
const PEAK_KIB: u64 = 16 * 1024;
const WAIT: Duration = Duration::from_secs(20);

fn main() {
    let base = std::env::var_os("TAPIN_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let people = env_usize("TAPIN_BENCH_PEOPLE", 10_000);
    let runs = env_usize("TAPIN_BENCH_RUNS", 10).max(1);
    let idle_secs = env_usize("TAPIN_BENCH_IDLE_SECS", 3) as u64;
    let tmp = tempfile::tempdir_in(&base).expect("temp dir for the benchmark");
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let json_start = std::env::var_os("TAPIN_BENCH_JSON_START").is_some();
    let (config, roster_bytes) = kiosk_fixture::seed_kiosk(&data, people, !json_start);
    println!(
        "kiosk process benchmark: {people} people (roster JSON {:.1} MiB), 160x48, {runs} runs, \
         in {}",
        roster_bytes as f64 / (1024.0 * 1024.0),
        tmp.path().display()
    );
    println!();
    // The first person of the grid: the roster is loaded and drawn.
    let first = kiosk_fixture::name(0);

    let mut starts = Vec::new();
    let mut peaks = Vec::new();
    let mut rss = Vec::new();
    let mut cpu_shares = Vec::new();
    let mut parts = Vec::new();
    for run in 0..runs {
        let t = Instant::now();
        let mut builder = Pty::builder();
        if let Some(bin) = std::env::var_os("TAPIN_BENCH_BIN") {
            builder = builder.program(bin);
        }
        let mut kiosk = builder
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .size(160, 48)
            .spawn()
            .expect("spawn tapin");
        kiosk
            .wait_for_text(&first, WAIT)
            .expect("the home screen with the roster");
        let start = t.elapsed();
        let pid = kiosk.pid().expect("the kiosk's pid");

        // Settle (the sync worker's first attempt fails at once), then idle.
        std::thread::sleep(Duration::from_millis(500));
        let (cpu0, t0) = (process_cpu(pid), Instant::now());
        std::thread::sleep(Duration::from_secs(idle_secs));
        let (cpu, wall) = (process_cpu(pid).saturating_sub(cpu0), t0.elapsed());
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let (hwm, now_rss) = (kib(&status, "VmHWM:"), kib(&status, "VmRSS:"));
        parts.push([
            kib(&status, "RssAnon:"),
            kib(&status, "RssFile:"),
            kib(&status, "Threads:"),
        ]);
        if std::env::var_os("TAPIN_BENCH_SMAPS").is_some() && run == 0 {
            print_mappings(pid);
        }

        kiosk.send_signal("TERM").expect("SIGTERM");
        let exit = kiosk.wait_exit(WAIT).expect("exits on SIGTERM");
        assert!(exit.success(), "run {run}: {exit:?}");
        starts.push(start);
        peaks.push(hwm);
        rss.push(now_rss);
        cpu_shares.push(cpu.as_secs_f64() / wall.as_secs_f64());
    }

    let first_run = starts.first().copied().unwrap_or_default();
    starts.sort();
    let median = starts[starts.len() / 2];
    let worst = starts[starts.len() - 1];
    let peak = peaks.iter().copied().max().unwrap_or_default();
    let idle_cpu = cpu_shares.iter().copied().fold(0.0, f64::max);
    println!("| what ({runs} runs) | median | worst |");
    println!("|---|---|---|");
    println!(
        "| start to first frame (spawn → first name on screen) | {} | {} |",
        ms(median),
        ms(worst)
    );
    println!(
        "| peak memory, VmHWM | {} | {} |",
        mib(median_of(&peaks)),
        mib(peak)
    );
    println!(
        "| resident at the end, VmRSS | {} | {} |",
        mib(median_of(&rss)),
        mib(rss.iter().copied().max().unwrap_or_default())
    );
    println!(
        "| first run's start ({}) | {} | |",
        if json_start {
            "roster from JSON, snapshot stored"
        } else {
            "roster from its snapshot"
        },
        ms(first_run)
    );
    let last = parts.last().copied().unwrap_or_default();
    println!(
        "| of it at the end (last run): anonymous, file-backed (the binary, libraries); threads | {} | {}; {} threads |",
        mib(last[0]),
        mib(last[1]),
        last[2]
    );
    println!(
        "| idle CPU over {idle_secs} s, all threads | {:.3} % | {:.3} % |",
        median_f64(&cpu_shares) * 100.0,
        idle_cpu * 100.0
    );
    println!();
    let start_ok = median < FIRST_FRAME;
    let peak_ok = peak < PEAK_KIB;
    let cpu_ok = idle_cpu < 0.01;
    println!(
        "start to first frame < 50 ms: {}; peak memory < 16 MiB: {}; idle CPU < 1 %: {}",
        verdict(start_ok),
        verdict(peak_ok),
        verdict(cpu_ok)
    );
    if !(start_ok && peak_ok && cpu_ok) && std::env::var_os("TAPIN_BENCH_NO_FAIL").is_none() {
        eprintln!("kiosk process benchmark: a target was missed");
        std::process::exit(1);
    }
}

/// The CPU time of every thread of `pid` (scheduler statistics, nanoseconds).
fn process_cpu(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .map(Duration::from_nanos)
        .sum()
}

/// The largest mappings by resident size (`TAPIN_BENCH_SMAPS`): where the
/// memory is.
fn print_mappings(pid: u32) {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut maps: Vec<(u64, String)> = Vec::new();
    let mut name = String::new();
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            name = line
                .split_whitespace()
                .skip(5)
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                name = format!("[anon {first}]");
            }
        } else if first == "Rss:" {
            maps.push((kib(line, "Rss:"), name.clone()));
        }
    }
    maps.sort_by_key(|m| std::cmp::Reverse(m.0));
    for (rss, name) in maps.iter().take(12) {
        println!("  {rss:>7} KiB  {name}");
    }
}

fn kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn median_of(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn median_f64(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

//! The floor for reading returns: how long calamine itself takes to open
//! every workbook in a folder and read every worksheet's range (CSV files
//! with the csv crate), compared with our whole read stage
//! (`returns::read_returns`: listing, guards, calamine, header matching,
//! identification, row checks) on the same files, both on all cores.
//!
//! ```text
//! cargo run --release --example calamine_read -- --plan OUT/plan.toml OUT/returns/2018-19-Q4
//! ```
//!
//! Prints one line per measurement: `calamine` and `read_returns`, each the
//! best and median of `--runs` runs, with the files and cells seen.
//!
//! Our reader runs in this process, as a library caller's does. With
//! `--child target/release/csp-report` it is also measured reading the
//! workbooks the way `csp-report build` does, in reader child processes
//! (`returns::isolate`): one more `read_returns` line and ratio, `in
//! children`, which include starting them. On Unix a last line gives the
//! median processor time of each (the children's included), which a busy
//! machine disturbs less than elapsed time.

use calamine::{open_workbook_auto_from_rs, Reader};
use clap::Parser;
use csp_report::config::Limits;
use csp_report::returns::{read_returns, ReadOptions};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// The allocator the `csp-report` binary reads with (src/main.rs), for both
// reads alike: with the system's, both spent a tenth of their time in it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Times calamine's own read of a returns folder against csp-report's read stage.
#[derive(Debug, Parser)]
struct Args {
    /// The plan the returns were made for (needed by our reader).
    #[arg(long)]
    plan: PathBuf,
    /// The period to assume for returns that name none.
    #[arg(long)]
    period: Option<csp_report::plan::Period>,
    /// How many times to measure each.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also measure reading the workbooks in child processes running this
    /// program (the `csp-report` binary), as the tool itself does.
    #[arg(long)]
    child: Option<PathBuf>,
    /// Make only this one read, once, and print what it saw: for counting
    /// its instructions under callgrind (`valgrind --tool=callgrind
    /// --trace-children=yes`), where reads sharing a process would share
    /// their counts. `children` needs `--child`.
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// The folder of returns.
    dir: PathBuf,
}

/// One of the reads this compares.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Only {
    /// calamine's own read.
    Calamine,
    /// Our read stage in this process.
    Here,
    /// Our read stage with the workbooks read in reader children.
    Children,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(program) = &args.child {
        csp_report::returns::isolate::use_child_program(program.clone());
    }
    let plan = csp_report::plan::load_plan(&args.plan)?;
    let mut files = Vec::new();
    list(&args.dir, &mut files)?;
    files.sort();

    let runs = args.runs.max(1);
    // In this process; then, with --child, in reader children (the
    // registered program is used only when `isolate` asks for it).
    let here = ReadOptions { period: args.period, limits: Limits { isolate: false, ..Limits::default() } };
    let in_children = ReadOptions { period: args.period, limits: Limits::default() };
    if let Some(only) = args.only {
        match only {
            Only::Calamine => println!("{} non-empty cells", files.par_iter().map(|f| calamine_cells(f)).sum::<usize>()),
            Only::Here => println!("{} data rows", read_returns(&args.dir, &plan, &here).totals().0),
            Only::Children => println!("{} data rows", read_returns(&args.dir, &plan, &in_children).totals().0),
        }
        return Ok(());
    }
    let (mut calamine_times, mut calamine_cpu) = (Vec::new(), Vec::new());
    let (mut ours_times, mut ours_cpu) = (Vec::new(), Vec::new());
    let (mut children_times, mut children_cpu) = (Vec::new(), Vec::new());
    let (mut cells, mut rows) = (0, 0);
    // Each run measures calamine and then ours, in turn, so that the
    // machine's changes of pace (twofold within minutes on a shared
    // machine) fall on both alike.
    for _ in 0..runs {
        let (start, cpu) = (Instant::now(), cpu_time());
        cells = files.par_iter().map(|f| calamine_cells(f)).sum::<usize>();
        calamine_times.push(start.elapsed());
        calamine_cpu.push(cpu_time().saturating_sub(cpu));

        let (start, cpu) = (Instant::now(), cpu_time());
        let report = read_returns(&args.dir, &plan, &here);
        ours_times.push(start.elapsed());
        ours_cpu.push(cpu_time().saturating_sub(cpu));
        rows = report.totals().0;
        if args.child.is_some() {
            let (start, cpu) = (Instant::now(), cpu_time());
            let report = read_returns(&args.dir, &plan, &in_children);
            children_times.push(start.elapsed());
            children_cpu.push(cpu_time().saturating_sub(cpu));
            assert_eq!(report.totals().0, rows, "the same rows read in children");
        }
    }
    // Each ratio is the median of the runs' own ratios (ours over the
    // calamine read just before it).
    let ratio = |ours: &[Duration], theirs: &[Duration]| {
        let mut ratios: Vec<f64> = ours.iter().zip(theirs).map(|(o, c)| o.as_secs_f64() / c.as_secs_f64().max(1e-9)).collect();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let (o_ratio, k_ratio) = (ratio(&ours_times, &calamine_times), ratio(&children_times, &calamine_times));
    let (o_cpu_ratio, k_cpu_ratio) = (ratio(&ours_cpu, &calamine_cpu), ratio(&children_cpu, &calamine_cpu));
    let (c_best, c_median) = summary(&mut calamine_times);
    let (o_best, o_median) = summary(&mut ours_times);
    println!("files          {}", files.len());
    println!("calamine       best {:>8.1} ms  median {:>8.1} ms  ({cells} non-empty cells)", ms(c_best), ms(c_median));
    println!("read_returns   best {:>8.1} ms  median {:>8.1} ms  ({rows} data rows)", ms(o_best), ms(o_median));
    println!("ratio          {o_ratio:.2}x calamine (median of the runs' ratios)");
    if !children_times.is_empty() {
        let (k_best, k_median) = summary(&mut children_times);
        println!("read_returns in children  best {:>8.1} ms  median {:>8.1} ms", ms(k_best), ms(k_median));
        println!("ratio in children         {k_ratio:.2}x calamine (median of the runs' ratios)");
    }
    // Processor time (this process and the reader children it waited for),
    // where the system reports it: another program busy on the machine
    // moves it far less than the elapsed times above.
    if calamine_cpu.iter().any(|d| !d.is_zero()) {
        let (_, c_cpu) = summary(&mut calamine_cpu);
        let (_, o_cpu) = summary(&mut ours_cpu);
        print!("cpu median     calamine {:.1} ms, read_returns {:.1} ms ({o_cpu_ratio:.2}x)", ms(c_cpu), ms(o_cpu));
        if !children_cpu.is_empty() {
            let (_, k_cpu) = summary(&mut children_cpu);
            print!(", in children {:.1} ms ({k_cpu_ratio:.2}x)", ms(k_cpu));
        }
        println!();
    }
    Ok(())
}

/// User and system time of this process and of its children waited for.
#[cfg(unix)]
fn cpu_time() -> Duration {
    let used = |who| {
        // SAFETY: getrusage fills the zeroed struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(who, &mut usage) } != 0 {
            return Duration::ZERO;
        }
        let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        time(usage.ru_utime) + time(usage.ru_stime)
    };
    used(libc::RUSAGE_SELF) + used(libc::RUSAGE_CHILDREN)
}

/// Not measured here.
#[cfg(not(unix))]
fn cpu_time() -> Duration {
    Duration::ZERO
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (times[0], times[times.len() / 2])
}

fn list(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Opens one file and reads every sheet's range; the count of non-empty
/// cells keeps the work from being optimised away. Unreadable files count 0.
fn calamine_cells(path: &Path) -> usize {
    let Ok(bytes) = std::fs::read(path) else { return 0 };
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
        return reader.byte_records().flatten().map(|r| r.iter().filter(|f| !f.is_empty()).count()).sum();
    }
    let Ok(mut workbook) = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) else { return 0 };
    let names = workbook.sheet_names();
    names.iter().filter_map(|name| workbook.worksheet_range(name).ok()).map(|range| range.used_cells().count()).sum()
}

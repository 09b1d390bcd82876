//! Criterion benchmarks for each stage of the pipeline, on two partnerships:
//! the shipped Preston example (`input/`) and a synthetic county-scale one
//! made by `examples/synth.rs` (2,000 actions, 400 agencies, 4 quarters by
//! default; set `CSP_BENCH_SYNTH=ACTIONS,AGENCIES,QUARTERS` to change it).
//! The synthetic partnership is generated once into
//! `target/bench-synth/<size>/` and reused.
//!
//! Stages: plan load, reading returns (one form; the whole folder), reading
//! the previous quarter's `progress.csv` (when the partnership has one),
//! merge, loading the templates, and every renderer the build runs (csv,
//! xlsx, pdf, html, reminders).
//!
//! A third group, `county`, times the PDF stage alone (every PDF `build`
//! writes: board report, commissioner summary, group and priority PDFs) on
//! a county's shape: 5,000 actions, 1,000 agencies, 20 groups, 6% of
//! agencies missing (`CSP_BENCH_COUNTY=ACTIONS,AGENCIES,GROUPS`).
//!
//! ```text
//! cargo bench --bench stages                 # everything
//! cargo bench --bench stages -- preston/     # the Preston example only
//! cargo bench --bench stages -- synth/merge  # one stage
//! cargo bench --bench stages -- county/      # the county's PDF stage
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use csp_report::forms::FormSettings;
use csp_report::history::{read_period, HistoryRead, PreviousPeriod};
use csp_report::merge::{merge, MergeInput};
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::progress::Progress;
use csp_report::render::sentences::Sentences;
use csp_report::render::{renderers, RenderContext};
use csp_report::returns::{read_returns, ReadOptions, ReadReport};
use csp_report::templates::Templates;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "../examples/synth.rs"]
#[allow(dead_code)]
mod synth;

/// One partnership, loaded and read once, for the stages to run on.
struct Fixture {
    /// Benchmark group name: `preston` or `synth`.
    name: &'static str,
    plan_path: PathBuf,
    plan: Plan,
    period: Period,
    /// The folder `build` reads.
    returns: PathBuf,
    /// A folder holding a single filled form, for the one-file read.
    one_form: Option<tempfile::TempDir>,
    read: ReadReport,
    /// The output folder holding the previous quarter's `progress.csv`, if any.
    history: Option<PathBuf>,
    previous: Option<PreviousPeriod>,
    progress: Progress,
}

impl Fixture {
    fn new(
        name: &'static str,
        root: &Path,
        plan_rel: &str,
        returns: PathBuf,
        period: Period,
        previous_returns: Option<PathBuf>,
    ) -> Fixture {
        let plan_path = root.join(plan_rel);
        let plan = load_plan(&plan_path).unwrap_or_else(|e| panic!("{name}: the plan {} does not load: {e}", plan_path.display()));
        let options = ReadOptions { period: Some(period), limits: Default::default() };
        let read = read_returns(&returns, &plan, &options);
        // The previous quarter's results, as a build would find them in
        // history: merged from that quarter's returns.
        let previous = previous_returns.map(|dir| {
            let prev = period.previous();
            let earlier =
                if dir == returns { read.clone() } else { read_returns(&dir, &plan, &ReadOptions { period: Some(prev), ..options }) };
            let progress = merge(&MergeInput {
                plan: &plan,
                period: prev,
                read: &earlier,
                previous: None,
                produced: prev.end(),
                deadline: prev.end(),
                extra_diagnostics: &[],
            });
            PreviousPeriod {
                period: prev,
                source: format!("returns for {prev}"),
                from_returns: true,
                history: synth::history_of(&progress),
            }
        });
        let progress = merge(&MergeInput {
            plan: &plan,
            period,
            read: &read,
            previous: previous.as_ref(),
            produced: period.end(),
            deadline: period.end(),
            extra_diagnostics: &[],
        });
        let one_form = first_form(&returns).map(|form| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            std::fs::copy(&form, dir.path().join(form.file_name().expect("a file name"))).expect("copy one form");
            dir
        });
        eprintln!(
            "{name}: {} actions, {} returns read ({} rows), {} diagnostics",
            plan.actions().count(),
            read.returns.len(),
            read.totals().0,
            progress.diagnostics.len()
        );
        let history = Some(root.join("output")).filter(|dir| matches!(read_period(dir, period.previous()), HistoryRead::Found(_)));
        Fixture { name, plan_path, plan, period, returns, one_form, read, history, previous, progress }
    }
}

/// The first filled form (`return-*.xlsx`) under `dir`, in name order.
fn first_form(dir: &Path) -> Option<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("return-") && n.ends_with(".xlsx")) {
                found.push(path);
            }
        }
    }
    found.sort();
    found.into_iter().next()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped example, if its returns are present.
fn preston() -> Option<Fixture> {
    let root = manifest_dir();
    let period: Period = "2018-19 Q3".parse().expect("a period");
    let returns = root.join("input/returns");
    if !returns.is_dir() {
        eprintln!("preston: skipped: {} does not exist", returns.display());
        return None;
    }
    Some(Fixture::new("preston", &root, "input/plan.toml", returns.clone(), period, Some(returns)))
}

/// Numbers from an environment variable `A,B,C`, or the defaults.
fn sizes(variable: &str, default: [usize; 3]) -> [usize; 3] {
    let Ok(value) = std::env::var(variable) else { return default };
    let numbers: Vec<usize> = value.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    numbers[..].try_into().unwrap_or_else(|_| panic!("{variable} must be three numbers, not {value:?}"))
}

/// A synthetic partnership, generated on first use into `target/bench-synth`.
fn generated(name: &'static str, args: synth::Args) -> Fixture {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("target"));
    let root = target.join("bench-synth").join(format!(
        "a{}-g{}-q{}-groups{}-m{}",
        args.actions,
        args.agencies,
        args.quarters,
        args.groups.unwrap_or(0),
        args.missing_percent
    ));
    let done = root.join(".complete");
    if !done.exists() {
        eprintln!(
            "synth: generating {} actions, {} agencies, {} quarters into {}",
            args.actions,
            args.agencies,
            args.quarters,
            root.display()
        );
        synth::generate(&synth::Args { out: root.clone(), ..args }).expect("generate the synthetic partnership");
        std::fs::write(&done, b"").expect("mark the synthetic partnership complete");
    }
    let period = args.period;
    let returns = root.join("returns").join(period.slug());
    let previous = (args.quarters > 1).then(|| root.join("returns").join(period.previous().slug()));
    Fixture::new(name, &root, "plan.toml", returns, period, previous)
}

/// The synthetic partnership of the per-stage group.
fn synthetic() -> Fixture {
    let [actions, agencies, quarters] = sizes("CSP_BENCH_SYNTH", [2000, 400, 4]);
    let period: Period = "2018-19 Q4".parse().expect("a period");
    let args =
        synth::Args { actions, agencies, quarters, period, seed: 1, groups: None, missing_percent: 0, force: true, out: PathBuf::new() };
    generated("synth", args)
}

/// A county: many groups and some agencies missing, as issue 14 measured.
fn county() -> Fixture {
    let [actions, agencies, groups] = sizes("CSP_BENCH_COUNTY", [5000, 1000, 20]);
    let period: Period = "2018-19 Q4".parse().expect("a period");
    let args = synth::Args {
        actions,
        agencies,
        quarters: 2,
        period,
        seed: 1,
        groups: Some(groups),
        missing_percent: 6,
        force: true,
        out: PathBuf::new(),
    };
    generated("county", args)
}

/// The PDF stage alone: every PDF the build writes, laid out and written.
fn bench_pdf(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group(f.name);
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(60));
    let forms = FormSettings::new(&Default::default(), f.period);
    let templates = Templates::built_in();
    let sentences = Sentences::render(&templates, &f.progress, &mut Vec::new()).expect("the sentences render");
    let ctx = RenderContext { progress: &f.progress, plan: &f.plan, templates: &templates, forms: &forms, sentences: &sentences };
    let pdf = renderers().into_iter().find(|r| r.name() == "pdf").expect("a pdf renderer");
    group.bench_function("render_pdf", |b| b.iter(|| pdf.render(black_box(&ctx)).expect("the PDFs render")));
    group.finish();
}

fn bench_fixture(c: &mut Criterion, f: &Fixture, measurement: Duration) {
    let mut group = c.benchmark_group(f.name);
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(measurement);
    let options = ReadOptions { period: Some(f.period), limits: Default::default() };

    group.bench_function("plan_load", |b| b.iter(|| load_plan(black_box(&f.plan_path)).expect("the plan loads")));
    if let Some(dir) = &f.one_form {
        group.bench_function("read_one_form", |b| b.iter(|| read_returns(black_box(dir.path()), &f.plan, &options)));
    }
    group.bench_function("read_folder", |b| b.iter(|| read_returns(black_box(&f.returns), &f.plan, &options)));
    if let Some(dir) = &f.history {
        group.bench_function("history_read", |b| b.iter(|| read_period(black_box(dir), f.period.previous())));
    }
    group.bench_function("merge", |b| {
        b.iter(|| {
            merge(&MergeInput {
                plan: &f.plan,
                period: f.period,
                read: black_box(&f.read),
                previous: f.previous.as_ref(),
                produced: f.period.end(),
                deadline: f.period.end(),
                extra_diagnostics: &[],
            })
        })
    });
    group.bench_function("templates_load", |b| b.iter(Templates::built_in));
    let forms = FormSettings::new(&Default::default(), f.period);
    let templates = Templates::built_in();
    group.bench_function("sentences", |b| b.iter(|| Sentences::render(&templates, black_box(&f.progress), &mut Vec::new())));
    let sentences = Sentences::render(&templates, &f.progress, &mut Vec::new()).expect("the sentences render");
    for renderer in renderers() {
        let ctx = RenderContext { progress: &f.progress, plan: &f.plan, templates: &templates, forms: &forms, sentences: &sentences };
        group.bench_function(format!("render_{}", renderer.name()), |b| {
            b.iter(|| renderer.render(black_box(&ctx)).expect("the renderer succeeds"))
        });
    }
    group.finish();
}

fn stages(c: &mut Criterion) {
    if let Some(f) = preston() {
        bench_fixture(c, &f, Duration::from_secs(3));
    }
    let f = synthetic();
    bench_fixture(c, &f, Duration::from_secs(10));
    bench_pdf(c, &county());
}

criterion_group!(benches, stages);
criterion_main!(benches);

//! Writes a large synthetic partnership for benchmarks and scale tests:
//! a plan with `--actions` actions led by `--agencies` agencies, their
//! returns for `--quarters` quarters ending at `--period`, and the history an
//! earlier run would have left (`output/<quarter>/progress.csv` for every
//! quarter before the last, made by running the real pipeline: read, merge,
//! the csv renderer).
//!
//! ```text
//! cargo run --release --example synth -- --actions 2000 --agencies 400 --quarters 4 OUT
//! cd OUT && csp-report build        # reads returns/<last quarter>/
//! ```
//!
//! Returns come in the formats agencies send: mostly the real form filled in
//! (`forms::build_form`), some spreadsheets the agency made itself (title
//! block, `Organisation:` / `Quarter:` labels, their own column names and
//! order, an extra sheet), some CSV (comma or semicolon, some with a BOM),
//! some OpenDocument (`.ods`, written here directly: a zip of `content.xml`,
//! so no office suite is needed and the bytes are repeatable). Not made:
//! `.xls`/`.xlsb` (no writer in our dependencies; converting with
//! LibreOffice would be slow and not byte-repeatable).
//!
//! A small share of rows carry the mistakes people make (a status typed as
//! "on track" or misspelt, "75%" typed as text, amber with no update, an
//! action ID with a slip), so the diagnostics path is exercised at scale.
//! Everything is drawn from a seeded PRNG (SplitMix64, below): the same
//! arguments give byte-identical files.

use clap::Parser;
use csp_report::forms::{self, FilledRow, FilledValue, FormSettings};
use csp_report::history::{History, PastAction, PastUpdate, PreviousPeriod};
use csp_report::merge::{merge, MergeInput};
use csp_report::plan::{Period, Plan};
use csp_report::progress::Progress;
use csp_report::render::sentences::Sentences;
use csp_report::render::{renderers, RenderContext};
use csp_report::returns::{read_returns, ReadOptions};
use csp_report::status::Status;
use csp_report::templates::Templates;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes a large synthetic partnership (plan, returns in every format, history).
#[derive(Debug, Clone, Parser)]
#[command(name = "synth")]
pub struct Args {
    /// Number of actions in the plan.
    #[arg(long, default_value_t = 2000)]
    pub actions: usize,
    /// Number of lead agencies (each leads at least one action when actions >= agencies).
    #[arg(long, default_value_t = 400)]
    pub agencies: usize,
    /// Quarters of returns to write, ending at --period; all but the last get history.
    #[arg(long, default_value_t = 4)]
    pub quarters: usize,
    /// The last quarter (the one `csp-report build` reports on).
    #[arg(long, default_value = "2018-19 Q4", value_parser = parse_period)]
    pub period: Period,
    /// Seed for the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of action groups; by default one per 50 actions, as in a plan
    /// with many small delivery groups. A county plan has about 20.
    #[arg(long)]
    pub groups: Option<usize>,
    /// Percentage of agencies that send no return in a quarter.
    #[arg(long, default_value_t = 0)]
    pub missing_percent: u64,
    /// Replace what an earlier run wrote in OUT (plan.toml, csp-report.toml, returns/, output/).
    #[arg(long)]
    pub force: bool,
    /// Folder to write into.
    pub out: PathBuf,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse::<Period>().map_err(|e| e.to_string())
}

#[allow(dead_code)] // benches include this file for `generate` only
fn main() -> anyhow::Result<()> {
    generate(&Args::parse())
}

/// Writes the partnership `args` describes into `args.out`.
pub fn generate(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.actions > 0 && args.agencies > 0 && args.quarters > 0, "--actions, --agencies and --quarters must be at least 1");
    anyhow::ensure!(args.missing_percent <= 100, "--missing-percent is a percentage");
    prepare_out(&args.out, args.force)?;

    let plan_text = plan_toml(args);
    std::fs::write(args.out.join("plan.toml"), &plan_text)?;
    let plan = match csp_report::plan::load_plan(&args.out.join("plan.toml")) {
        Ok(plan) => plan,
        Err(csp_report::plan::PlanError::Invalid { problems, .. }) => {
            for p in &problems {
                eprintln!("{}: {} [{}]: {}", p.place, p.severity, p.code, p.message);
            }
            anyhow::bail!("the generated plan does not load (a bug in synth)");
        }
        Err(e) => return Err(e.into()),
    };

    let periods: Vec<Period> = {
        let mut ps = vec![args.period];
        for _ in 1..args.quarters {
            ps.push(ps.last().expect("one period").previous());
        }
        ps.reverse();
        ps
    };
    let last = *periods.last().expect("at least one quarter");
    std::fs::write(args.out.join("csp-report.toml"), config_toml(last))?;

    let templates = Templates::built_in();
    let mut previous: Option<PreviousPeriod> = None;
    let mut files_written = 0usize;
    for (q, &period) in periods.iter().enumerate() {
        let dir = args.out.join("returns").join(period.slug());
        std::fs::create_dir_all(&dir)?;
        let written = write_returns(&plan, period, q, previous.as_ref(), args, &dir)?;
        files_written += written;
        eprintln!("synth: {period}: {written} returns in {}", dir.display());
        if period != last {
            // History as a build would leave it: read, merge, the csv renderer.
            let progress = run_pipeline(&plan, period, previous.as_ref(), &dir, &templates, &args.out)?;
            previous = Some(PreviousPeriod {
                period,
                source: format!("output/{}/progress.csv", period.slug()),
                from_returns: false,
                history: history_of(&progress),
            });
        }
    }
    eprintln!(
        "synth: wrote {} actions, {} agencies, {files_written} returns over {} quarter(s) into {}",
        plan.actions().count(),
        plan.agencies.len(),
        periods.len(),
        args.out.display()
    );
    Ok(())
}

/// Makes OUT, refusing to mix with an earlier run unless `--force`.
fn prepare_out(out: &Path, force: bool) -> anyhow::Result<()> {
    let ours = ["plan.toml", "csp-report.toml", "returns", "output"];
    if out.exists() {
        let occupied = std::fs::read_dir(out)?.next().is_some();
        if occupied && !force {
            anyhow::bail!("{} is not empty; pass --force to replace what an earlier synth run wrote there", out.display());
        }
        for name in ours {
            let path = out.join(name);
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else if path.exists() {
                std::fs::remove_file(&path)?;
            }
        }
    }
    std::fs::create_dir_all(out)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Randomness: SplitMix64, small and stable across versions (a crate's
// generator may change its stream between releases; this one never will).
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    /// A generator for one purpose, from the seed and a few numbers naming it.
    fn for_key(seed: u64, key: &[u64]) -> Rng {
        let mut rng = Rng(seed ^ 0x5EED_C5B0_0000_0001);
        for &k in key {
            rng.0 ^= k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            rng.next();
        }
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0 ≤ n < bound.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

const PLACES: [&str; 50] = [
    "Ashton",
    "Avenham",
    "Brookfield",
    "Broughton",
    "Cadley",
    "Deepdale",
    "Fishwick",
    "Frenchwood",
    "Fulwood",
    "Grange",
    "Greyfriars",
    "Ingol",
    "Larches",
    "Lea",
    "Moor Park",
    "Plungington",
    "Ribbleton",
    "Riversway",
    "Sharoe Green",
    "St Matthew's",
    "Tulketh",
    "University",
    "Town Centre",
    "Penwortham",
    "Longton",
    "Walton-le-Dale",
    "Bamber Bridge",
    "Leyland",
    "Chorley",
    "Garstang",
    "Goosnargh",
    "Grimsargh",
    "Barton",
    "Woodplumpton",
    "Catforth",
    "Hutton",
    "Much Hoole",
    "Lostock Hall",
    "Farington",
    "Clayton",
    "Whittle",
    "Euxton",
    "Croston",
    "Eccleston",
    "Kirkham",
    "Freckleton",
    "Warton",
    "Longridge",
    "Ribchester",
    "Samlesbury",
];

const KINDS: [&str; 20] = [
    "Borough Council",
    "Police Neighbourhood Team",
    "Housing Trust",
    "Youth Offending Team",
    "Fire and Rescue Station",
    "Health Centre",
    "Probation Unit",
    "Community Forum",
    "Women's Aid",
    "Recovery Service",
    "Schools Partnership",
    "Business Improvement District",
    "Faith Forum",
    "Victim Support Hub",
    "Street Pastors",
    "Mental Health Team",
    "Tenants' Association",
    "Sports Trust",
    "Citizens Advice",
    "Early Help Team",
];

const TOPICS: [&str; 16] = [
    "Violent Crime",
    "Domestic Abuse",
    "Sexual Offences",
    "Anti-social Behaviour",
    "Serious and Organised Crime",
    "Business Crime",
    "Early Intervention",
    "Reducing Reoffending",
    "Hate Crime",
    "Road Safety",
    "Night-time Economy",
    "Substance Misuse",
    "Modern Slavery",
    "Cyber Crime",
    "Fire Safety",
    "Youth Engagement",
];

const PRIORITIES: [(&str, &str); 5] = [
    ("violent-crime", "Violent Crime"),
    ("domestic-abuse", "Domestic Abuse"),
    ("sexual-offences", "Sexual Offences"),
    ("anti-social-behaviour", "Anti-social Behaviour"),
    ("rehabilitation", "Rehabilitation of Offenders"),
];

const VERBS: [&str; 12] =
    ["Develop", "Deliver", "Extend", "Review", "Launch", "Embed", "Pilot", "Commission", "Coordinate", "Promote", "Establish", "Evaluate"];

const OBJECTS: [&str; 16] = [
    "a multi-agency protocol",
    "targeted patrols",
    "training for frontline staff",
    "a referral pathway",
    "awareness sessions in schools",
    "a victim aftercare service",
    "joint problem-solving meetings",
    "an information sharing agreement",
    "a diversionary activity programme",
    "a campaign with local businesses",
    "outreach to hard-to-reach communities",
    "a mentoring scheme for young people",
    "case reviews of repeat locations",
    "support for licensed premises",
    "a volunteer network",
    "data sharing with health partners",
];

const PURPOSES: [&str; 10] = [
    "reduce repeat victimisation",
    "cut repeat calls for service",
    "increase early reporting",
    "reduce harm to young people",
    "improve public confidence",
    "disrupt organised groups",
    "support vulnerable adults",
    "reduce reoffending",
    "make the night-time economy safer",
    "improve take-up of support",
];

/// A TOML basic string, escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Group code for index `i`: AA, AB, …, ZZ, then AAA… (letters only, so
/// `AB1` and `AB12` never clash with another group's IDs).
fn group_code(mut i: usize) -> String {
    let mut letters = Vec::new();
    letters.push((b'A' + (i % 26) as u8) as char);
    i /= 26;
    letters.push((b'A' + (i % 26) as u8) as char);
    i /= 26;
    while i > 0 {
        letters.push((b'A' + ((i - 1) % 26) as u8) as char);
        i = (i - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Agency `i`'s name: a place and a kind, numbered once the pairs run out.
fn agency_name(i: usize) -> String {
    let pairs = PLACES.len() * KINDS.len();
    // Place and kind both vary from one agency to the next; the pairs stay
    // distinct for the first places × kinds agencies (11 is coprime to 20).
    let (place, round) = (i % PLACES.len(), i / PLACES.len());
    let base = format!("{} {}", PLACES[place], KINDS[(11 * round + place) % KINDS.len()]);
    if i < pairs {
        base
    } else {
        format!("{base} {}", i / pairs + 1)
    }
}

/// Writes the plan as the loader reads it (see README "The plan file").
fn plan_toml(args: &Args) -> String {
    let mut rng = Rng::for_key(args.seed, &[1]);
    let mut t = String::new();
    let _ = writeln!(t, "# Synthetic partnership written by `cargo run --example synth`: not a real plan.");
    let _ = writeln!(t, "# actions = {}, agencies = {}, seed = {}\n", args.actions, args.agencies, args.seed);
    let _ = writeln!(t, "[partnership]");
    let _ = writeln!(t, "name = \"Synthetic County Community Safety Partnership\"");
    let _ = writeln!(t, "short_name = \"Synthetic CSP\"");
    let _ = writeln!(t, "plan_title = \"Community Safety Partnership Plan\"");
    let _ = writeln!(t, "plan_year = {}", toml_string(&args.period.financial_year()));
    let _ = writeln!(t, "source = \"Generated for benchmarks\"");
    let _ = writeln!(t, "introduction = \"A synthetic plan used to measure csp-report at county scale.\"\n");

    for (id, name) in PRIORITIES {
        let _ = writeln!(t, "[[priority]]\nid = \"{id}\"\nname = \"{name}\"");
        let _ = writeln!(t, "evidence = [\"Rising trend in the district profile\", \"Concentrated in a few neighbourhoods\"]");
        let _ = writeln!(t, "aims = [\"Fewer victims of {}\"]", name.to_lowercase());
        let _ = writeln!(t, "current_work = [\"Intelligence sharing\", \"Targeted patrols\"]");
        let _ = writeln!(t, "planned_activity = [\"Continue evidence-led good practice\"]\n");
    }
    for (id, name) in PRIORITIES {
        let _ = writeln!(t, "[[tag]]\nid = \"{id}\"\nname = \"{name}\"\npriority = \"{id}\"\n");
    }
    let _ = writeln!(t, "[[tag]]\nid = \"early-intervention\"\nname = \"Early Intervention\"\n");

    let agency_ids: Vec<String> = (0..args.agencies).map(|i| slug(&agency_name(i))).collect();
    let groups = args.groups.unwrap_or_else(|| args.actions.div_ceil(50)).clamp(1, args.actions.max(1));
    let mut action_index = 0usize;
    let months = ["June", "September", "December", "March"];
    for g in 0..groups {
        let code = group_code(g);
        let topic = TOPICS[g % TOPICS.len()];
        let area = PLACES[(g / TOPICS.len()) % PLACES.len()];
        let _ = writeln!(
            t,
            "[[group]]\nid = \"{}\"\nname = {}",
            slug(&format!("{topic} {area} {code}")),
            toml_string(&format!("{topic} ({area})"))
        );
        let mut tags = vec!["\"early-intervention\"".to_string()];
        tags.push(format!("\"{}\"", PRIORITIES[g % PRIORITIES.len()].0));
        if rng.chance(400) {
            tags.push(format!("\"{}\"", PRIORITIES[(g + 2) % PRIORITIES.len()].0));
        }
        let _ = writeln!(t, "priorities = [{}]\n", tags.join(", "));
        let in_group = (args.actions - action_index).div_ceil(groups - g);
        for n in 1..=in_group {
            let text = format!("{} {} to {} in {}.", rng.pick(&VERBS), rng.pick(&OBJECTS), rng.pick(&PURPOSES), rng.pick(&PLACES));
            let timescale = if rng.chance(550) {
                "Ongoing".to_string()
            } else {
                // A month within the plan year or the next: some already past.
                let m = rng.below(8);
                let (month, fy_offset) = (months[m % 4], m / 4);
                let year =
                    args.period.financial_year()[..4].parse::<i32>().unwrap_or(2018) + fy_offset as i32 + i32::from(month == "March");
                format!("{month} {year}")
            };
            // Every agency leads at least one action (round robin), plus co-leads.
            let mut leads = vec![agency_ids[action_index % args.agencies].clone()];
            let extra = match rng.below(10) {
                0..=5 => 0,
                6..=8 => 1,
                _ => 2,
            };
            for _ in 0..extra {
                let co = rng.pick(&agency_ids).clone();
                if !leads.contains(&co) {
                    leads.push(co);
                }
            }
            let leads: Vec<String> = leads.iter().map(|l| format!("\"{l}\"")).collect();
            let _ = writeln!(t, "[[group.action]]\nid = \"{code}{n}\"\ntext = {}\ntimescale = \"{timescale}\"", toml_string(&text));
            let _ = writeln!(t, "leads = [{}]", leads.join(", "));
            if rng.chance(100) {
                let _ = writeln!(t, "new = true");
            }
            let _ = writeln!(t);
            action_index += 1;
        }
    }
    for (i, id) in agency_ids.iter().enumerate() {
        let _ = writeln!(t, "[[agency]]\nid = \"{id}\"\nname = {}\n", toml_string(&agency_name(i)));
    }
    let _ = writeln!(t, "[[glossary]]\nterm = \"CSP\"\nmeaning = \"Community Safety Partnership\"");
    t
}

fn config_toml(last: Period) -> String {
    format!(
        "# Written by `cargo run --example synth`.\nplan = \"plan.toml\"\nreturns = \"returns/{}\"\noutput = \"output\"\nperiod = \"{last}\"\n\n[forms]\ncontact = \"the synthetic partnership's coordinator\"\n",
        last.slug()
    )
}

// ---------------------------------------------------------------------------
// Returns
// ---------------------------------------------------------------------------

/// One row as the agency meant it, before it is typed into some format.
struct RowData {
    /// The plan's ID: pre-printed on the form.
    action_id: String,
    /// The ID as typed into the agency's own spreadsheet (sometimes with a slip).
    typed_id: String,
    /// What was typed in the Status cell (usually the label, sometimes not).
    status: String,
    /// `Number` mostly; sometimes "75%" typed as text.
    percent: Option<FilledValue>,
    update: String,
    next_steps: String,
    issues: String,
    revised: Option<chrono::NaiveDate>,
}

/// How an agency sends its return this quarter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Form,
    OwnXlsx,
    Csv,
    Ods,
}

const UPDATES: [&str; 12] = [
    "Delivered two multi-agency briefings and agreed the referral criteria with partners.",
    "Training delivered to 40 frontline staff; feedback was positive and a second cohort is booked.",
    "Joint patrols ran on Friday and Saturday nights throughout the quarter.",
    "The pilot started in two neighbourhoods; early figures show fewer repeat calls.",
    "Met the housing providers to map current provision and gaps.",
    "Campaign materials produced and shared on social media, reaching about 12,000 people.",
    "Case reviews held for the five most frequent locations; actions agreed with owners.",
    "Volunteers recruited and vetted; the rota starts next month.",
    "Funding bid submitted to the PCC; decision expected in the new year.",
    "Information sharing agreement signed by all partners except one.",
    "Sessions delivered in six schools, with a short survey before and after.",
    "Steering group met twice and agreed terms of reference.",
];

const NEXT_STEPS: [&str; 8] = [
    "Report outcomes to the delivery group.",
    "Extend to the remaining neighbourhoods.",
    "Evaluate the pilot and decide on roll-out.",
    "Recruit a second cohort.",
    "Agree funding for next year.",
    "Share the findings with the board.",
    "Hold a review meeting with partners.",
    "Finalise the protocol and circulate it.",
];

const ISSUES: [&str; 6] = [
    "Funding beyond March is not yet confirmed.",
    "A vacancy in the team has slowed delivery.",
    "Data sharing is waiting for sign-off by one partner.",
    "Venue availability has limited sessions.",
    "Demand is higher than the service can meet.",
    "Partner attendance at meetings has been low.",
];

/// The status an action's lead reports in quarter `q`: each action has a
/// course (most go well, some struggle, a few go wrong), and leads
/// sometimes see it one step differently.
fn status_for(args: &Args, action_n: usize, agency_n: usize, q: usize) -> (Status, u8) {
    let mut course = Rng::for_key(args.seed, &[2, action_n as u64]);
    let kind = course.below(100);
    let start = course.below(3);
    let step = start + q;
    let mut status = match kind {
        0..=64 => [Status::NotStarted, Status::Green, Status::Green, Status::Green, Status::Complete][step.min(4)],
        65..=84 => [Status::NotStarted, Status::Green, Status::Amber, Status::Amber, Status::Green][step.min(4)],
        85..=94 => [Status::Green, Status::Amber, Status::Red, Status::Red, Status::Amber][step.min(4)],
        _ => [Status::Green, Status::Green, Status::Green, Status::Green, Status::Green][step.min(4)],
    };
    let mut lead = Rng::for_key(args.seed, &[3, action_n as u64, agency_n as u64, q as u64]);
    if lead.chance(120) {
        status = match status {
            Status::Green => Status::Amber,
            Status::Amber => Status::Green,
            Status::Red => Status::Amber,
            other => other,
        };
    }
    let percent = match status {
        Status::Complete => 100,
        Status::NotStarted => 0,
        _ => (10 + 20 * step.min(4) + lead.below(10)).min(95) as u8,
    };
    (status, percent)
}

/// What an agency reports for each action it leads, with the usual slips.
fn rows_for(plan: &Plan, args: &Args, agency_n: usize, agency_id: &str, period: Period, q: usize) -> Vec<RowData> {
    let mut rng = Rng::for_key(args.seed, &[4, agency_n as u64, q as u64]);
    let mut rows = Vec::new();
    for (n, action) in plan.actions().enumerate().filter(|(_, a)| a.leads.iter().any(|l| l == agency_id)) {
        let (status, percent) = status_for(args, n, agency_n, q);
        let mut status_text = status.label().to_string();
        if rng.chance(30) {
            // What people type instead of the label.
            status_text = match status {
                Status::Green => rng.pick(&["on track", "GREEN", "green "]).to_string(),
                Status::Amber => rng.pick(&["amber", "AMBER", "Some delay"]).to_string(),
                Status::Red => rng.pick(&["red", "RED"]).to_string(),
                Status::Complete => rng.pick(&["done", "Completed"]).to_string(),
                _ => status_text,
            };
        } else if rng.chance(4) {
            status_text = rng.pick(&["Ambr", "Gren", "Greeen", "TBC"]).to_string();
        }
        let mut typed_id = action.id.clone();
        if rng.chance(3) {
            typed_id = format!("{}0", action.id);
        } else if rng.chance(20) {
            typed_id = action.id.to_lowercase();
        }
        let mut update = match status {
            Status::NotStarted => String::new(),
            _ => rng.pick(&UPDATES).to_string(),
        };
        if matches!(status, Status::Amber | Status::Red) && rng.chance(30) {
            update.clear();
        }
        let percent = if rng.chance(20) {
            Some(FilledValue::Text(format!("{percent}%")))
        } else if rng.chance(50) {
            None
        } else {
            Some(FilledValue::Number(f64::from(percent)))
        };
        let issues = if matches!(status, Status::Amber | Status::Red) { rng.pick(&ISSUES).to_string() } else { String::new() };
        let revised = (matches!(status, Status::Amber | Status::Red) && rng.chance(400)).then(|| period.end() + chrono::Days::new(180));
        rows.push(RowData {
            action_id: action.id.clone(),
            typed_id,
            status: status_text,
            percent,
            update,
            next_steps: if status == Status::Complete { String::new() } else { rng.pick(&NEXT_STEPS).to_string() },
            issues,
            revised,
        });
    }
    rows
}

/// Writes every lead agency's return for one quarter; returns how many.
fn write_returns(
    plan: &Plan,
    period: Period,
    q: usize,
    previous: Option<&PreviousPeriod>,
    args: &Args,
    dir: &Path,
) -> anyhow::Result<usize> {
    let settings = FormSettings {
        deadline: period.end() + chrono::Days::new(14),
        contact: "the synthetic partnership's coordinator".into(),
        generated: period.end(),
    };
    let leads: Vec<(usize, &csp_report::plan::Agency)> =
        plan.agencies.iter().enumerate().filter(|(_, a)| plan.actions().any(|x| x.leads.contains(&a.id))).collect();
    let written: Vec<anyhow::Result<bool>> = leads
        .par_iter()
        .map(|&(n, agency)| {
            let mut rng = Rng::for_key(args.seed, &[5, n as u64, q as u64]);
            if rng.chance(args.missing_percent * 10) {
                return Ok(false);
            }
            let rows = rows_for(plan, args, n, &agency.id, period, q);
            let kind = match rng.below(100) {
                0..=79 => Kind::Form,
                80..=87 => Kind::OwnXlsx,
                88..=93 => Kind::Csv,
                _ => Kind::Ods,
            };
            let (name, bytes) = match kind {
                Kind::Form => {
                    let fill: Vec<FilledRow> = rows.iter().map(filled_row).collect();
                    let bytes = forms::build_form(plan, agency, period, previous, &settings, &fill)?.bytes;
                    let name = forms::form_file_name(period, &agency.id);
                    // Some arrive renamed by the agency's email client.
                    let name = if rng.chance(30) { format!("Copy of {name}") } else { name };
                    (name, bytes)
                }
                Kind::OwnXlsx => (format!("{} CSP return {}.xlsx", agency.name, period.slug()), own_xlsx(plan, agency, period, &rows)?),
                Kind::Csv => {
                    (format!("{}-{}.csv", agency.id, period.slug()), own_csv(agency, period, &rows, rng.chance(500), rng.chance(300)))
                }
                Kind::Ods => (format!("{}-{}.ods", agency.id, period.slug()), own_ods(agency, period, &rows)?),
            };
            std::fs::write(dir.join(name), bytes)?;
            Ok(true)
        })
        .collect();
    let mut count = 0;
    for w in written {
        count += usize::from(w?);
    }
    Ok(count)
}

fn filled_row(row: &RowData) -> FilledRow {
    FilledRow {
        action_id: row.action_id.clone(),
        status: Some(FilledValue::Text(row.status.clone())),
        percent: row.percent.clone(),
        update: row.update.clone(),
        next_steps: row.next_steps.clone(),
        issues_risks: row.issues.clone(),
        revised_date: row.revised.map(FilledValue::Date),
    }
}

/// The columns agencies' own spreadsheets use: their names, in their order.
const OWN_HEADERS: [&str; 7] = ["Ref", "RAG", "Commentary", "Next actions", "Risks", "% complete", "New date"];

fn own_cells(row: &RowData) -> [Option<FilledValue>; 7] {
    let text = |s: &str| (!s.is_empty()).then(|| FilledValue::Text(s.to_string()));
    [
        text(&row.typed_id),
        text(&row.status),
        text(&row.update),
        text(&row.next_steps),
        text(&row.issues),
        row.percent.clone(),
        row.revised.map(FilledValue::Date),
    ]
}

/// A spreadsheet the agency made itself: a title, label cells, its own
/// column names and order, and a notes sheet.
fn own_xlsx(plan: &Plan, agency: &csp_report::plan::Agency, period: Period, rows: &[RowData]) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let end = period.end();
    let stamp = ExcelDateTime::from_ymd(
        end.format("%Y").to_string().parse()?,
        end.format("%m").to_string().parse()?,
        end.format("%d").to_string().parse()?,
    )?;
    workbook.set_properties(&DocProperties::new().set_author(&agency.name).set_creation_datetime(&stamp));
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Q update")?;
    sheet.write_string_with_format(0, 0, format!("{} update to {}", agency.name, plan.partnership.short_name), &bold)?;
    sheet.write_string(2, 0, "Organisation:")?;
    sheet.write_string(2, 1, &agency.name)?;
    sheet.write_string(3, 0, "Quarter:")?;
    sheet.write_string(3, 1, period.to_string())?;
    for (c, h) in OWN_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(5, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = 6 + r as u32;
        for (c, value) in own_cells(row).iter().enumerate() {
            match value {
                Some(FilledValue::Text(s)) => sheet.write_string(r, c as u16, s).map(|_| ())?,
                Some(FilledValue::Number(n)) => sheet.write_number(r, c as u16, *n).map(|_| ())?,
                Some(FilledValue::Date(d)) => {
                    let dt = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string())?;
                    sheet.write_datetime_with_format(r, c as u16, &dt, &date).map(|_| ())?
                }
                None => {}
            }
        }
    }
    let notes = workbook.add_worksheet();
    notes.set_name("Notes")?;
    notes.write_string(0, 0, "Completed by the agency's performance officer. Figures are provisional.")?;
    Ok(workbook.save_to_buffer()?)
}

/// A CSV return: label rows, then the table; comma or semicolon, sometimes a BOM.
fn own_csv(agency: &csp_report::plan::Agency, period: Period, rows: &[RowData], semicolon: bool, bom: bool) -> Vec<u8> {
    let delimiter = if semicolon { b';' } else { b',' };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(out);
    let _ = w.write_record(["Agency:", agency.name.as_str()]);
    let _ = w.write_record(["Period:", &period.to_string()]);
    let _ = w.write_record(OWN_HEADERS);
    for row in rows {
        let cells: Vec<String> = own_cells(row).iter().map(|v| value_text(v.as_ref())).collect();
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

fn value_text(value: Option<&FilledValue>) -> String {
    match value {
        Some(FilledValue::Text(s)) => s.clone(),
        Some(FilledValue::Number(n)) => format!("{n}"),
        Some(FilledValue::Date(d)) => d.format("%d/%m/%Y").to_string(),
        None => String::new(),
    }
}

/// An OpenDocument spreadsheet, written directly: `mimetype` stored first,
/// the manifest, and `content.xml` with one table. Fixed zip timestamps.
fn own_ods(agency: &csp_report::plan::Agency, period: Period, rows: &[RowData]) -> anyhow::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut content = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
        r#"office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Return">"#
    ));
    let text_cell =
        |s: &str| format!(r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#, xml_escape(s));
    let _ = write!(content, "<table:table-row>{}{}</table:table-row>", text_cell("Agency:"), text_cell(&agency.name));
    let _ = write!(content, "<table:table-row>{}{}</table:table-row>", text_cell("Period:"), text_cell(&period.to_string()));
    content.push_str("<table:table-row>");
    for h in OWN_HEADERS {
        content.push_str(&text_cell(h));
    }
    content.push_str("</table:table-row>");
    for row in rows {
        content.push_str("<table:table-row>");
        for value in own_cells(row) {
            match value {
                Some(FilledValue::Text(s)) => content.push_str(&text_cell(&s)),
                Some(FilledValue::Number(n)) => {
                    let _ = write!(
                        content,
                        r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
                    );
                }
                Some(FilledValue::Date(d)) => {
                    let _ = write!(
                        content,
                        r#"<table:table-cell office:value-type="date" office:date-value="{}"><text:p>{}</text:p></table:table-cell>"#,
                        d.format("%Y-%m-%d"),
                        d.format("%d/%m/%Y")
                    );
                }
                None => content.push_str("<table:table-cell/>"),
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
        r#"</manifest:manifest>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
    zip.start_file("META-INF/manifest.xml", deflated)?;
    zip.write_all(manifest.as_bytes())?;
    zip.start_file("content.xml", deflated)?;
    zip.write_all(content.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

// ---------------------------------------------------------------------------
// History: the real pipeline for an earlier quarter
// ---------------------------------------------------------------------------

/// Reads a quarter's returns, merges them and writes what the csv renderer
/// makes (`progress.csv`, the history a later build reads) into
/// `output/<quarter>/`. Without a csv renderer in this build, says so.
fn run_pipeline(
    plan: &Plan,
    period: Period,
    previous: Option<&PreviousPeriod>,
    returns: &Path,
    templates: &Templates,
    out: &Path,
) -> anyhow::Result<Progress> {
    let read = read_returns(returns, plan, &ReadOptions { period: Some(period), limits: Default::default() });
    let progress =
        merge(&MergeInput { plan, period, read: &read, previous, produced: period.end(), deadline: period.end(), extra_diagnostics: &[] });
    let forms = FormSettings::new(&Default::default(), period);
    let sentences = Sentences::default();
    let ctx = RenderContext { progress: &progress, plan, templates, forms: &forms, sentences: &sentences };
    match renderers().into_iter().find(|r| r.name() == "csv") {
        Some(csv) => {
            let rendered = csv.render(&ctx).map_err(|e| anyhow::anyhow!("{e}"))?;
            let dir = out.join("output").join(period.slug());
            for file in rendered.files {
                let path = dir.join(&file.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(path, file.bytes)?;
            }
        }
        None => eprintln!("synth: warning: this build has no csv renderer, so no history was written for {period}"),
    }
    Ok(progress)
}

/// The history a later period reads from this one's results.
pub fn history_of(progress: &Progress) -> History {
    let mut history = History::default();
    for action in progress.groups.iter().flat_map(|g| g.actions.iter()) {
        let leads = action.leads.iter().map(|l| (l.agency_id.clone(), PastUpdate::new(l.status(), l.update.clone()))).collect();
        history.actions.insert(action.id.clone(), PastAction { leads, ..PastAction::new(action.overall) });
    }
    history
}

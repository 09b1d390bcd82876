//! The shipped plan matches the seed document, and every kind of plan mistake
//! is reported with its line.

use csp_report::plan::{load_plan, parse_plan, Period, PlanError};
use std::path::Path;

fn shipped() -> csp_report::plan::Plan {
    load_plan(Path::new("input/plan.toml")).expect("the shipped plan loads")
}

#[test]
fn shipped_plan_has_the_seed_groups_and_actions() {
    let plan = shipped();
    let groups: Vec<&str> = plan.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        groups,
        [
            "City Safe",
            "Serious and Organised Crime",
            "Early Intervention",
            "Sexual Offences",
            "Domestic Abuse",
            "Anti-Social Behaviour",
            "Reoffending"
        ]
    );
    let ids: Vec<&str> = plan.actions().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CS1", "CS2", "CS3", "CS4", "CS5", "SOC1", "SOC2", "SOC3", "SOC4", "SOC5", "EI1", "SO1", "SO2", "SO3", "SO4", "DA1", "DA2",
            "DA3", "DA4", "ASB1", "ASB2", "ASB3", "RO1", "RO2", "RO3", "RO4", "RO5"
        ]
    );
    assert_eq!(plan.priorities.len(), 5);
    assert_eq!(plan.priorities[0].evidence[0], "Accounts for 35% of Harm");
}

#[test]
fn shipped_actions_match_the_seed_rows() {
    let plan = shipped();
    // (id, timescale, leads, new) as the seed's delivery plan gives them.
    let expected: &[(&str, &str, &[&str], bool)] = &[
        ("CS1", "March 2019", &["police", "uclan", "pcc", "bid"], true),
        ("CS2", "Ongoing", &["bid", "police", "pcc"], false),
        ("CS3", "Ongoing", &["pcc", "bid"], false),
        ("CS4", "Ongoing", &["probation", "public-health", "treatment-services"], false),
        ("CS5", "Ongoing", &["pcc", "police"], false),
        ("SOC1", "Ongoing", &["police", "genga"], false),
        ("SOC2", "Ongoing", &["lcsc", "police", "probation", "yot"], false),
        ("SOC3", "Ongoing", &["genga", "police", "lcsc"], true),
        ("SOC4", "Ongoing", &["genga", "early-action-team"], false),
        ("SOC5", "Ongoing", &["police", "lcsc", "forum-members"], false),
        ("EI1", "Ongoing", &["cseg-members"], true),
        ("SO1", "Ongoing", &["police", "lcsc", "forum-members"], false),
        ("SO2", "Ongoing", &["opcc", "steering-group-members"], true),
        ("SO3", "Ongoing", &["csp-analyst", "city-safe", "forum-members"], false),
        ("SO4", "Ongoing", &["forum-members", "police"], false),
        ("DA1", "September 2018", &["forum-members"], true),
        ("DA2", "September 2018", &["forum-members"], false),
        ("DA3", "July 2018", &["pcc", "forum-members"], true),
        ("DA4", "Ongoing", &["forum-members"], false),
        ("ASB1", "Ongoing", &["pcc", "police", "cga"], false),
        ("ASB2", "Ongoing", &["pcc", "police", "cga"], false),
        ("ASB3", "Ongoing", &["cfws", "police", "yot"], false),
        ("RO1", "Ongoing", &["probation"], false),
        ("RO2", "Ongoing", &["early-intervention-panel", "treatment-services", "clcrc"], false),
        ("RO3", "September 2018", &["csp-analyst", "clcrc", "task-and-finish-group"], true),
        ("RO4", "April 2019", &["clcrc", "task-and-finish-group"], true),
        ("RO5", "September 2018", &["clcrc"], false),
    ];
    assert_eq!(plan.actions().count(), expected.len());
    for (id, timescale, leads, new) in expected {
        let action = plan.action(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(action.timescale.written, *timescale, "{id}");
        assert_eq!(action.leads, *leads, "{id}");
        assert_eq!(action.new, *new, "{id}");
    }
    let da2 = plan.action("DA2").unwrap();
    assert_eq!(da2.text.matches("Raise awareness").count(), 1, "DA2's repeated sentence is encoded once");
    assert!(!plan.action("CS1").unwrap().text.ends_with("NEW"));
}

#[test]
fn every_lead_is_an_agency_and_same_bodies_share_one() {
    let plan = shipped();
    assert_eq!(plan.find_agency("Probation").unwrap().id, "probation");
    assert_eq!(plan.find_agency("probation services").unwrap().id, "probation");
    assert_eq!(plan.find_agency("PCC").unwrap().name, "Preston City Council");
    assert_eq!(plan.find_agency("OPCC").unwrap().name, "Office of the Police and Crime Commissioner");
    assert_eq!(plan.find_agency("CSC").unwrap().id, "lcsc");
    assert_eq!(plan.find_agency("task and finish group").unwrap().id, "task-and-finish-group");
    assert!(plan.find_agency("").is_none() && plan.find_agency(" – ").is_none(), "no text names no agency");
    assert_eq!(plan.lead_agencies().count(), plan.agencies.len(), "every declared agency leads something");
    assert!(plan.glossary.iter().any(|g| g.term == "MARAC"));
}

#[test]
fn groups_report_under_strategic_priorities_through_their_tags() {
    let plan = shipped();
    let names = |pid: &str| plan.groups_for_priority(pid).iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        names("sexual-offences"),
        ["city-safe", "serious-organised-crime", "early-intervention", "sexual-offences", "domestic-abuse"]
    );
    assert_eq!(names("reoffending"), ["early-intervention", "reoffending"]);
    assert!(names("anti-social-behaviour").contains(&"anti-social-behaviour".to_string()));
}

const BAD_PLAN: &str = r#"[partnership]
name = "Test CSP"
plan_title = "Plan"
plan_year = "2018-19"

[[priority]]
id = "violent-crime"
name = "Violent Crime"

[[tag]]
id = "violent-crime"
name = "Violent Crime"
priority = "violent-crime"

[[group]]
id = "g"
name = "Group"
priorities = ["violent-crim", "unheard-of"]

[[group.action]]
id = "G1"
text = "Do a thing"
timescale = "Ongoing"
leads = ["police"]

[[group.action]]
id = "G1"
text = "Do another thing"
timescale = "Marchember 2019"
leads = ["polise"]

[[group.action]]
id = "G3"
text = "   "
timescale = "March 2019"
leads = ["police"]

[[agency]]
id = "police"
name = "Police"
"#;

#[test]
fn a_plan_with_mistakes_lists_every_one_by_line() {
    let Err(PlanError::Invalid { problems, .. }) = parse_plan(BAD_PLAN, "plan.toml") else { panic!("bad plan accepted") };
    let shown: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    let has = |line: usize, code: &str, words: &str| {
        assert!(
            shown.iter().any(|s| s.starts_with(&format!("plan.toml › line {line}:")) && s.contains(code) && s.contains(words)),
            "no {code} on line {line} with {words:?} in:\n{}",
            shown.join("\n")
        )
    };
    has(18, "plan-unknown-tag", "did you mean \"violent-crime\"?");
    has(18, "plan-unknown-tag", "\"unheard-of\"");
    has(27, "plan-duplicate-id", "first on line 21");
    has(29, "plan-bad-timescale", "Marchember 2019");
    has(30, "plan-unknown-lead", "did you mean \"police\"?");
    has(34, "plan-empty-action", "G3");
    assert_eq!(problems.len(), 6, "{}", shown.join("\n"));
}

#[test]
fn a_syntax_error_names_its_line() {
    let Err(PlanError::Invalid { problems, .. }) = parse_plan("[partnership]\nname = \"x\nplan_title = 1\n", "p.toml") else { panic!() };
    assert!(problems[0].to_string().starts_with("p.toml › line 2"), "{}", problems[0]);
}

#[test]
fn unknown_fields_are_rejected() {
    let text = BAD_PLAN.replace("plan_year = \"2018-19\"", "plan_year = \"2018-19\"\nplan_yeer = 1");
    let Err(PlanError::Invalid { problems, .. }) = parse_plan(&text, "p.toml") else { panic!() };
    assert!(problems[0].message.contains("plan_yeer"), "{}", problems[0]);
}

#[test]
fn periods_parse_in_the_accepted_forms() {
    assert_eq!("FY2018-19 Q3".parse::<Period>().unwrap().to_string(), "2018-19 Q3");
}

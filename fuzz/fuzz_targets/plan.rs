//! Loading a plan from arbitrary text: `parse_plan` must return a plan or a
//! list of problems, never panic; a plan it accepts must find each of its actions by id
//! and list its lead agencies' actions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(plan) = csp_report::plan::parse_plan(&text, "input/plan.toml") {
        assert!(!plan.hash.is_empty());
        for action in plan.actions() {
            assert!(plan.action(&action.id).is_some(), "action {:?} cannot be found by its own id", action.id);
        }
        for agency in plan.lead_agencies() {
            let _ = plan.actions_led_by(&agency.id).count();
        }
    }
});

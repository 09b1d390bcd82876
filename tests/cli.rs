//! The binary end to end: what a coordinator sees and the exit codes
//! (0 success, 1 problems in the data, 2 usage or I/O error).

use assert_cmd::Command;
use predicates::prelude::*;

fn csp() -> Command {
    let mut cmd = Command::cargo_bin("csp-report").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("NO_COLOR").env_remove("SOURCE_DATE_EPOCH");
    cmd
}

#[test]
fn plan_prints_the_whole_plan_and_exits_0() {
    csp()
        .arg("plan")
        .assert()
        .success()
        .stdout(predicate::str::contains("Preston Community Safety Partnership"))
        .stdout(predicate::str::contains("7 action groups, 27 actions, 22 lead agencies"))
        .stdout(predicate::str::contains("RO5"))
        .stdout(predicate::str::contains("No deadlines fall in 2018-19 Q3."));
}

#[test]
fn plan_lists_deadlines_in_the_period() {
    csp()
        .args(["plan", "--period", "2018-19 Q2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deadlines falling in 2018-19 Q2: DA1 (September 2018), DA2 (September 2018), DA3 (July 2018)"));
}

#[test]
fn an_invalid_plan_exits_1_with_every_problem_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/input/plan.toml"))
        .unwrap()
        .replacen("timescale = \"March 2019\"", "timescale = \"Marchh 2019\"", 1)
        .replacen("leads = [\"bid\", \"police\", \"pcc\"]", "leads = [\"bid\", \"polise\", \"pcc\"]", 1);
    let slip_line = text.lines().position(|l| l.contains("Marchh")).unwrap() + 1;
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, text).unwrap();
    csp()
        .args(["plan", "--plan"])
        .arg(&plan)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(format!("plan.toml › line {slip_line}: error [plan-bad-timescale]"))
                .and(predicate::str::contains("Marchh 2019")),
        )
        .stderr(predicate::str::contains("\"polise\" is not a known agency (did you mean \"police\"?)"))
        .stderr(predicate::str::contains("2 problems"));
}

#[test]
fn a_bad_period_is_a_usage_error_with_an_example() {
    csp().args(["plan", "--period", "Q3 2018"]).assert().code(2).stderr(predicate::str::contains("2018-19 Q3"));
}

#[test]
fn a_missing_plan_file_is_an_io_error() {
    csp().args(["plan", "--plan", "no/such/plan.toml"]).assert().code(2).stderr(predicate::str::contains("no/such/plan.toml"));
}

#[test]
fn unknown_arguments_exit_2_and_help_exits_0() {
    csp().arg("--no-such-flag").assert().code(2);
    csp().arg("--help").assert().success().stdout(predicate::str::contains("forms").and(predicate::str::contains("build")));
    csp().args(["build", "--help"]).assert().success().stdout(predicate::str::contains("Example"));
}

#[test]
fn no_colour_when_not_a_terminal_or_no_color_is_set() {
    csp().args(["plan", "--plan", "missing.toml"]).assert().code(2).stderr(predicate::str::contains("\x1b[").not());
    csp()
        .args(["--color", "always", "plan", "--plan", "missing.toml"])
        .env("NO_COLOR", "1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\x1b[").not());
    csp().args(["--color", "always", "plan", "--plan", "missing.toml"]).assert().code(2).stderr(predicate::str::contains("\x1b["));
}

#[test]
fn quiet_silences_messages_but_not_errors() {
    csp().args(["--quiet", "plan", "--plan", "missing.toml"]).assert().code(2).stderr(predicate::str::contains("error"));
}

/// A coordinator on Windows types paths with drive letters, backslashes and
/// spaces: messages show each exactly as typed (checked on Linux too, where
/// such a path is simply one that does not exist).
#[test]
fn paths_in_messages_are_shown_as_typed() {
    let returns = r"C:\Users\Zoë\OneDrive - Lancashire\CSP returns\2018-19 Q3";
    csp()
        .args(["validate", "--returns", returns])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("the returns folder {returns} does not exist or is not a folder")));
    let plan = r".\input\my plans\plan 2018.toml";
    csp().args(["plan", "--plan", plan]).assert().code(2).stderr(predicate::str::contains(plan));
}

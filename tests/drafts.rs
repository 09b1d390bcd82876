//! Forms and reminders as email drafts: `forms` writes `forms/<agency>.eml`
//! beside each form and `build` writes `reminders/<agency>.eml` beside each
//! reminder. Each draft is read back by Python's `email` package (an
//! independent parser): the headers (To the agency's contact, Subject,
//! X-Unsent), the body from the template, and the attachment's bytes equal
//! to the form.

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Reads .eml files with Python's email package (policy.default), as JSON.
const PARSE: &str = r#"
import email, hashlib, json, sys
from email import policy
out = []
for path in sys.argv[1:]:
    msg = email.message_from_bytes(open(path, 'rb').read(), policy=policy.default)
    body = msg.get_body(preferencelist=('plain',))
    out.append({
        'path': path,
        'to': [a.addr_spec for a in msg['To'].addresses] if msg['To'] else [],
        'to_names': [a.display_name for a in msg['To'].addresses] if msg['To'] else [],
        'subject': str(msg['Subject']),
        'unsent': msg['X-Unsent'],
        'date': str(msg['Date']),
        'message_id': str(msg['Message-ID']),
        # Mail is CRLF on the wire; compare text as the coordinator reads it.
        'body': body.get_content().replace('\r\n', '\n') if body is not None else None,
        'attachments': [[a.get_filename(), a.get_content_type(), hashlib.sha256(a.get_payload(decode=True)).hexdigest()] for a in msg.iter_attachments()],
        'defects': [type(d).__name__ for d in msg.defects] + [type(d).__name__ for p in msg.walk() for d in p.defects],
    })
print(json.dumps(out))
"#;

fn parse(paths: &[PathBuf]) -> Vec<Value> {
    let out = std::process::Command::new("python3").arg("-c").arg(PARSE).args(paths).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[path = "support/project_copy.rs"]
mod project_copy;
use project_copy::project_copy;

/// The Preston project, with a contact for two agencies.
fn project() -> tempfile::TempDir {
    let dir = project_copy();
    let plan = std::fs::read_to_string("input/plan.toml").unwrap();
    let plan = plan
        .replacen(
            "id = \"police\"\n",
            "id = \"police\"\ncontact = \"Insp. Rachel Whittle\"\nemail = \"rachel.whittle@police.example\"\n",
            1,
        )
        .replacen("id = \"bid\"\n", "id = \"bid\"\nemail = \"office@bid.example\"\n", 1);
    assert!(plan.contains("rachel.whittle@police.example") && plan.contains("office@bid.example"));
    std::fs::write(dir.path().join("input/plan.toml"), plan).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == ext)).collect();
    files.sort();
    files
}

#[test]
fn forms_and_reminders_are_drafts_that_parse_with_their_forms_attached() {
    let dir = project();
    let out = run(dir.path(), &["forms"]);
    let forms_dir = dir.path().join("output/2018-19-Q3/forms");
    let forms = files_with(&forms_dir, "xlsx");
    let drafts = files_with(&forms_dir, "eml");
    assert_eq!(forms.len(), 22);
    assert_eq!(drafts.len(), forms.len(), "one draft per form");
    assert!(String::from_utf8_lossy(&out.stderr).contains("20 agencies have no contact email"), "{}", String::from_utf8_lossy(&out.stderr));

    let parsed = parse(&drafts);
    for (draft, form) in parsed.iter().zip(&forms) {
        let name = draft["path"].as_str().unwrap();
        assert_eq!(draft["defects"], serde_json::json!([]), "{name}");
        assert_eq!(draft["unsent"], "1", "{name}: Outlook opens it as a new message");
        assert!(draft["subject"].as_str().unwrap().starts_with("Preston CSP quarterly return for 2018-19 Q3: "), "{name}");
        assert!(draft["date"].as_str().unwrap().contains("2018"), "{name}: dated by the forms' stamp, not the clock");
        let form_name = form.file_name().unwrap().to_str().unwrap();
        let attachments = draft["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1, "{name}");
        assert_eq!(attachments[0][0], form_name, "{name}");
        assert_eq!(attachments[0][1], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(attachments[0][2], sha(&std::fs::read(form).unwrap()), "{name}: the attachment is the form, byte for byte");
        let body = draft["body"].as_str().unwrap();
        assert!(
            body.contains("Please find attached")
                && body.contains("Questions about the return: the Community Safety Partnership coordinator"),
            "{name}: {body}"
        );
        assert!(!body.starts_with("Subject:"), "{name}");
    }
    let police = parsed.iter().find(|d| d["path"].as_str().unwrap().ends_with("police.eml")).unwrap();
    assert_eq!(police["to"], serde_json::json!(["rachel.whittle@police.example"]));
    assert_eq!(police["to_names"], serde_json::json!(["Insp. Rachel Whittle"]));
    let body = police["body"].as_str().unwrap();
    assert!(body.starts_with("Dear Insp. Rachel Whittle,"), "{body}");
    assert!(body.contains("CS1: ") && body.contains("You lead 12 actions"), "{body}");
    let bid = parsed.iter().find(|d| d["path"].as_str().unwrap().ends_with("bid.eml")).unwrap();
    assert_eq!(bid["to"], serde_json::json!(["office@bid.example"]));
    assert_eq!(bid["to_names"], serde_json::json!(["Preston Business Improvement District"]), "no contact name: the agency's name");
    assert!(bid["body"].as_str().unwrap().starts_with("Dear colleague,"));
    let uclan = parsed.iter().find(|d| d["path"].as_str().unwrap().ends_with("uclan.eml")).unwrap();
    assert_eq!(uclan["to"], serde_json::json!([]), "no email in the plan: To left for the coordinator");

    // Deterministic: the same drafts on a second run.
    let before: Vec<Vec<u8>> = drafts.iter().map(|p| std::fs::read(p).unwrap()).collect();
    run(dir.path(), &["forms"]);
    let after: Vec<Vec<u8>> = drafts.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(before == after, "forms' drafts are byte-identical run to run");

    // The build's reminders: a draft per reminder, with the same words and the agency's form.
    run(dir.path(), &["build"]);
    let reminders_dir = dir.path().join("output/2018-19-Q3/reminders");
    let texts = files_with(&reminders_dir, "txt");
    let emls = files_with(&reminders_dir, "eml");
    assert!(!texts.is_empty());
    assert_eq!(emls.iter().map(|p| p.with_extension("txt")).collect::<Vec<_>>(), texts, "a draft beside each reminder, and the .txt kept");
    for (draft, text) in parse(&emls).iter().zip(&texts) {
        let name = draft["path"].as_str().unwrap();
        let text = std::fs::read_to_string(text).unwrap();
        let subject_line = text.lines().next().unwrap();
        assert_eq!(format!("Subject: {}", draft["subject"].as_str().unwrap()), subject_line, "{name}");
        let body = draft["body"].as_str().unwrap();
        let rest = text.split_once("\n\n").unwrap().1;
        let rest = rest.strip_prefix(&format!("{}\n\n", rest.lines().next().unwrap())).unwrap();
        assert_eq!(body, rest, "{name}: the body is the reminder without its Subject and To lines");
        assert_eq!(draft["unsent"], "1");
        let stem = Path::new(name).file_stem().unwrap().to_str().unwrap();
        let form = forms_dir.join(format!("return-2018-19-Q3-{stem}.xlsx"));
        assert_eq!(draft["attachments"][0][2], sha(&std::fs::read(&form).unwrap()), "{name}: its form attached");
    }
    let public_health = parse(&[reminders_dir.join("public-health.eml")]);
    assert!(public_health[0]["body"].as_str().unwrap().contains("We have not yet received your quarterly return"));
}

#[test]
fn reminders_without_forms_are_drafts_without_attachments() {
    let dir = project();
    let out = run(dir.path(), &["build"]);
    let reminders_dir = dir.path().join("output/2018-19-Q3/reminders");
    let emls = files_with(&reminders_dir, "eml");
    assert!(!emls.is_empty());
    for draft in parse(&emls) {
        assert_eq!(draft["attachments"], serde_json::json!([]));
        assert_eq!(draft["defects"], serde_json::json!([]));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no form attached: run `csp-report forms` first"), "{stderr}");
}

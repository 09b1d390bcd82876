//! Email drafts: the forms and reminders as `.eml` messages the coordinator
//! opens in their mail client and sends. Owns the message format, written by
//! `mail-builder` (no hand-made MIME): To the agency's contact where the plan
//! gives one, a Subject, a plain-text body from a template, the form
//! attached, and `X-Unsent: 1`, which Outlook reads as "a new message, ready
//! to send". Nothing is sent. Drafts are deterministic: the date, the
//! Message-ID and the MIME boundary come from the content, never the clock.

use crate::plan::Agency;
use chrono::NaiveDate;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;
use mail_builder::MessageBuilder;
use sha2::{Digest, Sha256};

/// The media type of an `.xlsx` workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file attached to a draft.
#[derive(Debug, Clone, Copy)]
pub struct Attachment<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// One message to write.
#[derive(Debug, Clone, Copy)]
pub struct EmailDraft<'a> {
    /// The agency it goes to: addressed to its contact's email, when the
    /// plan gives one (else To is left for the coordinator to fill in).
    pub agency: &'a Agency,
    pub subject: &'a str,
    pub body: &'a str,
    pub attachment: Option<Attachment<'a>>,
    /// The day the draft is dated (the forms' stamp, the report's date).
    pub date: NaiveDate,
}

impl EmailDraft<'_> {
    /// Whether the draft has an addressee.
    pub fn is_addressed(&self) -> bool {
        self.agency.contact.email.is_some()
    }

    /// The message as RFC 5322 bytes.
    pub fn to_eml(&self) -> Vec<u8> {
        let mut seed = Sha256::new();
        for part in [self.agency.id.as_bytes(), self.subject.as_bytes(), self.body.as_bytes()] {
            seed.update((part.len() as u64).to_le_bytes());
            seed.update(part);
        }
        if let Some(a) = &self.attachment {
            seed.update(a.file_name.as_bytes());
            seed.update(a.bytes);
        }
        let seed: String = seed.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect();
        // 09:00 UTC on the day: a working-day time, the same on every run.
        let timestamp = self.date.and_hms_opt(9, 0, 0).expect("a valid time").and_utc().timestamp();
        let mut message = MessageBuilder::new()
            .header("X-Unsent", Raw::new("1"))
            .message_id(format!("{seed}@csp-report.invalid"))
            .date(timestamp)
            .subject(self.subject);
        if let Some(email) = &self.agency.contact.email {
            let name = self.agency.contact.name.as_deref().unwrap_or(&self.agency.name);
            message = message.to(Address::new_address(Some(name), email.as_str()));
        }
        let text = MimePart::new("text/plain", self.body);
        let message = match &self.attachment {
            None => message.body(text),
            Some(a) => message.body(MimePart::new(
                // A boundary from the content (base64 and the body never hold it), so drafts are byte-identical run to run.
                ContentType::new("multipart/mixed").attribute("boundary", format!("=_csp-report_{seed}")),
                vec![text, MimePart::new(a.content_type, a.bytes).attachment(a.file_name)],
            )),
        };
        message.write_to_vec().expect("writing to memory cannot fail")
    }
}

/// A rendered email template split into its subject (the first line,
/// `Subject: …`) and its body; a `To: …` line after the subject is dropped,
/// since the draft is addressed to the agency's contact. Leading blank lines
/// of the body are dropped; without a `Subject:` line the whole text is the
/// body and `fallback` the subject.
pub fn split_subject(text: &str, fallback: &str) -> (String, String) {
    let mut lines = text.lines().peekable();
    let subject = match lines.peek().and_then(|l| l.strip_prefix("Subject:")) {
        Some(subject) => {
            let subject = subject.trim().to_string();
            lines.next();
            subject
        }
        None => return (fallback.to_string(), text.trim_start_matches('\n').to_string()),
    };
    while lines.peek().is_some_and(|l| l.trim().is_empty()) {
        lines.next();
    }
    if lines.peek().is_some_and(|l| l.starts_with("To:")) {
        lines.next();
    }
    while lines.peek().is_some_and(|l| l.trim().is_empty()) {
        lines.next();
    }
    let mut body: String = lines.collect::<Vec<_>>().join("\n");
    body.push('\n');
    (subject, body)
}

/// The draft's file name beside a `.txt` or a form: `police.eml`.
pub fn eml_name(stem: &str) -> String {
    format!("{stem}.eml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_line_and_to_line_are_taken_off_the_body() {
        let (subject, body) = split_subject("Subject: Your return\n\nTo: Police\n\nDear colleague,\n\nThanks\n", "x");
        assert_eq!(subject, "Your return");
        assert_eq!(body, "Dear colleague,\n\nThanks\n");
        let (subject, body) = split_subject("Dear colleague\n", "Fallback");
        assert_eq!((subject.as_str(), body.as_str()), ("Fallback", "Dear colleague\n"));
    }
}

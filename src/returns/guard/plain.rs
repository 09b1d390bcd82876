//! The guard's quick reading of XML held in memory: the start, empty and end
//! tags quick-xml's reader would give for the same bytes, without the text
//! between them, or word that the part is not plain and must be read by
//! quick-xml itself. Spreadsheet programs write worksheets and shared strings
//! as tags and text only, so a return's parts are nearly always plain; for
//! them this does about a tenth of the work of quick-xml's reader, which
//! was two thirds of the guard (most of its cost is events for the text and
//! checks on every chunk of it, where this checks the whole part once).
//!
//! It finds each tag's end and builds its event exactly as quick-xml 0.42
//! does (`ElementParser`, `emit_start`, `emit_end`), so the guard's scans
//! parse the same names and attributes with quick-xml's own code. It keeps
//! every check quick-xml's reader makes, or is stricter:
//! - the part must be UTF-8 (quick-xml checks each chunk it returns);
//! - every `&` must close with `;` before the next `&` or `<`, inside tags
//!   too (quick-xml checks it in text only);
//! - end tags must match the open start tag, as `check_end_names` asks;
//! - comments, CDATA, a DOCTYPE (`<!`) and a `<` at the very end are
//!   never plain; processing instructions are skipped as quick-xml reads
//!   them.
//!
//! Where quick-xml would return an error, or this is not sure it would not,
//! [`NotPlain`] is returned, and the guard reads the part again with
//! quick-xml from its start, so what is refused, and the message that says
//! why, never depends on which reader ran. `tests` hold a property test that
//! every event stream this accepts is quick-xml's, event for event.

use quick_xml::events::{BytesEnd, BytesStart, Event};

/// The part is not plain: quick-xml must read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NotPlain;

impl std::fmt::Display for NotPlain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not plain XML")
    }
}

/// The tags of a plain part, in order.
pub(super) struct Tags<'a> {
    /// What is left to read, as text (the whole part is checked as UTF-8 at
    /// the start, and every cut is at an ASCII byte).
    rest: &'a str,
    /// The names of the start tags still open, innermost last.
    open: Vec<&'a str>,
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

impl<'a> Tags<'a> {
    /// The reader for `bytes`, or [`NotPlain`] when the part as a whole
    /// fails a check quick-xml makes on its pieces.
    pub(super) fn new(bytes: &'a [u8]) -> Result<Tags<'a>, NotPlain> {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|_| NotPlain)?;
        if !references_close(bytes) {
            return Err(NotPlain);
        }
        Ok(Tags { rest: text, open: Vec::new() })
    }

    /// The next start, empty or end tag, or `Eof`.
    pub(super) fn next_tag(&mut self) -> Result<Event<'a>, NotPlain> {
        loop {
            let bytes = self.rest.as_bytes();
            let Some(at) = memchr::memchr(b'<', bytes) else {
                self.rest = "";
                return Ok(Event::Eof);
            };
            let markup = &bytes[at..];
            match markup.get(1) {
                None | Some(b'!') => return Err(NotPlain),
                Some(b'?') => {
                    // quick-xml's `PiParser`: up to the first `>` after a `?`.
                    let end = memchr::memchr_iter(b'>', markup).find(|&i| i > 0 && markup[i - 1] == b'?').ok_or(NotPlain)?;
                    if end < 3 {
                        return Err(NotPlain); // `<?>`: quick-xml refuses a PI of 3 bytes or fewer
                    }
                    self.rest = &self.rest[at + end + 1..];
                }
                Some(&second) => {
                    let end = tag_end(markup).ok_or(NotPlain)?;
                    let tag = &self.rest[at..at + end + 1];
                    self.rest = &self.rest[at + end + 1..];
                    if second == b'/' {
                        // `emit_end`: the name between `</` and `>`, less
                        // trailing whitespace, must be the innermost open tag's.
                        let name = tag[2..tag.len() - 1].trim_end_matches(is_xml_whitespace);
                        if self.open.pop() != Some(name) {
                            return Err(NotPlain);
                        }
                        return Ok(Event::End(BytesEnd::new(name)));
                    }
                    // `emit_start`: `<…/>` is empty, `<…>` opens.
                    return Ok(match tag[1..].strip_suffix("/>") {
                        Some(content) => Event::Empty(BytesStart::from_content(content, name_len(content))),
                        None => {
                            let content = &tag[1..tag.len() - 1];
                            let name_len = name_len(content);
                            self.open.push(&content[..name_len]);
                            Event::Start(BytesStart::from_content(content, name_len))
                        }
                    });
                }
            }
        }
    }
}

/// quick-xml's `ElementParser`: the first `>` outside quotes, counted from
/// the tag's `<`. Byte by byte: a tag is a few dozen bytes, shorter than
/// memchr's searches take to set up.
pub(super) fn tag_end(markup: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in markup.iter().enumerate() {
        match quote {
            None if b == b'>' => return Some(i),
            None if b == b'"' || b == b'\'' => quote = Some(b),
            Some(q) if q == b => quote = None,
            _ => {}
        }
    }
    None
}

/// quick-xml's whitespace.
fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\r' | '\n' | '\t')
}

/// quick-xml's `name_len`: a tag's name runs to the first whitespace.
pub(super) fn name_len(content: &str) -> usize {
    content.find(is_xml_whitespace).unwrap_or(content.len())
}

/// Whether every `&` closes with `;` before the next `&` or `<`, as
/// quick-xml's `read_ref` asks of references in text.
pub(super) fn references_close(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'&', bytes)
        .all(|at| memchr::memchr3(b';', b'&', b'<', &bytes[at + 1..]).is_some_and(|i| bytes[at + 1 + i] == b';'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every start, empty and end tag quick-xml reads, then `Eof`; `None` on
    /// its first error.
    fn quick_xml_tags(bytes: &[u8]) -> Option<Vec<Event<'_>>> {
        let mut reader = quick_xml::Reader::from_reader(bytes);
        let mut tags = Vec::new();
        loop {
            match reader.read_event() {
                Ok(event @ (Event::Start(_) | Event::Empty(_) | Event::End(_))) => tags.push(event),
                Ok(Event::Eof) => return Some(tags),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    fn plain_tags(bytes: &[u8]) -> Result<Vec<Event<'_>>, NotPlain> {
        let mut tags = Tags::new(bytes)?;
        let mut all = Vec::new();
        loop {
            match tags.next_tag()? {
                Event::Eof => return Ok(all),
                event => all.push(event),
            }
        }
    }

    /// Read plainly, a part gives quick-xml's tags, or is not plain.
    fn agrees(bytes: &[u8]) -> Result<bool, TestCaseError> {
        match plain_tags(bytes) {
            Ok(plain) => {
                let quick = quick_xml_tags(bytes);
                prop_assert_eq!(Some(&plain), quick.as_ref(), "{:?}", String::from_utf8_lossy(bytes));
                Ok(true)
            }
            Err(NotPlain) => Ok(false),
        }
    }

    const SHEET: &str = concat!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ",
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xr:uid=\"{00000000-0001}\">",
        "<dimension ref=\"A1:C3\"/><sheetData><row r=\"1\" spans=\"1:3\">",
        "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s='2' t=\"inlineStr\"><is><t xml:space=\"preserve\">a &amp; b &#8217; &gt; c</t></is></c>",
        "<c r=\"C1\"><f>SUM(A1:B1)&gt;0</f><v>1</v></c></row><row r=\"3\"><c r=\"A3\" s=\"1\"/></row></sheetData>",
        "<x:extLst><x:ext uri=\"{a>b}\"/></x:extLst></worksheet >"
    );

    #[test]
    fn a_worksheet_as_excel_writes_it_is_plain_and_read_as_quick_xml_reads_it() {
        assert!(agrees(SHEET.as_bytes()).unwrap(), "the sheet is plain");
        let tags = plain_tags(SHEET.as_bytes()).unwrap();
        assert_eq!(tags.len(), quick_xml_tags(SHEET.as_bytes()).unwrap().len());
        let cells = tags.iter().filter(|e| matches!(e, Event::Start(s) if s.local_name().as_ref() == "c")).count();
        assert_eq!(cells, 3, "A1, B1 and C1 open with children; A3 is empty");
    }

    #[test]
    fn what_quick_xml_refuses_or_this_cannot_vouch_for_is_not_plain() {
        for bad in [
            "<a><b></a></b>",         // mismatched end
            "</a>",                   // unmatched end
            "<a>x &amp y</a>",        // unclosed reference
            "<a>&</a>",               // lone ampersand
            "<a><!-- <b> --></a>",    // a comment
            "<a><![CDATA[<b>]]></a>", // CDATA
            "<!DOCTYPE a><a/>",       // a DOCTYPE
            "<a b=\"1>",              // unclosed quote
            "<a><",                   // `<` at the end
            "<?>",                    // too short a PI
        ] {
            assert_eq!(plain_tags(bad.as_bytes()), Err(NotPlain), "{bad}");
        }
        assert_eq!(plain_tags(b"<a>\xff</a>"), Err(NotPlain), "not UTF-8");
    }

    /// Bytes that change how XML reads, for the mutations below.
    const MARKUP: &[u8] = b"<>/?!&;\"'= \t\r\n:x-";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn whatever_reads_plainly_reads_as_quick_xml_reads_it(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u8..3), 1..6),
        ) {
            let mut bytes = SHEET.as_bytes().to_vec();
            for (at, with, how) in edits {
                let at = at.index(bytes.len() + 1);
                let byte = *with.get(MARKUP);
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 if at < bytes.len() => { bytes.remove(at); }
                    _ => bytes.insert(at, byte),
                }
            }
            agrees(&bytes)?;
        }

        #[test]
        fn short_runs_of_markup_read_as_quick_xml_reads_them(
            bytes in prop::collection::vec(prop::sample::select(b"<>/?!&;\"'= ab".to_vec()), 0..24),
        ) {
            agrees(&bytes)?;
        }
    }
}

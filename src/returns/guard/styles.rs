//! The workbook's styles as the stored copy holds them: without the fonts,
//! fills and borders, when it can be sure that calamine reads every value,
//! date and error of the workbook from the rest exactly as it did from
//! the whole.
//!
//! calamine 0.38 parses the whole of `xl/styles.xml` on opening a workbook:
//! each font, fill and border, then each cell format built from them. The
//! returns reader asks only whether a number is a date, which calamine
//! decides from the number formats (`numFmts`) and each cell format's
//! `numFmtId` (`cellXfs`); fonts, fills and borders only dress the styles
//! it never asks for. Parsing them was an eighth of a reader child's work
//! on a return, and more on a workbook a person had formatted.
//!
//! So the three sections are cut from the copy, and calamine's reading of
//! what is left is the same: its loop over the styles sees the same events
//! but those inside the cut sections, and builds the same number formats
//! and cell formats. Its reading could only differ where a cut section
//! would have stopped it with an error, or had ended early; a section is
//! cut only when neither can happen:
//! - the part is UTF-8, as declared, and up to the cell formats its tags
//!   read as quick-xml reads them, with nothing quick-xml could refuse or
//!   read otherwise (comments, CDATA, processing instructions), each end
//!   tag naming the element it closes;
//! - the section is a child of the root, a start tag whose end tag closes
//!   it, before the cell formats (nothing after them is cut, so calamine
//!   reads on from there as before);
//! - its text holds only whole references, as quick-xml asks;
//! - no element within it is named as one of the sections calamine looks
//!   for (`fonts`, `fills`, `borders`, `numFmts`, `cellXfs`), so its loops
//!   end where the section ends;
//! - every attribute within it reads as calamine reads attributes (a name,
//!   `=`, a quoted value) and unescapes cleanly.
//!
//! Otherwise the part is copied as it is.

use super::plain;
use std::ops::Range;

/// The sections cut from the copy.
const CUT: [&str; 3] = ["fonts", "fills", "borders"];

/// Every section calamine's loop over the styles looks for.
const LOOKED_FOR: [&str; 5] = ["fonts", "fills", "borders", "numFmts", "cellXfs"];

/// The part without its fonts, fills and borders, or `None` to copy it as
/// it is (nothing to cut, or no certainty that cutting changes nothing).
pub(super) fn trimmed(part: &[u8]) -> Option<Vec<u8>> {
    let cuts = cuts(part)?;
    if cuts.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(part.len());
    let mut from = 0;
    for cut in cuts {
        out.extend_from_slice(&part[from..cut.start]);
        from = cut.end;
    }
    out.extend_from_slice(&part[from..]);
    Some(out)
}

/// Where the sections to cut are (each from the end of the tag before it,
/// so the blank space before it goes too), or `None` if any cannot be.
///
/// A walk of the tags as quick-xml finds them, up to the cell formats
/// (calamine reads on from there exactly as before, since nothing after is
/// cut): each `<` starts a tag, which ends at the first `>` outside quotes.
/// Stricter than quick-xml: no comments, CDATA, DOCTYPE or processing
/// instructions but the declaration, every end tag names the element it
/// closes, and the whole part is UTF-8 (as it must be for the declared
/// encoding, which must be UTF-8 or none).
fn cuts(part: &[u8]) -> Option<Vec<Range<usize>>> {
    let text = std::str::from_utf8(part).ok()?;
    let mut at = declaration_end(text)?;
    let mut open: Vec<&str> = Vec::new();
    let mut cuts = Vec::new();
    // The cut being read: where it starts.
    let mut cutting: Option<usize> = None;
    while let Some(lt) = memchr::memchr(b'<', &part[at..]) {
        let tag = &part[at + lt..];
        let end = at
            + lt
            + match tag.get(1)? {
                b'!' | b'?' => return None,
                b'/' => memchr::memchr(b'>', tag)?,
                _ => plain::tag_end(tag)?,
            };
        // Every cut is at an ASCII `<` or `>`.
        let content = &text[at + lt + 1..end];
        if let Some(name) = content.strip_prefix('/') {
            if open.pop()? != name.trim_ascii_end() {
                return None;
            }
            if open.len() == 1 {
                if let Some(start) = cutting.take() {
                    cuts.push(start..end + 1);
                }
            }
        } else {
            let (content, empty) = content.strip_suffix('/').map_or((content, false), |c| (c, true));
            let (name, attributes) = content.split_at(plain::name_len(content));
            if name.is_empty() {
                return None;
            }
            let local = name.split_once(':').map_or(name, |(_, local)| local);
            if cutting.is_some() {
                if LOOKED_FOR.contains(&local) || !attributes_read_cleanly(attributes) {
                    return None;
                }
            } else if open.len() == 1 && !empty && CUT.contains(&local) {
                if !attributes_read_cleanly(attributes) {
                    return None;
                }
                cutting = Some(at);
            } else if open.len() == 1 && local == "cellXfs" {
                break;
            }
            if !empty {
                open.push(name);
            }
        }
        at = end + 1;
    }
    // A section cut must close, and its text hold only whole references
    // (quick-xml refuses an `&` that does not end with `;`).
    (cutting.is_none() && cuts.iter().all(|cut| plain::references_close(&part[cut.clone()]))).then_some(cuts)
}

/// Where the XML declaration ends (0 if there is none), or `None` if it
/// declares an encoding other than UTF-8.
fn declaration_end(text: &str) -> Option<usize> {
    if !text.starts_with("<?xml") {
        return Some(0);
    }
    let end = text.find("?>")? + 2;
    let declaration = text[..end].to_ascii_lowercase();
    match declaration.find("encoding") {
        None => Some(end),
        Some(at) => declaration[at..].contains("utf-8").then_some(end),
    }
}

/// Whether a tag's attributes (what follows its name) read as calamine's
/// `RawAttrIter` reads them, with no error (each a name, `=`, then a value
/// in quotes), and each value unescapes as calamine's `decode_attr` would
/// unescape it.
fn attributes_read_cleanly(attributes: &str) -> bool {
    // Every cut is at an ASCII `=` or quote.
    let mut rest = attributes;
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            return true;
        }
        let Some(eq) = memchr::memchr(b'=', rest.as_bytes()) else { return false };
        rest = rest[eq + 1..].trim_ascii_start();
        let quote = match rest.as_bytes().first() {
            Some(&quote @ (b'"' | b'\'')) => quote,
            _ => return false,
        };
        let value = &rest[1..];
        let end = memchr::memchr(quote, value.as_bytes()).unwrap_or(value.len());
        // Without an `&` a value unescapes to itself.
        if value[..end].contains('&') && quick_xml::escape::unescape(&value[..end]).is_err() {
            return false;
        }
        rest = value.get(end + 1..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

    fn styles(body: &str) -> Vec<u8> {
        format!("{HEAD}{body}</styleSheet>").into_bytes()
    }

    #[test]
    fn fonts_fills_and_borders_are_cut_and_the_number_formats_kept() {
        let part = styles(
            r#"<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<fonts count="1"><font><b/><sz val="11"/><name val="Arial &amp; Co"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/></border></borders>
<cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="164" fontId="0" applyNumberFormat="1"/></cellXfs>"#,
        );
        let cut = String::from_utf8(trimmed(&part).unwrap()).unwrap();
        assert_eq!(
            cut,
            format!(
                r#"{HEAD}<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="164" fontId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            )
        );
    }

    #[test]
    fn a_part_it_cannot_vouch_for_is_copied_as_it_is() {
        let cases = [
            // Nothing to cut.
            r#"<cellXfs count="1"><xf numFmtId="0"/></cellXfs>"#,
            // An attribute calamine would stop at: no `=`, no quotes.
            r#"<fonts><font><name val/></font></fonts>"#,
            r#"<fonts><font><name val=Arial/></font></fonts>"#,
            // A value calamine cannot unescape.
            r#"<fonts><font><name val="Arial &nbsp; Co"/></font></fonts>"#,
            // A section calamine looks for, inside one cut: its loops would
            // end elsewhere.
            r#"<fonts><font><fonts/></font></fonts>"#,
            r#"<fills><fill><x:cellXfs xmlns:x="a"/></fill></fills>"#,
            // A comment: not plain.
            r#"<fonts><!-- x --><font/></fonts>"#,
            // Mismatched or missing end tags: not plain, or never closed.
            r#"<fonts><font></fill></fonts>"#,
        ];
        for body in cases {
            assert_eq!(trimmed(&styles(body)), None, "{body}");
        }
        // A section left open at the end.
        assert_eq!(trimmed(format!("{HEAD}<fonts><font/>").as_bytes()), None);
        // A reference quick-xml would refuse, in a section or before it.
        assert_eq!(trimmed(&styles("<fonts><font>&amp</font></fonts>")), None);
        assert_eq!(trimmed(&styles("&amp<fonts><font/></fonts>")), None);
        // Another encoding declared, or a byte order mark before the declaration.
        let latin = r#"<?xml version="1.0" encoding="windows-1252"?><styleSheet><fonts><font/></fonts></styleSheet>"#;
        assert_eq!(trimmed(latin.as_bytes()), None);
        assert_eq!(trimmed(&[b"\xEF\xBB\xBF".as_slice(), &styles("<fonts><font/></fonts>")].concat()), None);
        // Not UTF-8.
        assert_eq!(
            trimmed(
                &styles("<fonts><font><name val=\"Caf\u{e9}\"/></font></fonts>")
                    .iter()
                    .map(|&b| if b == 0xC3 { 0xE9 } else { b })
                    .collect::<Vec<_>>()
            ),
            None
        );
        // The same, well formed, is cut.
        assert!(trimmed(&styles("<fonts><font>&amp;</font></fonts><fills><fill><name val=\"Caf\u{e9}\"/></fill></fills>")).is_some());
    }

    #[test]
    fn only_children_of_the_root_are_cut() {
        let part = styles(r#"<dxfs count="1"><dxf><fonts/><fill><patternFill/></fill></dxf></dxfs><fills><fill/></fills>"#);
        let cut = String::from_utf8(trimmed(&part).unwrap()).unwrap();
        assert_eq!(cut, format!(r#"{HEAD}<dxfs count="1"><dxf><fonts/><fill><patternFill/></fill></dxf></dxfs></styleSheet>"#));
    }
}

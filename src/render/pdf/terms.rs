//! The terms a document uses: which of the plan's glossary entries appear
//! in a document's text (so its glossary lists exactly those), and which
//! terms in capitals appear that the glossary does not define (so the build
//! can warn that readers will meet an unexplained abbreviation).

use super::layout::Block;
use super::text::Span;
use crate::plan::GlossaryEntry;
use std::collections::BTreeSet;

/// Words in capitals that need no glossary entry: they are the report's own
/// markers, or English every reader knows.
const PLAIN_CAPITALS: &[&str] = &["NEW", "ID", "UK", "OK", "PDF", "CSV", "TBC", "N/A", "AND", "THE", "OF", "TO", "IN", "NOT"];

/// Every piece of text in the blocks, in order.
fn texts(blocks: &[Block]) -> Vec<&str> {
    fn spans<'a>(spans: &'a [Span], out: &mut Vec<&'a str>) {
        out.extend(spans.iter().map(|s| s.text.as_str()));
    }
    let mut out: Vec<&str> = Vec::new();
    for block in blocks {
        match block {
            Block::Heading { text, .. } => out.push(text),
            Block::Paragraph(p) => spans(&p.spans, &mut out),
            Block::Bullets { items, .. } => items.iter().for_each(|i| spans(i, &mut out)),
            Block::KeyValues { rows, .. } => {
                for (key, value) in rows {
                    out.push(key);
                    spans(value, &mut out);
                }
            }
            Block::Table(t) => {
                out.extend(t.columns.iter().map(|c| c.header.as_str()));
                for cell in t.rows.iter().flatten() {
                    cell.paragraphs.iter().for_each(|p| spans(p, &mut out));
                }
            }
            Block::Grouped(t) => {
                out.extend(t.columns.iter().map(|c| c.header.as_str()));
                for group in &t.groups {
                    for (_, cell) in &group.band.cells {
                        cell.paragraphs.iter().for_each(|p| spans(p, &mut out));
                    }
                    for cell in group.rows.iter().flatten() {
                        cell.paragraphs.iter().for_each(|p| spans(p, &mut out));
                    }
                }
            }
            Block::Chart(c) => {
                out.extend(c.rows.iter().map(|r| r.label.as_str()));
                out.extend(c.series.iter().map(|s| s.label.as_str()));
            }
            Block::Spacer(_) | Block::PageBreak(_) | Block::Contents { .. } => {}
        }
    }
    out
}

/// The words of a text: runs of letters, digits, `&` and `/` (so "N/A" and
/// "A&E" stay whole).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '&' || c == '/')).filter(|w| !w.is_empty())
}

/// Whether `term` occurs in `text` as whole words (a plural s allowed after
/// a term in capitals).
pub(crate) fn occurs(text: &str, term: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(term) {
        let start = from + at;
        let end = start + term.len();
        let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        // "PCSOs" uses PCSO: a plural s may follow.
        let rest = text[end..].strip_prefix('s').filter(|_| term.chars().all(char::is_uppercase)).unwrap_or(&text[end..]);
        let after = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

/// The glossary entries the blocks use, in the glossary's order.
pub fn used<'a>(glossary: &'a [GlossaryEntry], blocks: &[Block]) -> Vec<&'a GlossaryEntry> {
    let texts = texts(blocks);
    glossary.iter().filter(|g| texts.iter().any(|t| occurs(t, &g.term))).collect()
}

/// Terms in capitals (two letters or more, no digits, so action ids such as
/// CS1 are not terms) that the blocks use and the glossary does not define.
pub fn undefined(glossary: &[GlossaryEntry], blocks: &[Block]) -> BTreeSet<String> {
    let defined: BTreeSet<&str> = glossary.iter().map(|g| g.term.as_str()).collect();
    let mut out = BTreeSet::new();
    let capital = |c: char| c.is_uppercase() || c == '&' || c == '/';
    for text in texts(blocks) {
        // Most words begin in lower case: those are not looked at further.
        for word in words(text).filter(|w| w.chars().next().is_some_and(capital)) {
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let capitals = word.chars().all(capital);
            if letters >= 2 && capitals && !defined.contains(word) && !PLAIN_CAPITALS.contains(&word) {
                out.insert(word.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::layout::para;

    fn entry(term: &str) -> GlossaryEntry {
        GlossaryEntry { term: term.into(), meaning: "m".into() }
    }

    #[test]
    fn a_term_is_used_only_as_a_whole_word() {
        let glossary = vec![entry("ASB"), entry("CSE"), entry("MASH"), entry("Genga")];
        let blocks = vec![para(vec![Span::plain("ASB patrols with the CSEG, two MASHs and Genga.")])];
        let used: Vec<&str> = used(&glossary, &blocks).iter().map(|g| g.term.as_str()).collect();
        assert_eq!(used, vec!["ASB", "MASH", "Genga"]);
    }

    #[test]
    fn capitals_the_glossary_lacks_are_found_but_not_ids_or_plain_words() {
        let glossary = vec![entry("ASB")];
        let blocks = vec![para(vec![Span::plain("ASB and CSEG met; CS1 is NEW. The NRM referral, PSPO and A&E.")])];
        let undefined: Vec<String> = undefined(&glossary, &blocks).into_iter().collect();
        assert_eq!(undefined, vec!["A&E", "CSEG", "NRM", "PSPO"]);
    }
}

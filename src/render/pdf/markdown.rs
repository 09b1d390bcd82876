//! Prose for the PDFs is written as Markdown (in templates): this turns it
//! into layout blocks. Headings, paragraphs, emphasis, strong emphasis and
//! bullet lists are understood; anything else (links, code, HTML) is kept as
//! its plain text. Text from returns never passes through here: documents
//! insert it as plain runs, so a return cannot format the report.

use super::fonts::FontStyle;
use super::layout::{Block, Paragraph, BODY_SIZE};
use super::text::Span;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// Blocks for a piece of Markdown. `base_level` is the outline level of a
/// `#` heading; like every heading it is listed in the contents.
pub fn blocks(markdown: &str, base_level: u8) -> Vec<Block> {
    let mut out = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut bold = 0usize;
    let mut italic = 0usize;
    let mut heading: Option<u8> = None;
    let mut items: Vec<Vec<Span>> = Vec::new();
    let mut list_depth = 0usize;
    let style = |bold: usize, italic: usize| FontStyle { bold: bold > 0, italic: italic > 0 };

    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let n = match level {
                    HeadingLevel::H1 => 0,
                    HeadingLevel::H2 => 1,
                    _ => 2,
                };
                heading = Some(base_level + n);
            }
            Event::End(TagEnd::Heading(_)) => {
                let text: String = spans.drain(..).map(|s| s.text).collect();
                out.push(Block::Heading { level: heading.take().unwrap_or(base_level), text });
            }
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 && !items.is_empty() {
                    out.push(Block::Bullets { items: std::mem::take(&mut items), size: BODY_SIZE });
                }
            }
            Event::End(TagEnd::Item) if !spans.is_empty() => items.push(std::mem::take(&mut spans)),
            Event::End(TagEnd::Paragraph) => {
                if list_depth == 0 && !spans.is_empty() {
                    out.push(Block::Paragraph(Paragraph::new(std::mem::take(&mut spans))));
                } else if list_depth > 0 {
                    spans.push(Span::plain(" "));
                }
            }
            Event::Text(t) | Event::Code(t) => push(&mut spans, &t, style(bold, italic)),
            Event::SoftBreak => push(&mut spans, " ", style(bold, italic)),
            Event::HardBreak => push(&mut spans, "\n", style(bold, italic)),
            _ => {}
        }
    }
    if !spans.is_empty() {
        out.push(Block::Paragraph(Paragraph::new(spans)));
    }
    out
}

/// Appends text, merging with the previous span when the style is the same.
fn push(spans: &mut Vec<Span>, text: &str, style: FontStyle) {
    match spans.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => spans.push(Span { text: text.to_string(), style }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_emphasis_and_lists() {
        let b = blocks("# Summary\n\nThis is **bold** and *soft*.\n\n- one\n- two\n", 1);
        assert_eq!(b.len(), 3);
        assert!(matches!(&b[0], Block::Heading { level: 1, text, .. } if text == "Summary"));
        let Block::Paragraph(p) = &b[1] else { panic!("{b:?}") };
        assert_eq!(p.spans[1], Span { text: "bold".into(), style: FontStyle::BOLD });
        assert_eq!(p.spans[3], Span { text: "soft".into(), style: FontStyle::ITALIC });
        assert!(matches!(&b[2], Block::Bullets { items, .. } if items.len() == 2));
    }

    #[test]
    fn escaped_text_shows_as_written() {
        // The templates' escaping and this reader agree: a lead's words come out as typed.
        let b = blocks(&crate::templates::markdown_escape("*not bold* 1. [x]"), 1);
        let Block::Paragraph(p) = &b[0] else { panic!() };
        assert_eq!(p.spans.iter().map(|s| s.text.as_str()).collect::<String>(), "*not bold* 1. [x]");
        assert!(p.spans.iter().all(|s| s.style == FontStyle::REGULAR));
    }
}

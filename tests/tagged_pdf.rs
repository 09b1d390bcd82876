//! The PDFs as a screen reader and an accessibility auditor meet them
//! (PDF/UA-1), on the shipped Preston example built by the binary: read
//! back with lopdf, the structure tree walked from the catalog, and each
//! page's content stream followed operator by operator, its text decoded
//! through the fonts' ToUnicode maps. What they would check:
//!
//! (The checks that hold for every document run on the year-end review too.)
//!
//! - `pdfinfo` says "Tagged: yes";
//! - nothing is drawn outside marked content that is either an artifact or
//!   belongs to an element of the structure tree;
//! - every artifact says what it is (pagination or layout);
//! - the headings, in order, are the bookmarks and the contents' entries;
//!   the contents' title is its caption, and each entry a reference
//!   holding its link;
//! - every table has one header row, of TH cells with a /Scope, and every
//!   row as many columns as the header (an action's band one cell spanning
//!   them all);
//! - the chart's figure says its figures in words; the Urdu update is
//!   marked as Urdu;
//! - the catalog declares the document tagged, its language, its title
//!   shown, and PDF/UA-1 in its XMP; every page and link is in the parent
//!   tree.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

#[path = "support/example_pdfs.rs"]
mod example_pdfs;
use example_pdfs::{preston, with_year_review};

fn named(name: &str) -> &'static Path {
    preston().iter().find(|p| p.ends_with(name)).unwrap_or_else(|| panic!("no {name}"))
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> &'a Dictionary {
    match object {
        Object::Reference(id) => doc.get_dictionary(*id).expect("a dictionary"),
        Object::Dictionary(d) => d,
        other => panic!("not a dictionary: {other:?}"),
    }
}

fn name(d: &Dictionary, key: &[u8]) -> Option<String> {
    d.get(key).ok().and_then(|o| o.as_name().ok()).map(|n| String::from_utf8_lossy(n).into_owned())
}

fn text(d: &Dictionary, key: &[u8]) -> Option<String> {
    d.get(key).ok().and_then(|o| lopdf::decode_text_string(o).ok())
}

/// A structure element as read back.
#[derive(Debug)]
struct Element {
    role: String,
    lang: Option<String>,
    alt: Option<String>,
    scope: Option<String>,
    /// Columns a cell spans (/ColSpan, 1 when absent).
    colspan: i64,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Marked content: (page, MCID).
    content: Vec<(ObjectId, i64)>,
    /// Annotations it owns (OBJR).
    annotations: Vec<ObjectId>,
}

/// The structure tree, depth first from the root's kids (document order).
struct Tree {
    elements: Vec<Element>,
}

impl Tree {
    fn read(doc: &Document) -> Tree {
        let catalog = doc.catalog().unwrap();
        let root = dict(doc, catalog.get(b"StructTreeRoot").expect("a /StructTreeRoot"));
        assert_eq!(name(root, b"Type").as_deref(), Some("StructTreeRoot"));
        let mut tree = Tree { elements: Vec::new() };
        let kids = root.get(b"K").expect("the root has kids").clone();
        for kid in as_list(&kids) {
            tree.walk(doc, kid, None, None);
        }
        tree
    }

    fn walk(&mut self, doc: &Document, object: &Object, parent: Option<usize>, page: Option<ObjectId>) {
        let d = dict(doc, object);
        let page = d.get(b"Pg").ok().and_then(|p| p.as_reference().ok()).or(page);
        let attributes = d.get(b"A").ok().map(|a| dict(doc, a));
        let index = self.elements.len();
        self.elements.push(Element {
            role: name(d, b"S").expect("every element has /S"),
            lang: d.get(b"Lang").ok().and_then(|l| l.as_str().ok()).map(|l| String::from_utf8_lossy(l).into_owned()),
            alt: text(d, b"Alt"),
            scope: attributes.and_then(|a| name(a, b"Scope")),
            colspan: attributes.and_then(|a| a.get(b"ColSpan").ok()).and_then(|c| c.as_i64().ok()).unwrap_or(1),
            parent,
            children: Vec::new(),
            content: Vec::new(),
            annotations: Vec::new(),
        });
        if let Some(p) = parent {
            self.elements[p].children.push(index);
        }
        let Ok(kids) = d.get(b"K") else { return };
        for kid in as_list(kids) {
            match kid {
                Object::Integer(mcid) => self.elements[index].content.push((page.expect("a page for an MCID"), *mcid)),
                other => {
                    let k = dict(doc, other);
                    match name(k, b"Type").as_deref() {
                        Some("MCR") => {
                            let pg = k.get(b"Pg").ok().and_then(|p| p.as_reference().ok()).or(page).expect("a page");
                            self.elements[index].content.push((pg, k.get(b"MCID").unwrap().as_i64().unwrap()));
                        }
                        Some("OBJR") => self.elements[index].annotations.push(k.get(b"Obj").unwrap().as_reference().unwrap()),
                        _ => self.walk(doc, other, Some(index), page),
                    }
                }
            }
        }
    }

    fn content(&self) -> HashSet<(ObjectId, i64)> {
        self.elements.iter().flat_map(|e| e.content.iter().copied()).collect()
    }

    /// The element and its descendants' marked content, in order.
    fn content_of(&self, index: usize) -> Vec<(ObjectId, i64)> {
        let mut out = self.elements[index].content.clone();
        for &c in &self.elements[index].children {
            out.extend(self.content_of(c));
        }
        out
    }

    fn ancestors(&self, mut index: usize) -> Vec<usize> {
        let mut out = vec![index];
        while let Some(p) = self.elements[index].parent {
            out.push(p);
            index = p;
        }
        out
    }
}

fn as_list(object: &Object) -> Vec<&Object> {
    match object {
        Object::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// A font's ToUnicode map: two-byte code to text.
fn to_unicode(doc: &Document, font: &Dictionary) -> HashMap<u16, String> {
    let mut map = HashMap::new();
    let Ok(reference) = font.get(b"ToUnicode").and_then(|o| o.as_reference()) else { return map };
    let stream = doc.get_object(reference).unwrap().as_stream().unwrap();
    let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    let cmap = String::from_utf8_lossy(&bytes);
    let hex = |s: &str| u32::from_str_radix(s.trim_matches(['<', '>']), 16).unwrap();
    let utf16 = |s: &str| {
        let s = s.trim_matches(['<', '>']);
        let units: Vec<u16> = (0..s.len()).step_by(4).map(|i| u16::from_str_radix(&s[i..i + 4], 16).unwrap()).collect();
        String::from_utf16_lossy(&units)
    };
    let mut section = "";
    for line in cmap.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            section = "char";
        } else if line.ends_with("beginbfrange") {
            section = "range";
        } else if line.starts_with("end") {
            section = "";
        } else {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match (section, parts.as_slice()) {
                ("char", [code, dest]) => {
                    map.insert(hex(code) as u16, utf16(dest));
                }
                ("range", [lo, hi, dest]) if dest.starts_with('<') => {
                    let start = utf16(dest).chars().next().map_or(0, u32::from);
                    for (k, code) in (hex(lo)..=hex(hi)).enumerate() {
                        let c = char::from_u32(start + k as u32).unwrap_or('\u{FFFD}');
                        map.insert(code as u16, c.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    map
}

/// What one page's content stream says: the text of each MCID, the MCIDs
/// used, and the drawing operators found outside both tagged content and
/// artifacts.
#[derive(Default)]
struct PageContent {
    text: BTreeMap<i64, String>,
    /// Arabic-script letters shown in each MCID outside a span marked
    /// `/Lang (ur)`.
    unmarked_urdu: BTreeMap<i64, usize>,
    untagged: Vec<String>,
    artifacts: usize,
    /// Artifacts that do not say whether they are pagination or layout.
    untyped_artifacts: usize,
}

const DRAWING: [&str; 15] = ["Tj", "TJ", "'", "\"", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Do", "sh"];

fn read_page(doc: &Document, page: ObjectId) -> PageContent {
    let fonts: HashMap<Vec<u8>, HashMap<u16, String>> =
        doc.get_page_fonts(page).unwrap().into_iter().map(|(name, font)| (name, to_unicode(doc, font))).collect();
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).expect("decodes");
    // The marked-content stack: (MCID or None, an artifact, ActualText, /Lang).
    let mut stack: Vec<(Option<i64>, bool, bool, Option<String>)> = Vec::new();
    let mut font: Option<&HashMap<u16, String>> = None;
    let mut out = PageContent::default();
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" => {
                let artifact = op.operands[0].as_name().ok() == Some(b"Artifact");
                out.untyped_artifacts += artifact as usize;
                stack.push((None, artifact, false, None))
            }
            "BDC" => {
                let tag = op.operands[0].as_name().unwrap_or(b"");
                let props = op.operands.get(1).and_then(|p| p.as_dict().ok());
                let mcid = props.and_then(|p| p.get(b"MCID").ok()).and_then(|m| m.as_i64().ok());
                let actual = props.and_then(|p| text(p, b"ActualText"));
                if let (Some(actual), Some(mcid)) = (&actual, stack.iter().rev().find_map(|f| f.0)) {
                    out.text.entry(mcid).or_default().push_str(actual);
                }
                let lang = props.and_then(|p| p.get(b"Lang").ok()).and_then(|l| l.as_str().ok());
                let lang = lang.map(|l| String::from_utf8_lossy(l).into_owned());
                let kind = props.and_then(|p| name(p, b"Type"));
                if tag == b"Artifact" && !matches!(kind.as_deref(), Some("Pagination" | "Layout")) {
                    out.untyped_artifacts += 1;
                }
                stack.push((mcid, tag == b"Artifact", actual.is_some(), lang));
                if let Some(mcid) = mcid {
                    out.text.entry(mcid).or_default();
                }
            }
            "EMC" => {
                stack.pop().expect("EMC closes a BMC or BDC");
            }
            "Tf" => font = fonts.get(op.operands[0].as_name().unwrap()),
            operator if DRAWING.contains(&operator) => {
                let mcid = stack.iter().rev().find_map(|f| f.0);
                let artifact = stack.iter().any(|f| f.1);
                if artifact {
                    out.artifacts += 1;
                } else if mcid.is_none() {
                    out.untagged.push(format!("{operator} {:?}", op.operands));
                }
                // Text shown inside an ActualText span is read as the span's text.
                if let (Some(mcid), Some(font), false) = (mcid, font, stack.iter().any(|f| f.2)) {
                    let mut shown = String::new();
                    for operand in &op.operands {
                        for item in as_list(operand) {
                            if let Object::String(bytes, _) = item {
                                for pair in bytes.chunks(2) {
                                    let code = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                                    shown.push_str(font.get(&code).map_or("\u{FFFD}", String::as_str));
                                }
                            }
                        }
                    }
                    let lang = stack.iter().rev().find_map(|f| f.3.as_deref());
                    if lang != Some("ur") {
                        *out.unmarked_urdu.entry(mcid).or_default() += shown.chars().filter(|c| is_arabic(*c)).count();
                    }
                    out.text.entry(mcid).or_default().push_str(&shown);
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "marked content left open at the end of a page");
    out
}

/// A document read back: its tree and each page's content.
struct Read {
    doc: Document,
    tree: Tree,
    pages: Vec<(ObjectId, PageContent)>,
}

impl Read {
    fn new(path: &Path) -> Read {
        let doc = Document::load(path).expect("the PDF parses");
        let tree = Tree::read(&doc);
        let pages = doc.get_pages().into_values().map(|id| (id, read_page(&doc, id))).collect();
        Read { doc, tree, pages }
    }

    /// Arabic-script letters the element shows outside spans marked Urdu.
    fn unmarked_urdu(&self, index: usize) -> usize {
        let by_page: HashMap<ObjectId, &PageContent> = self.pages.iter().map(|(id, c)| (*id, c)).collect();
        self.tree.content_of(index).iter().map(|(page, mcid)| by_page[page].unmarked_urdu.get(mcid).copied().unwrap_or(0)).sum()
    }

    /// The text an element and its descendants show.
    fn text_of(&self, index: usize) -> String {
        let by_page: HashMap<ObjectId, &PageContent> = self.pages.iter().map(|(id, c)| (*id, c)).collect();
        self.tree
            .content_of(index)
            .iter()
            .map(|(page, mcid)| by_page[page].text.get(mcid).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{FB50}'..='\u{FEFF}').contains(&c)
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn pdfinfo_says_every_pdf_is_tagged() {
    if Command::new("pdfinfo").arg("-v").output().is_err() {
        eprintln!("skipped: pdfinfo (poppler-utils) is not installed");
        return;
    }
    for pdf in with_year_review() {
        let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
        let info = String::from_utf8_lossy(&out.stdout);
        let tagged = info.lines().find(|l| l.starts_with("Tagged:")).unwrap_or("");
        assert!(tagged.ends_with("yes"), "{}: {tagged:?}", pdf.display());
    }
}

#[test]
fn everything_drawn_is_tagged_content_or_an_artifact() {
    for pdf in with_year_review() {
        let read = Read::new(pdf);
        let in_tree = read.tree.content();
        let mut used = HashSet::new();
        for (n, (id, page)) in read.pages.iter().enumerate() {
            assert!(page.untagged.is_empty(), "{} page {}: drawn outside marked content: {:?}", pdf.display(), n + 1, page.untagged);
            // The running head and foot at least.
            assert!(page.artifacts >= 4, "{} page {}: {} artifacts", pdf.display(), n + 1, page.artifacts);
            assert_eq!(page.untyped_artifacts, 0, "{} page {}: an artifact without /Type", pdf.display(), n + 1);
            for mcid in page.text.keys() {
                assert!(in_tree.contains(&(*id, *mcid)), "{} page {}: MCID {mcid} is in no structure element", pdf.display(), n + 1);
                used.insert((*id, *mcid));
            }
        }
        // And the tree points at nothing that is not on its page.
        let dangling: Vec<_> = in_tree.difference(&used).collect();
        assert!(dangling.is_empty(), "{}: the tree has content no page has: {dangling:?}", pdf.display());
    }
}

#[test]
fn running_heads_and_page_numbers_are_not_read() {
    let read = Read::new(named("board-report.pdf"));
    let all: String =
        (0..read.tree.elements.len()).filter(|&i| read.tree.elements[i].role == "Document").map(|i| read.text_of(i)).collect();
    assert!(!all.contains("Page 2 of"), "a page number is in the structure");
    assert!(all.contains("Executive summary"));
}

/// Outline entries' titles, in order.
fn bookmarks(doc: &Document) -> Vec<String> {
    fn walk(doc: &Document, first: Option<ObjectId>, out: &mut Vec<String>) {
        let mut next = first;
        while let Some(id) = next {
            let d = doc.get_dictionary(id).unwrap();
            out.push(text(d, b"Title").unwrap());
            walk(doc, d.get(b"First").ok().and_then(|f| f.as_reference().ok()), out);
            next = d.get(b"Next").ok().and_then(|f| f.as_reference().ok());
        }
    }
    let mut out = Vec::new();
    let Ok(outlines) = doc.catalog().unwrap().get(b"Outlines").and_then(|o| o.as_reference()) else { return out };
    let first = doc.get_dictionary(outlines).unwrap().get(b"First").ok().and_then(|f| f.as_reference().ok());
    walk(doc, first, &mut out);
    out
}

#[test]
fn the_headings_are_the_bookmarks_in_order() {
    for pdf in with_year_review() {
        let read = Read::new(pdf);
        let headings: Vec<(String, String)> = (0..read.tree.elements.len())
            .filter(|&i| {
                let role = &read.tree.elements[i].role;
                role.len() == 2 && role.starts_with('H') && role[1..].parse::<u8>().is_ok()
            })
            .map(|i| (read.tree.elements[i].role.clone(), read.text_of(i)))
            .collect();
        let listed: Vec<String> = headings.iter().map(|(_, t)| squeeze(t)).collect();
        let marks: Vec<String> = bookmarks(&read.doc).iter().map(|t| squeeze(t)).collect();
        assert_eq!(listed, marks, "{}", pdf.display());
        let e = &read.tree.elements;
        if let Some(toc) = e.iter().position(|t| t.role == "TOC") {
            // The contents page lists the same headings: each entry is a
            // reference holding the link, read as title then page number.
            let mut entries = Vec::new();
            for &kid in &e[toc].children {
                match e[kid].role.as_str() {
                    "Caption" => assert_eq!(read.text_of(kid).trim(), "Contents"),
                    "TOCI" => {
                        let reference = e[kid].children[0];
                        assert_eq!(e[reference].role, "Reference");
                        let link = e[reference].children[0];
                        assert_eq!(e[link].role, "Link");
                        let text = read.text_of(link);
                        let (title, page) = text.trim().rsplit_once(' ').expect("a title, then its page number");
                        assert!(page.parse::<usize>().is_ok(), "{}: {text}", pdf.display());
                        entries.push(squeeze(title));
                    }
                    other => panic!("{}: {other} in the contents", pdf.display()),
                }
            }
            assert_eq!(entries, listed, "{}: the contents page", pdf.display());
        }
        if pdf.ends_with("board-report.pdf") {
            assert!(marks.len() >= 10, "{marks:?}");
            // A group's section is an H1 with its tables' heading an H2 under it.
            assert!(e.iter().any(|t| t.role == "TOC"), "the board report has a contents page");
            assert!(headings.iter().any(|(r, t)| r == "H2" && t.ends_with(": actions")));
        }
    }
}

#[test]
fn every_table_has_one_header_row_of_scoped_th_cells() {
    let mut tables = 0;
    for pdf in with_year_review() {
        let read = Read::new(pdf);
        let e = &read.tree.elements;
        for (i, table) in e.iter().enumerate().filter(|(_, t)| t.role == "Table") {
            tables += 1;
            let rows = &table.children;
            assert!(!rows.is_empty() && rows.iter().all(|&r| e[r].role == "TR"), "{}: a table without TRs", pdf.display());
            let first = &e[rows[0]].children;
            assert!(!first.is_empty(), "{}: an empty header row", pdf.display());
            for &cell in first {
                assert_eq!(e[cell].role, "TH", "{}: {}", pdf.display(), read.text_of(cell));
                assert_eq!(e[cell].scope.as_deref(), Some("Column"), "{}: {}", pdf.display(), read.text_of(cell));
                assert!(!read.text_of(cell).trim().is_empty());
            }
            // A header repeated on a continued page is not a second header row.
            for &row in &rows[1..] {
                assert!(e[row].children.iter().all(|&c| e[c].role == "TD"), "{} table {i}: a second header row", pdf.display());
            }
            // Each cell sits under its column: every row is as wide as the header.
            let width = |row: usize| -> i64 { e[row].children.iter().map(|&c| e[c].colspan).sum() };
            for &row in rows {
                assert_eq!(width(row), first.len() as i64, "{} table {i}: {}", pdf.display(), read.text_of(row));
            }
        }
    }
    assert!(tables > 20, "{tables} tables");
}

#[test]
fn an_action_split_over_pages_is_read_once() {
    // The board report's action tables run over many pages, rows split
    // between them; within a table each action's id is read in one cell
    // only, however many pages its rows take, and "(continued)" not at all.
    let read = Read::new(named("board-report.pdf"));
    let e = &read.tree.elements;
    let is_id = |t: &str| t.len() <= 6 && t.starts_with(|c: char| c.is_ascii_uppercase()) && t.ends_with(|c: char| c.is_ascii_digit());
    let mut ids = 0;
    // The action tables: "Lead" heads their first column; each action's
    // band is a row of one cell spanning the table, read from its id.
    let action_tables = e.iter().filter(|t| t.role == "Table" && read.text_of(e[t.children[0]].children[0]) == "Lead");
    for table in action_tables {
        let mut seen = HashSet::new();
        for &row in &table.children {
            let band = e[row].children[0];
            if e[band].colspan == 1 {
                continue;
            }
            // The id's letters then its digits (the text after it follows on).
            let whole = read.text_of(band);
            let letters: String = whole.trim().chars().take_while(|c| c.is_ascii_uppercase()).collect();
            let digits: String = whole.trim()[letters.len()..].chars().take_while(|c| c.is_ascii_digit()).collect();
            let text = format!("{letters}{digits}");
            assert!(is_id(&text), "a band that does not start with its action's id: {whole}");
            {
                ids += 1;
                assert!(seen.insert(text.clone()), "{text} is read twice in one table");
            }
        }
    }
    assert!(ids >= 20, "{ids} action ids");
    // The case in point: action tables run over pages, with their header
    // and the current action's band drawn again at the top.
    let running = e.iter().enumerate().filter(|(_, t)| t.role == "Table").any(|(i, _)| {
        let pages: HashSet<ObjectId> = read.tree.content_of(i).iter().map(|(p, _)| *p).collect();
        pages.len() > 1
    });
    assert!(running, "no table of the board report runs over a page");
    let continued: Vec<String> = (0..e.len()).map(|i| read.text_of(i)).filter(|t| t.contains("(continued)")).collect();
    assert!(continued.is_empty(), "\"(continued)\" is read: {continued:?}");
}

#[test]
fn the_chart_is_a_figure_described_in_words() {
    let read = Read::new(named("board-report.pdf"));
    let figures: Vec<&Element> = read.tree.elements.iter().filter(|e| e.role == "Figure").collect();
    assert_eq!(figures.len(), 1);
    let alt = figures[0].alt.as_deref().unwrap_or("");
    assert!(!alt.trim().is_empty(), "the chart has no /Alt");
    // Every group's bar, with its total in words.
    assert!(alt.contains("Domestic Abuse: 1 Complete, 1 Green, 1 Amber, 1 Not started (4 actions, 2 overdue)"), "{alt}");
    assert!(alt.matches(" actions").count() + alt.matches(" action)").count() + alt.matches(" action,").count() >= 7, "{alt}");
}

#[test]
fn the_urdu_update_is_marked_as_urdu() {
    for name in ["board-report.pdf", "groups/domestic-abuse.pdf"] {
        let read = Read::new(named(name));
        let urdu: Vec<usize> = (0..read.tree.elements.len())
            .filter(|&i| read.tree.elements[i].children.is_empty())
            .filter(|&i| read.text_of(i).chars().filter(|c| is_arabic(*c)).count() > 10)
            .collect();
        assert!(!urdu.is_empty(), "{name}: no Urdu text in the structure");
        for i in urdu {
            // Urdu through and through: the element says so. An English
            // update quoting Urdu: the quote is a span marked as Urdu.
            let lang = read.tree.ancestors(i).into_iter().find_map(|a| read.tree.elements[a].lang.clone());
            let unmarked = read.unmarked_urdu(i);
            assert!(lang.as_deref() == Some("ur") || unmarked == 0, "{name}: {unmarked} Urdu letters not marked: {}", read.text_of(i));
        }
    }
}

#[test]
fn the_catalog_declares_a_tagged_titled_pdf_ua_document() {
    for pdf in with_year_review() {
        let doc = Document::load(pdf).unwrap();
        let catalog = doc.catalog().unwrap();
        let mark = dict(&doc, catalog.get(b"MarkInfo").expect("/MarkInfo"));
        assert!(mark.get(b"Marked").unwrap().as_bool().unwrap(), "{}", pdf.display());
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en-GB");
        let prefs = dict(&doc, catalog.get(b"ViewerPreferences").expect("/ViewerPreferences"));
        assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
        let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let title = text(doc.get_dictionary(info).unwrap(), b"Title").expect("a title");
        assert!(!title.is_empty());
        let xmp = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap();
        let xmp = String::from_utf8(xmp.decompressed_content().unwrap_or_else(|_| xmp.content.clone())).unwrap();
        assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
        let escaped = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(xmp.contains(&format!(">{escaped}</rdf:li>")), "dc:title is not {title:?}: {xmp}");
    }
}

#[test]
fn every_page_and_link_is_in_the_parent_tree() {
    for pdf in with_year_review() {
        let read = Read::new(pdf);
        let doc = &read.doc;
        let root = dict(doc, doc.catalog().unwrap().get(b"StructTreeRoot").unwrap());
        let tree = dict(doc, root.get(b"ParentTree").unwrap());
        let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
        let keys: HashMap<i64, &Object> = nums.chunks(2).map(|p| (p[0].as_i64().unwrap(), &p[1])).collect();
        let owned: HashSet<ObjectId> = read.tree.elements.iter().flat_map(|e| e.annotations.iter().copied()).collect();
        for (n, (id, content)) in read.pages.iter().enumerate() {
            let page = doc.get_dictionary(*id).unwrap();
            assert_eq!(name(page, b"Tabs").as_deref(), Some("S"), "{} page {}", pdf.display(), n + 1);
            let key = page.get(b"StructParents").expect("/StructParents").as_i64().unwrap();
            let parents = keys[&key].as_array().unwrap();
            assert_eq!(parents.len(), content.text.len(), "{} page {}", pdf.display(), n + 1);
            for annotation in page.get(b"Annots").ok().map(|a| a.as_array().unwrap().clone()).unwrap_or_default() {
                let id = annotation.as_reference().unwrap();
                let a = doc.get_dictionary(id).unwrap();
                let key = a.get(b"StructParent").expect("a link has /StructParent").as_i64().unwrap();
                let link = dict(doc, keys[&key]);
                assert_eq!(name(link, b"S").as_deref(), Some("Link"));
                assert!(owned.contains(&id), "{}: a link no element owns", pdf.display());
                assert!(text(a, b"Contents").is_some_and(|c| !c.is_empty()));
            }
        }
    }
}

#[test]
fn a_row_split_over_pages_is_one_cell_and_its_repeats_are_artifacts() {
    use csp_report::render::pdf::layout::{lay_out, Block, Cell, Column, Flow, Furniture, PageStyle, Table, Tag};
    let furniture = Furniture { header_left: "P".into(), header_right: "Q3".into(), footer_left: "Produced".into() };
    let update = "Patrols doubled in the bus station and the market. ".repeat(200);
    let table = Table {
        columns: vec![Column::new("Action", 1.0), Column::new("Update", 4.0)],
        rows: vec![vec![Cell::text("DA1"), Cell::text(update)]],
        size: 9.0,
    };
    let flow = Flow { page: PageStyle::A4_PORTRAIT, furniture, blocks: vec![Block::Table(table)] };
    let laid = lay_out(&flow);
    assert!(laid.pages.len() >= 2, "the row should run over a page");
    let mut update_cells = HashSet::new();
    for (n, page) in laid.pages.iter().enumerate() {
        for item in &page.items {
            let text = item.text().unwrap_or_default();
            match item.tag() {
                Tag::Cell { header: true, .. } => assert_eq!(n, 0, "a header cell read again on page {}: {text}", n + 1),
                Tag::Cell { col: 0, row, .. } => assert_eq!((n, row, text.as_str()), (0, 1, "DA1")),
                Tag::Cell { col: 1, row, .. } => {
                    update_cells.insert(row);
                }
                Tag::Artifact | Tag::Pagination => {}
                other => panic!("{other:?}: {text}"),
            }
            // Drawn again for the eye on the next page, never read again.
            if n > 0 && ["DA1", "Action", "Update", "(continued)"].contains(&text.as_str()) {
                assert_eq!(item.tag(), Tag::Pagination, "page {}: {text}", n + 1);
            }
        }
    }
    assert_eq!(update_cells, HashSet::from([1]), "the update is one cell on every page");
    assert!(laid.pages[1].items.iter().any(|i| i.text().as_deref() == Some("DA1")), "the id is drawn again for the eye");
}

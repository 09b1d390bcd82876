//! The tagged PDF's logical structure (PDF/UA-1), built from the tags the
//! layout puts on every item: while the writer draws a page it asks here
//! for the marked-content id of each run of items with the same tag, and
//! this module files that id under its structure element (a `Document` of
//! `H1`–`H3`, `P`, `L`/`LI`/`Lbl`/`LBody`, `Table`/`TR`/`TH`/`TD`, `Figure`
//! and `TOC` with its `Caption` and `TOCI`/`Reference`/`Link`), creating elements in the order they are first
//! drawn, which is the reading order. Once every page is written,
//! [`Structure::write`] writes the elements, packed into object streams,
//! and the parent tree that maps content back to them; the writer puts the
//! root in the catalog and each page's parent-tree key on the page. Only
//! element ids are kept per page, never page content, so a county-scale
//! board of 1,600 pages costs a few megabytes here, and each element is
//! written as bytes, never held as a PDF object.

use super::file::{self, array, Dict, PdfFile, Ref};
use super::layout::{Lang, Tag};
use std::io::Write;

/// Identity of a structure element within one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Document,
    /// The element a whole block makes (a heading, paragraph, list, table,
    /// figure or contents).
    Block(u32),
    Row(u32, u32),
    Cell(u32, u32, u32),
    ListItem(u32, u32),
    Label(u32, u32),
    Body(u32, u32),
    Entry(u32, u32),
    Reference(u32, u32),
    Link(u32, u32),
    Caption(u32),
}

/// One step of the path from the document to a tag's element.
#[derive(Clone, Copy)]
struct Step {
    key: Key,
    role: &'static str,
    lang: Lang,
    /// Columns a table cell spans.
    span: u32,
}

fn step(key: Key, role: &'static str) -> Step {
    Step { key, role, lang: None, span: 1 }
}

/// The elements from the document down to the one a tag's content belongs
/// to (at most four); `None` for an artifact. An array, not a vector:
/// asked for at every run of marked content.
fn path(tag: Tag) -> Option<[Option<Step>; 4]> {
    let steps = |path: &[Step]| std::array::from_fn(|i| path.get(i).copied());
    Some(match tag {
        Tag::Artifact | Tag::Pagination => return None,
        Tag::Heading { block, level } => {
            let role = match level {
                0 | 1 => "H1",
                2 => "H2",
                3 => "H3",
                4 => "H4",
                5 => "H5",
                _ => "H6",
            };
            steps(&[step(Key::Block(block), role)])
        }
        Tag::Paragraph { block, lang } => steps(&[Step { lang, ..step(Key::Block(block), "P") }]),
        Tag::ListLabel { block, item } => {
            steps(&[step(Key::Block(block), "L"), step(Key::ListItem(block, item), "LI"), step(Key::Label(block, item), "Lbl")])
        }
        Tag::ListBody { block, item, lang } => steps(&[
            step(Key::Block(block), "L"),
            step(Key::ListItem(block, item), "LI"),
            Step { lang, ..step(Key::Body(block, item), "LBody") },
        ]),
        Tag::Cell { block, row, col, span, header, lang } => steps(&[
            step(Key::Block(block), "Table"),
            step(Key::Row(block, row), "TR"),
            Step { lang, span, ..step(Key::Cell(block, row, col), if header { "TH" } else { "TD" }) },
        ]),
        Tag::Figure { block } => steps(&[step(Key::Block(block), "Figure")]),
        Tag::Contents { block, entry } => steps(&[
            step(Key::Block(block), "TOC"),
            step(Key::Entry(block, entry), "TOCI"),
            step(Key::Reference(block, entry), "Reference"),
            step(Key::Link(block, entry), "Link"),
        ]),
        Tag::ContentsTitle { block } => steps(&[step(Key::Block(block), "TOC"), step(Key::Caption(block), "Caption")]),
    })
}

/// The role of the element a tag's content belongs to (`P`, `TD`, …);
/// `None` for an artifact.
pub(crate) fn role(tag: Tag) -> Option<&'static str> {
    path(tag)?.into_iter().flatten().last().map(|step| step.role)
}

/// What an element holds, in reading order.
#[derive(Debug, Clone, Copy)]
enum Kid {
    Element(u32),
    /// Marked content on a page (0-based), by its id there.
    Content {
        page: u32,
        mcid: u32,
    },
    /// An annotation (a link) on a page.
    Annotation {
        page: u32,
        object: Ref,
    },
}

#[derive(Debug)]
struct Element {
    key: Key,
    role: &'static str,
    lang: Lang,
    span: u32,
    parent: u32,
    kids: Vec<Kid>,
}

/// The structure of one document as it is drawn.
#[derive(Debug)]
pub(crate) struct Structure {
    elements: Vec<Element>,
    /// Each element by its key (foldhash: looked up at every run of marked content).
    index: foldhash::HashMap<Key, u32>,
    /// Per page, the element of each marked-content id (the parent tree).
    pages: Vec<Vec<u32>>,
    /// Link annotations, in order: (page, element).
    annotations: Vec<(u32, u32, Ref)>,
}

impl Structure {
    pub(crate) fn new() -> Structure {
        let document = Element { key: Key::Document, role: "Document", lang: None, span: 1, parent: 0, kids: Vec::new() };
        Structure {
            elements: vec![document],
            index: foldhash::HashMap::from_iter([(Key::Document, 0)]),
            pages: Vec::new(),
            annotations: Vec::new(),
        }
    }

    /// The element of `tag`, made (with the elements above it) when first met.
    fn element(&mut self, tag: Tag) -> Option<u32> {
        let mut parent = 0;
        for next in path(tag)?.into_iter().flatten() {
            parent = match self.index.get(&next.key) {
                Some(&id) => id,
                None => {
                    // A cell after empty ones: the empty ones first, so
                    // each cell sits under its column.
                    if let Key::Cell(block, row, col) = next.key {
                        for before in 0..col {
                            let key = Key::Cell(block, row, before);
                            if !self.index.contains_key(&key) {
                                self.add(parent, step(key, next.role));
                            }
                        }
                    }
                    self.add(parent, next)
                }
            };
        }
        Some(parent)
    }

    fn add(&mut self, parent: u32, step: Step) -> u32 {
        let id = self.elements.len() as u32;
        self.elements.push(Element { key: step.key, role: step.role, lang: step.lang, span: step.span, parent, kids: Vec::new() });
        self.elements[parent as usize].kids.push(Kid::Element(id));
        self.index.insert(step.key, id);
        id
    }

    /// Files the marked content of `page` (0-based; pages come in order):
    /// the tag of each marked-content id, in order ([`super::content`]).
    /// The tags' blocks are `blocks_before` on in this document's flow.
    pub(crate) fn page(&mut self, page: usize, marked: &[Tag], blocks_before: u32) {
        self.start_page(page);
        for &tag in marked {
            let Some(element) = self.element(tag.blocks_back(blocks_before)) else { continue };
            let mcids = &mut self.pages[page];
            let mcid = mcids.len() as u32;
            mcids.push(element);
            self.elements[element as usize].kids.push(Kid::Content { page: page as u32, mcid });
        }
    }

    /// Makes sure page `page` (0-based) has its place in the parent tree,
    /// even with no tagged content: every page is drawn before any link is
    /// filed, so the pages' keys come first.
    fn start_page(&mut self, page: usize) {
        while self.pages.len() <= page {
            self.pages.push(Vec::new());
        }
    }

    /// Files a link annotation under the element of `tag` (its `Link`);
    /// returns the annotation's `/StructParent` key.
    pub(crate) fn annotation(&mut self, page: usize, tag: Tag, object: Ref) -> Option<i64> {
        let element = self.element(tag)?;
        self.elements[element as usize].kids.push(Kid::Annotation { page: page as u32, object });
        self.annotations.push((page as u32, element, object));
        Some(self.page_keys() + self.annotations.len() as i64 - 1)
    }

    /// Gives every row of a table as many columns as its widest row, with
    /// empty cells where a row draws nothing at its end, so that each cell
    /// sits under its column header.
    fn fill_rows(&mut self) {
        let mut columns: foldhash::HashMap<u32, u32> = Default::default();
        let mut rows: Vec<(u32, u32, u32, u32, &'static str)> = Vec::new();
        for (id, element) in self.elements.iter().enumerate() {
            if let Key::Row(block, row) = element.key {
                let cells: Vec<&Element> = element
                    .kids
                    .iter()
                    .filter_map(|k| match k {
                        Kid::Element(e) => Some(&self.elements[*e as usize]),
                        _ => None,
                    })
                    .collect();
                let width: u32 = cells.iter().map(|c| c.span).sum();
                let role = cells.last().map_or("TD", |c| c.role);
                let wide = columns.entry(block).or_default();
                *wide = (*wide).max(width);
                rows.push((id as u32, block, row, width, role));
            }
        }
        for (id, block, row, width, role) in rows {
            for col in width..columns[&block] {
                let key = Key::Cell(block, row, col);
                if !self.index.contains_key(&key) {
                    self.add(id, step(key, role));
                }
            }
        }
    }

    /// Parent tree keys 0 to n-1 are the pages; the annotations follow.
    fn page_keys(&self) -> i64 {
        self.pages.len() as i64
    }

    /// Writes the structure tree of the document whose pages, in order, are
    /// `pages` (each page's `/StructParents` is its index): the elements and
    /// the parent tree. `figures` are the alternate descriptions of the
    /// figures, by block. Returns the `/StructTreeRoot` for the catalog.
    pub(crate) fn write(mut self, file: &mut PdfFile, pages: &[Ref], figures: &[(u32, String)]) -> Result<Ref, String> {
        self.fill_rows();
        let root = file.reserve();
        let ids: Vec<Ref> = self.elements.iter().map(|_| file.reserve()).collect();
        let page = |index: u32| pages.get(index as usize).copied().ok_or_else(|| format!("no page {}", index + 1));
        let mut kids = Vec::new();
        for (i, element) in self.elements.iter().enumerate() {
            let mut dict = Dict::of_type("StructElem")
                .name("S", element.role)
                .reference("P", if i == 0 { root } else { ids[element.parent as usize] });
            // The page of the first content: content there is listed by id alone.
            let home = element.kids.iter().find_map(|k| match k {
                Kid::Content { page, .. } => Some(*page),
                _ => None,
            });
            if let Some(home) = home {
                dict = dict.reference("Pg", page(home)?);
            }
            kids.clear();
            for (n, kid) in element.kids.iter().enumerate() {
                if n > 0 {
                    kids.push(b' ');
                }
                match *kid {
                    Kid::Element(e) => file::reference(&mut kids, ids[e as usize]),
                    Kid::Content { page: p, mcid } if Some(p) == home => {
                        file::integer(&mut kids, mcid);
                    }
                    Kid::Content { page: p, mcid } => {
                        kids.extend_from_slice(&Dict::of_type("MCR").reference("Pg", page(p)?).int("MCID", mcid as i64).finish())
                    }
                    Kid::Annotation { page: p, object } => {
                        kids.extend_from_slice(&Dict::of_type("OBJR").reference("Pg", page(p)?).reference("Obj", object).finish())
                    }
                }
            }
            // One kid stands alone, as most writers put it.
            dict = if element.kids.len() == 1 { dict.raw("K", &kids) } else { dict.raw("K", &[b"[".as_slice(), &kids, b"]"].concat()) };
            if let Some(lang) = element.lang {
                dict = dict.text("Lang", lang);
            }
            // Table attributes: a header cell's scope, a wide cell's span.
            if element.role == "TH" || element.span > 1 {
                let mut attributes = Dict::new().name("O", "Table");
                if element.role == "TH" {
                    attributes = attributes.name("Scope", "Column");
                }
                if element.span > 1 {
                    attributes = attributes.int("ColSpan", element.span as i64);
                }
                dict = dict.dict("A", attributes);
            }
            if let (Key::Block(block), "Figure") = (element.key, element.role) {
                let alt = figures.iter().find(|(b, _)| *b == block).map_or("", |(_, alt)| alt.as_str());
                dict = dict.text("Alt", alt);
            }
            file.packed(ids[i], &dict.finish())?;
        }

        // The parent tree: each page's content ids to their elements, then
        // each annotation to its element.
        let mut nums = Vec::new();
        for (index, mcids) in self.pages.iter().enumerate() {
            let _ = write!(nums, "{index} ");
            nums.extend_from_slice(&array(mcids.iter().map(|&e| ids[e as usize]), file::reference));
            nums.push(b' ');
        }
        for (k, (_, element, _)) in self.annotations.iter().enumerate() {
            let _ = write!(nums, "{} ", self.page_keys() + k as i64);
            file::reference(&mut nums, ids[*element as usize]);
            nums.push(b' ');
        }
        let parent_tree = file.reserve();
        file.packed(parent_tree, &Dict::new().raw("Nums", &[b"[".as_slice(), nums.trim_ascii_end(), b"]"].concat()).finish())?;
        let next_key = self.page_keys() + self.annotations.len() as i64;
        let dict =
            Dict::of_type("StructTreeRoot").reference("K", ids[0]).reference("ParentTree", parent_tree).int("ParentTreeNextKey", next_key);
        file.packed(root, &dict.finish())?;
        Ok(root)
    }
}

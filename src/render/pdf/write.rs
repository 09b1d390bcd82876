//! A laid-out document as PDF bytes: each page's content stream
//! ([`super::content`]) deflated as soon as it is written and the page's
//! layout dropped, the fonts embedded and subset once every page is written
//! ([`super::embed`]), then the structure tree (`tagged`), the language
//! (`en-GB`), XMP metadata naming PDF/UA-1, a nested outline of bookmarks
//! in document order, the contents' links, and a trailer `/ID` made from a
//! hash of the content, so the same report gives the same bytes. The
//! document is lopdf's (the library printpdf writes with).

use super::content::page_content;
use super::embed::{deflated, embed_fonts, GlyphUse};
use super::layout::{Item, Laid, LaidOut, OutlineEntry, Page, PageSink};
use super::tagged::Structure;
use chrono::NaiveDate;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};

/// The document information dictionary's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// Creation and modification date (midnight UTC).
    pub date: NaiveDate,
}

/// Why the PDF could not be written (a defect, never bad data).
#[derive(Debug, thiserror::Error)]
#[error("could not write the PDF: {0}")]
pub struct WriteError(String);

/// Pages whose content streams are deflated together, on every core: few
/// enough that only their streams wait in memory.
const PAGES_AT_ONCE: usize = 32;

/// Lays a flow out and writes it as a PDF, each page written as soon as it
/// is laid out and then dropped: a long report is never held whole, as
/// pages or as PDF operators. Returns the bytes, and the layout's outline,
/// missing characters and figures.
pub fn render_pdf(flow: &super::layout::Flow, meta: &Metadata) -> Result<(Vec<u8>, Laid), WriteError> {
    let mut writer = PdfWriter::new();
    let laid = super::layout::lay_out_into(flow, &mut writer);
    let bytes = writer.finish(&laid, meta)?;
    Ok((bytes, laid))
}

/// Writes laid-out pages as a PDF.
pub fn write_pdf(laid: LaidOut, meta: &Metadata) -> Result<Vec<u8>, WriteError> {
    let mut writer = PdfWriter::new();
    for page in laid.pages {
        writer.page(page);
    }
    writer.finish(&Laid { outline: laid.outline, missing: laid.missing, figures: laid.figures }, meta)
}

/// A PDF being written page by page.
struct PdfWriter {
    lo: lopdf::Document,
    pages_id: ObjectId,
    resources_id: ObjectId,
    structure: Structure,
    used: GlyphUse,
    /// The page objects so far, in order.
    pages: Vec<ObjectId>,
    /// Each page's height, for the links' coordinates.
    heights: Vec<f32>,
    links: Vec<Link>,
    /// Pages written as content streams, waiting to be deflated together:
    /// (width, height, content).
    waiting: Vec<(f32, f32, Vec<u8>)>,
    /// The first thing that went wrong, reported by `finish`.
    failed: Option<WriteError>,
}

impl PageSink for PdfWriter {
    fn page(&mut self, page: Page) {
        let index = self.heights.len();
        self.heights.push(page.style.height);
        self.links.extend(page.items.iter().filter_map(|item| match *item {
            Item::Link { x, y, w, h, page: target, tag } => Some(Link { page: index, x, y, w, h, target, tag }),
            _ => None,
        }));
        let content = page_content(&page.items, page.style.height, index, &mut self.structure, &mut self.used);
        self.waiting.push((page.style.width, page.style.height, content));
        if self.waiting.len() == PAGES_AT_ONCE {
            self.add_waiting();
        }
    }

    fn restart(&mut self) {
        *self = PdfWriter::new();
    }
}

impl PdfWriter {
    fn new() -> PdfWriter {
        let mut lo = lopdf::Document::with_version("1.7");
        let pages_id = lo.new_object_id();
        let resources_id = lo.new_object_id();
        PdfWriter {
            lo,
            pages_id,
            resources_id,
            structure: Structure::new(),
            used: GlyphUse::default(),
            pages: Vec::new(),
            heights: Vec::new(),
            links: Vec::new(),
            waiting: Vec::with_capacity(PAGES_AT_ONCE),
            failed: None,
        }
    }

    /// Deflates the waiting pages' content streams and adds the pages.
    fn add_waiting(&mut self) {
        use rayon::prelude::*;
        let streams: Vec<_> = self.waiting.par_iter().map(|(_, _, content)| deflated(Dictionary::new(), content)).collect();
        for ((width, height, _), stream) in self.waiting.drain(..).zip(streams) {
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    self.failed.get_or_insert(WriteError(e));
                    continue;
                }
            };
            let contents = self.lo.add_object(stream);
            let page = Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Page".to_vec())),
                ("Parent", Object::Reference(self.pages_id)),
                ("MediaBox", Object::Array([0.0, 0.0, width, height].into_iter().map(Object::Real).collect())),
                ("Resources", Object::Reference(self.resources_id)),
                ("Contents", Object::Reference(contents)),
            ]);
            self.pages.push(self.lo.add_object(page));
        }
    }

    /// Adds the fonts, the catalog, the outline, links, structure tree and
    /// metadata, and writes the document.
    fn finish(mut self, laid: &Laid, meta: &Metadata) -> Result<Vec<u8>, WriteError> {
        self.add_waiting();
        if let Some(failed) = self.failed {
            return Err(failed);
        }
        let PdfWriter { mut lo, pages_id, resources_id, mut structure, used, pages, heights, links, .. } = self;
        lo.objects.insert(
            pages_id,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(pages.iter().map(|&id| Object::Reference(id)).collect())),
                ("Count", Object::Integer(pages.len() as i64)),
            ])),
        );
        let fonts = embed_fonts(&mut lo, &used).map_err(WriteError)?;
        lo.objects.insert(resources_id, Object::Dictionary(Dictionary::from_iter(vec![("Font", Object::Dictionary(fonts))])));

        let mut catalog = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages_id)),
            ("PageLayout", Object::Name(b"OneColumn".to_vec())),
            ("Lang", Object::String(b"en-GB".to_vec(), StringFormat::Literal)),
            ("ViewerPreferences", Object::Dictionary(Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]))),
        ]);
        if !laid.outline.is_empty() {
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        let catalog = lo.add_object(catalog);
        lo.trailer.set("Root", Object::Reference(catalog));
        let info = lo.add_object(info(meta));
        lo.trailer.set("Info", Object::Reference(info));

        add_outline(&mut lo, &pages, &laid.outline)?;
        add_links(&mut lo, &pages, &heights, &links, &mut structure)?;
        structure.write(&mut lo, &pages, &laid.figures).map_err(WriteError)?;
        add_xmp(&mut lo, meta);

        // The /ID is a hash of the document written with a blank /ID, put in
        // place of the blank: the same length, so no offset moves, and the
        // document is written once.
        let blank = Object::String(vec![0u8; 16], StringFormat::Hexadecimal);
        lo.trailer.set("ID", Object::Array(vec![blank.clone(), blank]));
        let mut bytes = Vec::new();
        // Object streams: the structure tree is tens of thousands of small
        // dictionaries at county scale, which compress to a fraction in them.
        lo.save_modern(&mut bytes).map_err(|e| WriteError(e.to_string()))?;
        let digest = Sha256::digest(&bytes);
        set_id(&mut bytes, &digest[..16])?;
        Ok(bytes)
    }
}

/// The document information dictionary: title, author, subject, the
/// program, and the report's date as creation and modification date.
fn info(meta: &Metadata) -> Dictionary {
    let date = Object::String(meta.date.format("D:%Y%m%d000000+00'00'").to_string().into_bytes(), StringFormat::Literal);
    Dictionary::from_iter(vec![
        ("Title", lopdf::text_string(&meta.title)),
        ("Author", lopdf::text_string(&meta.author)),
        ("Subject", lopdf::text_string(&meta.subject)),
        ("Creator", lopdf::text_string("csp-report")),
        (
            "Producer",
            lopdf::text_string(&format!("csp-report {} (lopdf 0.44, fonts subset by printpdf 0.12.8)", env!("CARGO_PKG_VERSION"))),
        ),
        ("CreationDate", date.clone()),
        ("ModDate", date),
        ("Trapped", Object::Name(b"False".to_vec())),
    ])
}

/// Writes `id` over the blank `/ID` entries of the trailer: the
/// dictionary of the cross-reference stream that `startxref` points at.
fn set_id(bytes: &mut [u8], id: &[u8]) -> Result<(), WriteError> {
    let blank = format!("<{}>", "00".repeat(id.len()));
    let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
    let value = format!("<{hex}>");
    // Only the trailer is searched, so a blank string elsewhere in the
    // document is never touched.
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    let start = tail.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| WriteError("no startxref".to_string()))?;
    let offset: usize = String::from_utf8_lossy(&tail[start + 9..])
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| WriteError("no cross-reference offset".to_string()))?;
    let stream = bytes[offset..].windows(6).position(|w| w == b"stream").map_or(bytes.len(), |s| offset + s);
    let mut found = 0;
    let mut at = offset;
    while let Some(position) = bytes[at..stream].windows(blank.len()).position(|w| w == blank.as_bytes()) {
        let start = at + position;
        bytes[start..start + value.len()].copy_from_slice(value.as_bytes());
        at = start + value.len();
        found += 1;
    }
    if found == 2 {
        Ok(())
    } else {
        Err(WriteError(format!("the trailer's /ID was found {found} times, not twice")))
    }
}

/// The object of the page at a 0-based index.
fn page_object(pages: &[ObjectId], index: usize) -> Result<ObjectId, WriteError> {
    pages.get(index).copied().ok_or_else(|| WriteError(format!("no page {}", index + 1)))
}

/// XMP metadata: the title (which PDF/UA asks for here as well as in the
/// document information) and the PDF/UA-1 identification. Nothing in it
/// varies between runs.
fn add_xmp(lo: &mut lopdf::Document, meta: &Metadata) {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let xmp = format!(
        concat!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
            "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\n",
            "<pdfuaid:part>1</pdfuaid:part>\n",
            "</rdf:Description>\n",
            "</rdf:RDF>\n",
            "</x:xmpmeta>\n",
            "<?xpacket end=\"w\"?>"
        ),
        title = escape(&meta.title),
        author = escape(&meta.author),
    );
    let dict = Dictionary::from_iter(vec![("Type", Object::Name(b"Metadata".to_vec())), ("Subtype", Object::Name(b"XML".to_vec()))]);
    // Left uncompressed, so tools that only scan for XMP still find it.
    let stream = lopdf::Stream::new(dict, xmp.into_bytes()).with_compression(false);
    let id = lo.add_object(Object::Stream(stream));
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("Metadata", Object::Reference(id));
    }
}

/// A contents entry's link: the area on page `page` (0-based) that goes to
/// page `target`.
struct Link {
    page: usize,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    target: usize,
    tag: super::layout::Tag,
}

/// Makes each link a link annotation to the top of its target page, filed
/// under its structure element; `heights` are the pages' heights.
fn add_links(
    lo: &mut lopdf::Document,
    pages: &[ObjectId],
    heights: &[f32],
    links: &[Link],
    structure: &mut Structure,
) -> Result<(), WriteError> {
    let page_id = |index: usize| page_object(pages, index);
    let mut annotations: std::collections::BTreeMap<usize, Vec<Object>> = Default::default();
    for &Link { page: index, x, y, w, h, target, tag } in links {
        let height = heights[index];
        let target_height = heights.get(target).copied().unwrap_or(height);
        let mut link = Dictionary::new();
        link.set("Type", Object::Name(b"Annot".to_vec()));
        link.set("Subtype", Object::Name(b"Link".to_vec()));
        link.set("Rect", Object::Array([x, height - y - h, x + w, height - y].into_iter().map(Object::Real).collect()));
        link.set("Border", Object::Array(vec![Object::Integer(0), Object::Integer(0), Object::Integer(0)]));
        // The top of the page, at the reader's zoom.
        link.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(page_id(target)?),
                Object::Name(b"XYZ".to_vec()),
                Object::Null,
                Object::Real(target_height),
                Object::Null,
            ]),
        );
        // PDF/UA asks every annotation for a description.
        link.set("Contents", lopdf::text_string(&format!("Go to page {}", target + 1)));
        let id = lo.add_object(Object::Dictionary(link.clone()));
        if let Some(key) = structure.annotation(index, tag, id) {
            link.set("StructParent", Object::Integer(key));
            lo.objects.insert(id, Object::Dictionary(link));
        }
        annotations.entry(index).or_default().push(Object::Reference(id));
    }
    for (index, annotations) in annotations {
        let page_dict = lo.get_dictionary_mut(page_id(index)?).map_err(|e| WriteError(e.to_string()))?;
        page_dict.set("Annots", Object::Array(annotations));
    }
    Ok(())
}

/// Builds the bookmarks as a tree: each entry nests under the nearest
/// earlier entry of a lower level.
fn add_outline(lo: &mut lopdf::Document, pages: &[ObjectId], outline: &[OutlineEntry]) -> Result<(), WriteError> {
    if outline.is_empty() {
        return Ok(());
    }
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = outline.iter().map(|_| lo.new_object_id()).collect();
    // Parent index of each entry (None: the root).
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(outline.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, entry) in outline.iter().enumerate() {
        while stack.last().is_some_and(|&s| outline[s].level >= entry.level) {
            stack.pop();
        }
        parents.push(stack.last().copied());
        stack.push(i);
    }
    let children = |parent: Option<usize>| -> Vec<usize> { (0..outline.len()).filter(|&i| parents[i] == parent).collect() };
    // Visible descendants, for /Count (every entry open).
    fn descendants(i: Option<usize>, parents: &[Option<usize>]) -> i64 {
        (0..parents.len()).filter(|&k| parents[k] == i).map(|k| 1 + descendants(Some(k), parents)).sum()
    }
    for (i, entry) in outline.iter().enumerate() {
        let page_id = page_object(pages, entry.page)?;
        let siblings = children(parents[i]);
        let position = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut dict = Dictionary::new();
        dict.set("Title", lopdf::text_string(&entry.title));
        dict.set("Parent", Object::Reference(parents[i].map(|p| ids[p]).unwrap_or(root)));
        dict.set("Dest", Object::Array(vec![Object::Reference(page_id), Object::Name(b"Fit".to_vec())]));
        if position > 0 {
            dict.set("Prev", Object::Reference(ids[siblings[position - 1]]));
        }
        if let Some(&next) = siblings.get(position + 1) {
            dict.set("Next", Object::Reference(ids[next]));
        }
        let kids = children(Some(i));
        if let (Some(&first), Some(&last)) = (kids.first(), kids.last()) {
            dict.set("First", Object::Reference(ids[first]));
            dict.set("Last", Object::Reference(ids[last]));
            dict.set("Count", Object::Integer(descendants(Some(i), &parents)));
        }
        lo.objects.insert(ids[i], Object::Dictionary(dict));
    }
    let top = children(None);
    let mut root_dict = Dictionary::new();
    root_dict.set("Type", Object::Name(b"Outlines".to_vec()));
    root_dict.set("First", Object::Reference(ids[top[0]]));
    root_dict.set("Last", Object::Reference(ids[*top.last().unwrap_or(&top[0])]));
    root_dict.set("Count", Object::Integer(descendants(None, &parents)));
    lo.objects.insert(root, Object::Dictionary(root_dict));
    let catalog = lo.catalog_mut().map_err(|e| WriteError(e.to_string()))?;
    catalog.set("Outlines", Object::Reference(root));
    Ok(())
}

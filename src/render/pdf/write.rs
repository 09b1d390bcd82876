//! A laid-out document as PDF bytes: each page's content stream
//! ([`super::content`]) deflated and written into the file as soon as it is
//! drawn and the page's layout dropped (its running head and foot, when
//! they wait for the page count, a small second stream written after the
//! last page), the fonts embedded and subset once
//! every page is written ([`super::embed`]), then the pages' dictionaries
//! with their links, the structure tree (`tagged`), the language
//! (`en-GB`), XMP metadata naming PDF/UA-1, and a nested outline of
//! bookmarks in document order. The file's syntax, and its `/ID` made from
//! a hash of the content (so the same report gives the same bytes), are
//! [`super::file`]'s.
//!
//! A document may keep a run of its pages as drawn ([`Drawn`]) for another
//! to begin with: the board report's section for an action group is that
//! group's own PDF but for its glossary, so the group's PDF takes those
//! pages' deflated streams and their marked content's tags rather than
//! laying the section out, setting it in glyphs and deflating it again.

use super::content::{number, page_content};
use super::embed::{GlyphUse, SharedFonts};
use super::file::{self, array, deflate, Dict, PdfFile, Ref};
use super::layout::{self, Furnishing, Item, Laid, LaidOut, LineBreaks, OutlineEntry, Page, PageSink, PageStyle, Start, Tag};
use super::tagged::Structure;
use super::text::MissingGlyphs;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::ops::Range;

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

impl From<String> for WriteError {
    fn from(message: String) -> WriteError {
        WriteError(message)
    }
}

/// Pages whose content streams are deflated together, on every core: few
/// enough that only their streams wait in memory.
const PAGES_AT_ONCE: usize = 32;

/// Lays a flow out and writes it as a PDF, each page written as soon as it
/// is laid out and then dropped: a long report is never held whole, as
/// pages or as PDF operators. Returns the bytes, and the layout's outline,
/// missing characters and figures.
/// Lines are broken through `breaks`, which the other documents of the
/// build share.
pub fn render_pdf(flow: &super::layout::Flow, meta: &Metadata, breaks: &LineBreaks) -> Result<(Vec<u8>, Laid), WriteError> {
    let (unfonted, laid) = render_pdf_but_fonts(flow, meta, breaks)?;
    Ok((unfonted.finish_alone()?, laid))
}

/// Writes laid-out pages as a PDF.
pub fn write_pdf(laid: LaidOut, meta: &Metadata) -> Result<Vec<u8>, WriteError> {
    let mut writer = PdfWriter::new();
    for page in laid.pages {
        writer.page(page);
    }
    writer.finish_but_fonts(&Laid { outline: laid.outline, missing: laid.missing, figures: laid.figures }, meta)?.finish_alone()
}

/// A written page: its size, its content stream's object, and, once the
/// pages are counted, the streams of its running head and foot: the one
/// every page of its style shares, and its own page number's.
struct Written {
    style: PageStyle,
    contents: Ref,
    furniture: Option<(Ref, Ref)>,
}

/// Pages drawn for one document that another begins with (see the
/// module's introduction): each page's style, deflated content stream and
/// the tags of its marked content, and what laying them out found.
pub(crate) struct Drawn {
    pages: Vec<DrawnPage>,
    /// How many blocks of the drawing document's flow came before the
    /// first one these pages show.
    blocks_before: u32,
    /// How many blocks they show.
    blocks: usize,
    used: GlyphUse,
    missing: Vec<MissingGlyphs>,
    /// Their bookmarks, numbered from their first page.
    outline: Vec<OutlineEntry>,
}

struct DrawnPage {
    style: PageStyle,
    stream: Vec<u8>,
    marked: Vec<Tag>,
}

/// A run of a document's pages being kept as they are drawn: the pages
/// begun while its `blocks` were placed. The first block is the page break
/// the run begins with, which the other document leaves out.
struct Keeping {
    blocks: Range<u32>,
    /// The index of its first page, once drawn.
    first_page: usize,
    drawn: Drawn,
    /// Cleared when a page cannot be placed elsewhere as it is: one that
    /// links to a page, or pages that do not follow on from the break.
    whole: bool,
}

impl Keeping {
    fn new(blocks: Range<u32>) -> Keeping {
        let drawn = Drawn {
            pages: Vec::new(),
            blocks_before: blocks.start + 1,
            blocks: blocks.len().saturating_sub(1),
            used: GlyphUse::default(),
            missing: Vec::new(),
            outline: Vec::new(),
        };
        Keeping { blocks, first_page: 0, drawn, whole: true }
    }

    /// Keeps page `index`, whose marked content is `marked` (its stream
    /// follows once deflated: `PdfWriter::add_waiting`); `unlinked` when
    /// it links to no page.
    fn keep(&mut self, index: usize, page: Page, mut marked: Vec<Tag>, unlinked: bool) {
        let first = self.drawn.pages.is_empty();
        if first {
            self.first_page = index;
        }
        let follows = if first { page.block == self.blocks.start } else { self.first_page + self.drawn.pages.len() == index };
        self.whole &= follows && unlinked;
        for item in &page.items {
            if let Item::Text { line, .. } = item {
                line.glyphs.iter().for_each(|glyph| self.drawn.used.add(glyph));
            }
        }
        self.drawn.missing.extend(page.missing);
        marked.shrink_to_fit();
        self.drawn.pages.push(DrawnPage { style: page.style, stream: Vec::new(), marked });
    }
}

/// A PDF being written page by page.
struct PdfWriter {
    file: PdfFile,
    structure: Structure,
    used: GlyphUse,
    /// The pages so far, in order.
    pages: Vec<Written>,
    links: Vec<Link>,
    /// Pages drawn as content streams, waiting to be deflated together,
    /// each with the run it is kept for (its index there), if any.
    waiting: Vec<(PageStyle, Vec<u8>, Option<usize>)>,
    /// The runs of pages kept for other documents.
    keeping: Vec<Keeping>,
    /// The first thing that went wrong, reported by `finish`.
    failed: Option<WriteError>,
}

impl PageSink for PdfWriter {
    fn page(&mut self, page: Page) {
        let index = self.pages.len() + self.waiting.len();
        let links_before = self.links.len();
        self.links.extend(page.items.iter().filter_map(|item| match *item {
            Item::Link { x, y, w, h, page: target, tag } => Some(Link { page: index, x, y, w, h, target, tag }),
            _ => None,
        }));
        let mut marked = Vec::new();
        let content = page_content(&page.items, page.style.height, &mut marked, &mut self.used);
        self.structure.page(index, &marked, 0);
        let style = page.style;
        let kept = self.keeping.iter().position(|k| k.blocks.contains(&page.block));
        if let Some(k) = kept {
            self.keeping[k].keep(index, page, marked, self.links.len() == links_before);
        }
        self.waiting.push((style, content, kept));
        if self.waiting.len() == PAGES_AT_ONCE {
            self.add_waiting();
        }
    }

    fn restart(&mut self) {
        let keeping = self.keeping.iter().map(|k| Keeping::new(k.blocks.clone())).collect();
        *self = PdfWriter::new();
        self.keeping = keeping;
    }

    /// The running heads and feet: one stream for each page style, which
    /// every page of the style lists after its own, and a small one with
    /// each page's number (left as it is: deflating a hundred bytes saves
    /// less than it adds). Running heads and feet are artifacts: they mark
    /// no content for the structure tree.
    fn furnish(&mut self, furniture: &mut Furnishing) {
        self.add_waiting();
        let mut styles: Vec<PageStyle> = Vec::new();
        for page in &self.pages {
            if !styles.contains(&page.style) {
                styles.push(page.style);
            }
        }
        let shared: Vec<Vec<u8>> =
            styles.iter().map(|&style| page_content(&furniture.shared(style), style.height, &mut Vec::new(), &mut self.used)).collect();
        let shared: Vec<Option<Ref>> = self.add_streams(shared).into_iter().map(|stream| stream.map(|(r, _)| r)).collect();
        for index in 0..self.pages.len() {
            let style = self.pages[index].style;
            let number = page_content(&furniture.number(index, style), style.height, &mut Vec::new(), &mut self.used);
            let r = self.file.reserve();
            self.file.stream(r, Dict::new(), &number);
            let shared = styles.iter().position(|s| *s == style).and_then(|i| shared[i]);
            self.pages[index].furniture = shared.map(|shared| (shared, r));
        }
    }
}

impl PdfWriter {
    fn new() -> PdfWriter {
        PdfWriter {
            file: PdfFile::new(),
            structure: Structure::new(),
            used: GlyphUse::default(),
            pages: Vec::new(),
            links: Vec::new(),
            waiting: Vec::with_capacity(PAGES_AT_ONCE),
            keeping: Vec::new(),
            failed: None,
        }
    }

    /// Deflates the waiting pages' content streams and writes them, keeping
    /// the deflated streams of pages kept for another document.
    fn add_waiting(&mut self) {
        let mut contents = Vec::with_capacity(self.waiting.len());
        let mut pages = Vec::with_capacity(self.waiting.len());
        for (style, content, kept) in self.waiting.drain(..) {
            contents.push(content);
            pages.push((style, kept));
        }
        let streams = self.add_streams(contents);
        for ((style, kept), stream) in pages.into_iter().zip(streams) {
            let Some((contents, deflated)) = stream else { continue };
            self.pages.push(Written { style, contents, furniture: None });
            if let Some(k) = kept.map(|k| &mut self.keeping[k]) {
                let at = self.pages.len() - 1 - k.first_page;
                if let Some(page) = k.drawn.pages.get_mut(at) {
                    // Held until the group's PDF is written: not at the
                    // room deflating it needed, a few times its size.
                    page.stream = deflated;
                    page.stream.shrink_to_fit();
                }
            }
        }
    }

    /// Deflates content streams together, on every core, and writes each:
    /// its object and the deflated bytes, or `None` when it could not be
    /// deflated (the first such failure kept for `finish`).
    fn add_streams(&mut self, contents: Vec<Vec<u8>>) -> Vec<Option<(Ref, Vec<u8>)>> {
        use rayon::prelude::*;
        let streams: Vec<_> = contents.par_iter().map(|content| deflate(content)).collect();
        drop(contents);
        streams
            .into_iter()
            .map(|stream| match stream {
                Ok(stream) => Some((self.add_deflated(&stream), stream)),
                Err(e) => {
                    self.failed.get_or_insert(WriteError(e));
                    None
                }
            })
            .collect()
    }

    /// Writes a deflated content stream; returns its object.
    fn add_deflated(&mut self, stream: &[u8]) -> Ref {
        let r = self.file.reserve();
        self.file.stream(r, Dict::new().name("Filter", "FlateDecode"), stream);
        r
    }

    /// The runs of pages kept for other documents, each with its bookmarks
    /// from `outline` (the whole document's); `None` for a run that could
    /// not be kept whole, or that drew no page.
    fn take_kept(&mut self, outline: &[OutlineEntry]) -> Vec<Option<Drawn>> {
        self.add_waiting();
        std::mem::take(&mut self.keeping)
            .into_iter()
            .map(|Keeping { first_page, mut drawn, whole, .. }| {
                let pages = first_page..first_page + drawn.pages.len();
                let complete = whole && !drawn.pages.is_empty() && drawn.pages.iter().all(|p| !p.stream.is_empty());
                drawn.outline = outline
                    .iter()
                    .filter(|e| pages.contains(&e.page))
                    .map(|e| OutlineEntry { page: e.page - first_page, ..e.clone() })
                    .collect();
                complete.then_some(drawn)
            })
            .collect()
    }

    /// Begins the document with pages another drew ([`Drawn`]); returns
    /// where the layout of its own flow goes on from.
    fn begin_with(&mut self, drawn: Drawn) -> Start {
        let Drawn { pages, blocks_before, blocks, used, missing, outline } = drawn;
        for (index, page) in pages.iter().enumerate() {
            let contents = self.add_deflated(&page.stream);
            self.structure.page(index, &page.marked, blocks_before);
            self.pages.push(Written { style: page.style, contents, furniture: None });
        }
        self.used = used;
        Start { blocks, pages: pages.len(), outline, missing }
    }

    /// Writes everything but the fonts, which wait for every document of
    /// the build to be drawn ([`SharedFonts`]).
    fn finish_but_fonts(mut self, laid: &Laid, meta: &Metadata) -> Result<Unfonted, WriteError> {
        self.add_waiting();
        if let Some(failed) = self.failed {
            return Err(failed);
        }
        let PdfWriter { mut file, mut structure, used, pages, links, .. } = self;
        // Every page's object is numbered first: links, bookmarks and the
        // structure tree point at pages.
        let page_refs: Vec<Ref> = pages.iter().map(|_| file.reserve()).collect();
        let pages_root = file.reserve();
        let resources = file.reserve();

        let heights: Vec<f32> = pages.iter().map(|p| p.style.height).collect();
        let mut annotations = add_links(&mut file, &page_refs, &heights, &links, &mut structure)?;
        let outline = add_outline(&mut file, &page_refs, &laid.outline)?;
        let structure_root = structure.write(&mut file, &page_refs, &laid.figures).map_err(WriteError)?;

        for (index, (page, &r)) in pages.iter().zip(&page_refs).enumerate() {
            let contents = match page.furniture {
                Some((shared, number)) => array([page.contents, shared, number], file::reference),
                None => {
                    let mut one = Vec::new();
                    file::reference(&mut one, page.contents);
                    one
                }
            };
            let mut dict = Dict::of_type("Page")
                .reference("Parent", pages_root)
                .raw("MediaBox", &array([0.0, 0.0, page.style.width, page.style.height], |out, v| number(out, v as f64)))
                .reference("Resources", resources)
                .raw("Contents", &contents)
                .int("StructParents", index as i64)
                // Tab order follows the structure.
                .name("Tabs", "S");
            if let Some(links) = annotations.remove(&index) {
                dict = dict.raw("Annots", &array(links, file::reference));
            }
            file.object(r, &dict.finish());
        }
        let kids = array(page_refs.iter().copied(), file::reference);
        file.object(pages_root, &Dict::of_type("Pages").raw("Kids", &kids).int("Count", page_refs.len() as i64).finish());

        let metadata = add_xmp(&mut file, meta);
        let mut catalog = Dict::of_type("Catalog")
            .reference("Pages", pages_root)
            .name("PageLayout", "OneColumn")
            .text("Lang", "en-GB")
            .dict("ViewerPreferences", Dict::new().bool("DisplayDocTitle", true))
            .reference("StructTreeRoot", structure_root)
            .dict("MarkInfo", Dict::new().bool("Marked", true))
            .reference("Metadata", metadata);
        if let Some(outline) = outline {
            catalog = catalog.name("PageMode", "UseOutlines").reference("Outlines", outline);
        }
        let root = file.reserve();
        file.object(root, &catalog.finish());
        let info_ref = file.reserve();
        file.object(info_ref, &info(meta).finish());
        Ok(Unfonted { file, used, resources, root, info: info_ref })
    }
}

/// A PDF written but for its fonts: the glyphs it drew, and the objects
/// the fonts' resources, the catalog and the information dictionary are.
pub(crate) struct Unfonted {
    file: PdfFile,
    used: GlyphUse,
    resources: Ref,
    root: Ref,
    info: Ref,
}

impl Unfonted {
    /// What the document drew, for [`SharedFonts::subset`].
    pub(crate) fn used(&self) -> &GlyphUse {
        &self.used
    }

    /// Embeds its fonts, subset to its own glyphs: a document written on
    /// its own. Returns the whole file.
    fn finish_alone(self) -> Result<Vec<u8>, WriteError> {
        let fonts = SharedFonts::subset([&self.used]).map_err(WriteError)?;
        self.finish(&fonts)
    }

    /// Embeds the fonts and returns the whole file.
    pub(crate) fn finish(mut self, fonts: &SharedFonts) -> Result<Vec<u8>, WriteError> {
        let faces = fonts.embed(&mut self.file, &self.used).map_err(WriteError)?;
        self.file.object(self.resources, &Dict::new().dict("Font", faces).finish());
        self.file.finish(self.root, self.info).map_err(WriteError)
    }
}

/// Lays a flow out and writes it as a PDF but for its fonts, as
/// [`render_pdf`] does: for a build, whose documents then share one subset
/// of each face.
pub(crate) fn render_pdf_but_fonts(
    flow: &super::layout::Flow,
    meta: &Metadata,
    breaks: &LineBreaks,
) -> Result<(Unfonted, Laid), WriteError> {
    render_pdf_keeping(flow, meta, breaks, Vec::new()).map(|(unfonted, laid, _)| (unfonted, laid))
}

/// As [`render_pdf_but_fonts`], keeping the pages of each run of `blocks`
/// in `keep` as drawn, for the document that begins with them
/// ([`render_pdf_after`]): each run's pages, or `None` where they could not
/// be kept whole. A run is a page break and the blocks after it.
pub(crate) fn render_pdf_keeping(
    flow: &super::layout::Flow,
    meta: &Metadata,
    breaks: &LineBreaks,
    keep: Vec<Range<u32>>,
) -> Result<(Unfonted, Laid, Vec<Option<Drawn>>), WriteError> {
    let mut writer = PdfWriter::new();
    writer.keeping = keep.into_iter().map(Keeping::new).collect();
    let laid = super::layout::lay_out_sharing(flow, &mut writer, breaks);
    let kept = writer.take_kept(&laid.outline);
    let unfonted = writer.finish_but_fonts(&laid, meta)?;
    Ok((unfonted, laid, kept))
}

/// As [`render_pdf_but_fonts`], for a flow whose first blocks another
/// document drew as `drawn`: those pages are placed as they are, and only
/// the rest of the flow is laid out. The same file as laying out the
/// whole flow (`tests/pdf.rs` compares them). A flow that prints page
/// numbers in its body is laid out whole.
pub(crate) fn render_pdf_after(
    drawn: Drawn,
    flow: &super::layout::Flow,
    meta: &Metadata,
    breaks: &LineBreaks,
) -> Result<(Unfonted, Laid), WriteError> {
    if layout::prints_page_numbers(flow) {
        return render_pdf_but_fonts(flow, meta, breaks);
    }
    let mut writer = PdfWriter::new();
    let start = writer.begin_with(drawn);
    let laid = layout::lay_out_from(flow, start, &mut writer, breaks);
    let unfonted = writer.finish_but_fonts(&laid, meta)?;
    Ok((unfonted, laid))
}

/// The document information dictionary: title, author, subject, the
/// program, and the report's date as creation and modification date.
fn info(meta: &Metadata) -> Dict {
    let date = meta.date.format("D:%Y%m%d000000+00'00'").to_string();
    Dict::new()
        .text("Title", &meta.title)
        .text("Author", &meta.author)
        .text("Subject", &meta.subject)
        .text("Creator", "csp-report")
        .text("Producer", &format!("csp-report {} (fonts subset by printpdf 0.12.8)", env!("CARGO_PKG_VERSION")))
        .text("CreationDate", &date)
        .text("ModDate", &date)
        .name("Trapped", "False")
}

/// The object of the page at a 0-based index.
fn page_object(pages: &[Ref], index: usize) -> Result<Ref, WriteError> {
    pages.get(index).copied().ok_or_else(|| WriteError(format!("no page {}", index + 1)))
}

/// XMP metadata: the title (which PDF/UA asks for here as well as in the
/// document information) and the PDF/UA-1 identification. Nothing in it
/// varies between runs.
fn add_xmp(file: &mut PdfFile, meta: &Metadata) -> Ref {
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
    // Left uncompressed, so tools that only scan for XMP still find it.
    let r = file.reserve();
    file.stream(r, Dict::of_type("Metadata").name("Subtype", "XML"), xmp.as_bytes());
    r
}

/// A destination: `page` shown as `view` says (`/Fit`, `/XYZ …`).
fn destination(page: Ref, view: &[u8]) -> Vec<u8> {
    let mut out = b"[".to_vec();
    file::reference(&mut out, page);
    out.push(b' ');
    out.extend_from_slice(view);
    out.push(b']');
    out
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
/// under its structure element; `heights` are the pages' heights. Returns
/// each page's annotations.
fn add_links(
    file: &mut PdfFile,
    pages: &[Ref],
    heights: &[f32],
    links: &[Link],
    structure: &mut Structure,
) -> Result<BTreeMap<usize, Vec<Ref>>, WriteError> {
    let mut annotations: BTreeMap<usize, Vec<Ref>> = BTreeMap::new();
    for &Link { page: index, x, y, w, h, target, tag } in links {
        let height = heights[index];
        let target_height = heights.get(target).copied().unwrap_or(height);
        let r = file.reserve();
        let rect = array([x, height - y - h, x + w, height - y], |out, v| number(out, v as f64));
        // The top of the page, at the reader's zoom.
        let mut view = b"/XYZ null ".to_vec();
        number(&mut view, target_height as f64);
        view.extend_from_slice(b" null");
        let dest = destination(page_object(pages, target)?, &view);
        let mut link = Dict::of_type("Annot")
            .name("Subtype", "Link")
            .raw("Rect", &rect)
            .raw("Border", b"[0 0 0]")
            .raw("Dest", &dest)
            // PDF/UA asks every annotation for a description.
            .text("Contents", &format!("Go to page {}", target + 1));
        if let Some(key) = structure.annotation(index, tag, r) {
            link = link.int("StructParent", key);
        }
        file.packed(r, &link.finish()).map_err(WriteError)?;
        annotations.entry(index).or_default().push(r);
    }
    Ok(annotations)
}

/// Builds the bookmarks as a tree: each entry nests under the nearest
/// earlier entry of a lower level. Returns the outline's root, if any.
fn add_outline(file: &mut PdfFile, pages: &[Ref], outline: &[OutlineEntry]) -> Result<Option<Ref>, WriteError> {
    if outline.is_empty() {
        return Ok(None);
    }
    let root = file.reserve();
    let ids: Vec<Ref> = outline.iter().map(|_| file.reserve()).collect();
    // Parent index of each entry (None: the root), and each entry's
    // children in order (the root's at the end).
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(outline.len());
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); outline.len() + 1];
    let mut stack: Vec<usize> = Vec::new();
    for (i, entry) in outline.iter().enumerate() {
        while stack.last().is_some_and(|&s| outline[s].level >= entry.level) {
            stack.pop();
        }
        let parent = stack.last().copied();
        parents.push(parent);
        children[parent.unwrap_or(outline.len())].push(i);
        stack.push(i);
    }
    // Visible descendants, for /Count (every entry open): each entry's own
    // count added to its ancestors', children always after their parent.
    let mut descendants = vec![0i64; outline.len() + 1];
    for i in (0..outline.len()).rev() {
        descendants[parents[i].unwrap_or(outline.len())] += 1 + descendants[i];
    }
    for (i, entry) in outline.iter().enumerate() {
        let siblings = &children[parents[i].unwrap_or(outline.len())];
        let position = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let dest = destination(page_object(pages, entry.page)?, b"/Fit");
        let mut dict = Dict::new().text("Title", &entry.title).reference("Parent", parents[i].map_or(root, |p| ids[p])).raw("Dest", &dest);
        if position > 0 {
            dict = dict.reference("Prev", ids[siblings[position - 1]]);
        }
        if let Some(&next) = siblings.get(position + 1) {
            dict = dict.reference("Next", ids[next]);
        }
        if let (Some(&first), Some(&last)) = (children[i].first(), children[i].last()) {
            dict = dict.reference("First", ids[first]).reference("Last", ids[last]).int("Count", descendants[i]);
        }
        file.packed(ids[i], &dict.finish()).map_err(WriteError)?;
    }
    let top = &children[outline.len()];
    let dict = Dict::of_type("Outlines")
        .reference("First", ids[top[0]])
        .reference("Last", ids[top[top.len() - 1]])
        .int("Count", descendants[outline.len()]);
    file.packed(root, &dict.finish()).map_err(WriteError)?;
    Ok(Some(root))
}

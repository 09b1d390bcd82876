//! The gate every return file passes before a spreadsheet reader sees it.
//! Chooses the reader by content, not by name (zip → `.xlsx`/`.xlsm`/`.xlsb`
//! or `.ods` by `[Content_Types].xml` / `mimetype`; OLE2 → `.xls`, or an
//! encrypted workbook; text → CSV) and refuses what would cost too much to
//! read: calamine allocates what a file *declares* (shared-string counts,
//! sheet dimensions, the dense range of its cells) and a crafted 9 KB file
//! can make it abort the whole process, which `catch_unwind` cannot stop. So
//! here the zip's central directory is checked against
//! [`Limits::max_expanded_bytes`], every part is inflated with a bound of its
//! declared size (a part that inflates further is refused), the shared-string
//! count and every sheet's used range are read from the XML and held to
//! [`Limits`]; `.xlsb` sheets' and `.xls` workbooks' binary cell records
//! are scanned the same way, as calamine will read them. A package of
//! ordinary size whose parts all inflate cleanly (each whole, by libdeflate)
//! is checked from memory and handed on with its parts stored, uncompressed
//! ([`Verdict::unpacked`], but for its theme, document properties and the
//! fonts, fills and borders of its styles, which it never needs): the
//! reader reads the bytes that were checked and inflates nothing again.
//! Worksheets and shared strings written plainly, as spreadsheet programs
//! write them, are scanned by a reader of their tags alone (`plain`), the
//! rest by quick-xml. Any other package is checked part by part as the zip
//! crate streams it, which names what is wrong.

use crate::config::Limits;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Cursor, Read};

mod plain;
mod stored;
mod styles;

/// The readers a return can go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    /// How a user names the format.
    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => ".xlsx",
            Format::Xlsb => ".xlsb",
            Format::Xls => ".xls",
            Format::Ods => ".ods",
            Format::Csv => ".csv",
        }
    }

    /// The format a file extension promises, if it is a spreadsheet type.
    pub(crate) fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" | "xltx" | "xltm" => Some(Format::Xlsx),
            "xlsb" => Some(Format::Xlsb),
            "xls" => Some(Format::Xls),
            "ods" => Some(Format::Ods),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Why a file cannot be read: one error diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `file-unreadable`, `file-mismatch`, `file-encrypted`, `file-refused`…
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn unreadable(message: impl Into<String>) -> Self {
        Failure { code: "file-unreadable", message: message.into(), hint: Some("ask the agency to send the file again".into()) }
    }

    pub fn encrypted() -> Self {
        Failure {
            code: "file-encrypted",
            message: "the workbook is protected with a password, so it cannot be read".into(),
            hint: Some("ask the agency to remove the password (File › Info › Protect Workbook) and send it again".into()),
        }
    }

    fn refused(message: impl Into<String>) -> Self {
        Failure {
            code: "file-refused",
            message: format!("refused: {}", message.into()),
            hint: Some("the limits are set under [limits] in csp-report.toml; ask the agency to send a plain copy".into()),
        }
    }

    fn mismatch(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Failure { code: "file-mismatch", message: message.into(), hint: Some(hint.into()) }
    }
}

/// What the gate decided: the reader to use, and a note when the name
/// promised another format than the content holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub format: Format,
    pub renamed_note: Option<String>,
    /// For a zip package (.xlsx, .xlsb, .ods) the guard inflated whole:
    /// the same package with its parts stored uncompressed, the bytes it
    /// checked, for the reader to read instead of the file so that nothing
    /// is inflated twice; its theme and document properties are left out
    /// (see `is_unread`), and its styles held without what the reader never
    /// needs (`styles`). `None`: read the file as it is.
    pub unpacked: Option<Vec<u8>>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Checks a file's bytes and chooses its reader. `extension` is the file's
/// (any case); the file's size has already been checked.
pub fn check(bytes: &[u8], extension: &str, limits: &Limits) -> Result<Verdict, Failure> {
    let named = Format::from_extension(extension);
    let ext = format!(".{}", extension.to_ascii_lowercase());
    let (format, unpacked) = if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        check_zip(bytes, limits, &ext)?
    } else if bytes.starts_with(OLE2_MAGIC) {
        (check_ole2(bytes, limits, &ext)?, None)
    } else if named == Some(Format::Csv) {
        (Format::Csv, None)
    } else {
        return Err(not_a_workbook(bytes, &ext));
    };
    let renamed_note = match named {
        Some(named) if named != format => {
            Some(format!("the file is named {ext} but holds an {} workbook; it was read as {}", format.label(), format.label()))
        }
        _ => None,
    };
    Ok(Verdict { format, renamed_note, unpacked })
}

/// The error for a file named as a workbook whose bytes are not one.
fn not_a_workbook(bytes: &[u8], ext: &str) -> Failure {
    let head = &bytes[..bytes.len().min(4096)];
    let text = std::str::from_utf8(head).is_ok() || head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let lower = lower.trim_start_matches('\u{feff}').trim_start();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<table") {
        Failure::mismatch(
            format!("the file is named {ext} but is a web page (HTML), not a workbook"),
            "open it in Excel and save it as an Excel Workbook (.xlsx)",
        )
    } else if lower.starts_with("<?xml") {
        Failure::mismatch(
            format!("the file is named {ext} but is an XML file (perhaps an Excel 2003 XML spreadsheet), not a workbook"),
            "open it in Excel and save it as an Excel Workbook (.xlsx)",
        )
    } else if bytes.starts_with(b"%PDF") {
        Failure::mismatch(format!("the file is named {ext} but is a PDF, not a workbook"), "ask the agency for the spreadsheet itself")
    } else if text && !head.contains(&0) {
        Failure::mismatch(
            format!("the file is named {ext} but holds plain text, not a workbook"),
            "if it is comma-separated data, rename it to .csv; otherwise open it in Excel and save it as .xlsx",
        )
    } else {
        Failure::unreadable(format!("the file is not a workbook: it does not start like an .xlsx (zip) or .xls (OLE2) file, so it is damaged or of another kind (named {ext})"))
    }
}

/// Thousands separators for messages: 4,000,000,000.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count for messages: 200 MiB, 1.5 GiB, 512 bytes.
fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    if value.fract() < 0.05 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

pub(crate) fn file_size_text(bytes: u64) -> String {
    size_text(bytes)
}

// ---------------------------------------------------------------------------
// Zip-based workbooks: .xlsx, .xlsm, .xlsb, .ods
// ---------------------------------------------------------------------------

/// What kind of part of a package is being inflated, for the scan it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    SharedStrings,
    Worksheet,
    BinaryWorksheet,
    OdsContent,
    Other,
}

fn check_zip(bytes: &[u8], limits: &Limits, ext: &str) -> Result<(Format, Option<Vec<u8>>), Failure> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Failure::unreadable(format!(
            "the file is a damaged or incomplete zip archive ({e}); it may have been cut short while being copied or emailed"
        ))
    })?;
    // 1. The central directory: what every part declares it expands to.
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|e| Failure::unreadable(format!("the zip archive is damaged ({e})")))?;
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        if part.encrypted() {
            return Err(Failure::encrypted());
        }
        if part.size() > limits.max_expanded_bytes {
            return Err(Failure::refused(format!(
                "part {name} declares {} once unzipped (limit {}); the file may be a zip bomb",
                size_text(part.size()),
                size_text(limits.max_expanded_bytes)
            )));
        }
        total = total.saturating_add(part.size());
        names.push(name);
    }
    if total > limits.max_expanded_bytes {
        return Err(Failure::refused(format!(
            "the workbook declares {} once unzipped (limit {}); the file may be a zip bomb",
            size_text(total),
            size_text(limits.max_expanded_bytes)
        )));
    }
    // A package of ordinary size whose every part inflates cleanly (within
    // what it declared, checksum right; by libdeflate, see
    // `unpack`) is checked from memory, and handed on with its
    // parts stored rather than deflated, so that calamine does not inflate
    // it all a second time (that was a third of the read stage). Any part
    // that does not inflate cleanly sends the file down the streamed checks
    // below, which say what is wrong with it; on clean parts both see the
    // same bytes and decide the same.
    if total <= UNPACK_AT_MOST {
        if let Some(unpacked) = unpack(&mut archive, total) {
            let format = check_unpacked(&archive, &names, &unpacked, limits, ext)?;
            return Ok((format, unpacked.into_copy()));
        }
    }
    check_streamed(&mut archive, &names, limits, ext).map(|format| (format, None))
}

/// The most a package may declare, all parts together, to be unpacked in
/// memory whole (see [`check_zip`]); bigger ones are checked part by part,
/// streamed, and calamine inflates them itself. Returns are far smaller.
const UNPACK_AT_MOST: u64 = 32 << 20;

/// Every part of the package inflated, in archive order, into a package of
/// stored parts ([`stored::StoredZip`]); `None` when any part cannot be
/// opened, is encrypted, is neither stored nor deflated, fails its
/// checksum, or inflates past its declared size (the streamed checks then
/// say which and how), as the zip crate's reader decides.
///
/// Inflated by libdeflate (already here for the PDFs' streams), whole: from
/// the part's raw bytes into the room it declares, so a part that would
/// inflate further fails for want of room. On a county's returns (small
/// parts, a few KiB each) that is about a third of the instructions the zip
/// crate's streamed reader took (zlib-rs, whose Huffman tables for each
/// part were a third of its work), and about half the time.
///
/// Every stream zlib inflates, libdeflate inflates to the same bytes. It
/// also inflates a few that break RFC 1951, which zlib calls damaged:
/// length symbols 286-287 (read as 258) and distance symbols 30-31 (read as
/// distances from 24,577), a dynamic block declaring more than 286 length
/// or 30 distance codes, a code-length code of one codeword, and the unused
/// half of a one-codeword or empty code. No encoder writes these; a part
/// that uses one and whose checksum is right is checked and handed on as
/// libdeflate read it, where before it was refused as damaged.
fn unpack(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, total: u64) -> Option<Unpacked> {
    // Bounded by the total checked against UNPACK_AT_MOST (the names by the file's size).
    let mut zip = stored::StoredZip::with_capacity(archive.len(), total as usize);
    let mut parts = Vec::with_capacity(archive.len());
    let mut copyable = true;
    let mut seen = std::collections::HashSet::with_capacity(archive.len());
    let (mut raw, mut unread) = (Vec::new(), Vec::new());
    for i in 0..archive.len() {
        let mut part = archive.by_index_raw(i).ok()?;
        if part.encrypted() {
            return None;
        }
        let (method, declared, crc) = (part.compression(), part.size(), part.crc32());
        // The copy is handed on only if it is the same package to the zip
        // crate: names of plain ASCII (it looks names up by their raw bytes
        // and by their decoded form, which a copy might not keep apart), no
        // directory with data, no two parts of one name.
        let name = part.name_raw().to_vec();
        copyable &= name.is_ascii() && seen.insert(name.clone()) && !(part.is_dir() && declared > 0);
        raw.clear();
        part.read_to_end(&mut raw).ok()?;
        let inflate = |out: &mut Vec<u8>| inflate_part(method, &raw, declared, out);
        // Every part inflates cleanly or none is handed on; a part the
        // reader never reads is checked as the others are, then dropped.
        let place = if is_unread(&name) {
            unread.clear();
            inflate(&mut unread)?;
            if libdeflater::crc32(&unread) != crc {
                return None;
            }
            None
        } else {
            let place = zip.add(&name, crc, inflate)?;
            if libdeflater::crc32(&zip.bytes()[place.clone()]) != crc {
                return None;
            }
            // The styles, checked whole, are handed on without what the
            // reader never needs, when that changes nothing it reads.
            match is_styles(&name).then(|| styles::trimmed(&zip.bytes()[place.clone()])).flatten() {
                Some(cut) => {
                    zip.replace_last(&cut, libdeflater::crc32(&cut))?;
                    None
                }
                None => Some(place),
            }
        };
        parts.push(place);
    }
    Some(Unpacked { zip, parts, copyable })
}

/// Appends a part's bytes, stored or deflated in `raw`, to `out`, within
/// the size it declares; `None` if it is neither or does not fit.
fn inflate_part(method: zip::CompressionMethod, raw: &[u8], declared: u64, out: &mut Vec<u8>) -> Option<()> {
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<libdeflater::Decompressor> = std::cell::RefCell::new(libdeflater::Decompressor::new());
    }
    match method {
        zip::CompressionMethod::Stored if raw.len() as u64 <= declared => out.extend_from_slice(raw),
        zip::CompressionMethod::Deflated => {
            // The room it declares, zeroed first; but no more than its raw
            // bytes could fill (deflate expands at most 1,032 times: a
            // 258-byte match in two bits), so a size declared falsely large
            // costs nothing to clear.
            let room = declared.min(raw.len() as u64 * 1032 + 1024) as usize;
            let start = out.len();
            out.resize(start + room, 0);
            let len = DECOMPRESSOR.with(|d| d.borrow_mut().deflate_decompress(raw, &mut out[start..])).ok()?;
            out.truncate(start + len);
        }
        _ => return None,
    }
    Some(())
}

/// Whether a part is one the stored copy leaves out, because the workbook
/// reader never needs it: the theme (`xl/theme/theme1.xml`), which calamine
/// reads only for the colours of cell styles, which the returns reader
/// never asks for (parsing it was an eighth of calamine's work on a
/// return; without it calamine takes the default Office theme, and every
/// value and date reads the same), and the document properties
/// (`docProps/`), which calamine never reads. Together they were half the
/// bytes sent to each reader child.
fn is_unread(name: &[u8]) -> bool {
    let name = name.to_ascii_lowercase();
    (name.starts_with(b"xl/theme/") && name.ends_with(b".xml")) || name.starts_with(b"docprops/")
}

/// Whether a part is a workbook's styles (`xl/styles.xml`), which the
/// stored copy holds without fonts, fills and borders where it can
/// (`styles`).
fn is_styles(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"xl/styles.xml")
}

/// A package whose parts are all inflated: the stored copy being written,
/// where each part is in it as it was inflated (`None` for one left out,
/// see [`is_unread`], or held cut, see [`is_styles`]), and whether it may
/// be handed on.
struct Unpacked {
    zip: stored::StoredZip,
    parts: Vec<Option<std::ops::Range<usize>>>,
    copyable: bool,
}

impl Unpacked {
    /// The `i`th part's bytes as inflated, unless the copy does not hold them.
    fn part(&self, i: usize) -> Option<&[u8]> {
        Some(&self.zip.bytes()[self.parts[i].clone()?])
    }

    /// The stored copy for calamine, or `None` (calamine reads the file as
    /// sent) when it would not be the same package.
    fn into_copy(self) -> Option<Vec<u8>> {
        self.copyable.then(|| self.zip.finish()).flatten()
    }
}

/// Steps 2 and 3 of [`check_zip`] on a package whose parts are all
/// inflated: the same checks as [`check_streamed`] makes, in the same
/// order, on the same bytes.
fn check_unpacked(
    archive: &zip::ZipArchive<Cursor<&[u8]>>,
    names: &[String],
    unpacked: &Unpacked,
    limits: &Limits,
    ext: &str,
) -> Result<Format, Failure> {
    // What `read_small_part` reads: the part `by_name` finds, its first MiB.
    let mut small_part = |name: &str| match archive.index_for_name(name).and_then(|i| unpacked.part(i)) {
        Some(part) => Ok(String::from_utf8_lossy(&part[..part.len().min(SMALL_PART)]).into_owned()),
        None => {
            Err(Failure::unreadable(format!("part {name} of the workbook cannot be unpacked ({})", zip::result::ZipError::FileNotFound)))
        }
    };
    let format = package_format(&mut small_part, names, ext)?;
    let sheet_names = if format == Format::Xlsx { xlsx_sheet_names(&mut small_part, names) } else { Vec::new() };
    for (i, name) in names.iter().enumerate() {
        // A part the copy does not hold as inflated (left out, or the styles
        // cut) is never one that is scanned.
        let (kind, Some(part)) = (part_kind(format, name), unpacked.part(i)) else { continue };
        if passes_plainly(kind, name, part, &sheet_names, limits) {
            continue;
        }
        if let Err(failure) = scan_part(kind, name, part, &sheet_names, limits) {
            // As in the streamed checks (where it would be the zip crate's error).
            if failure.message.contains(ZIP_OVERSIZE) {
                return Err(inflates_beyond(name, part.len() as u64));
            }
            return Err(failure);
        }
    }
    Ok(format)
}

/// The scan a part gets, by its kind.
fn scan_part<P: Part>(kind: PartKind, name: &str, part: P, sheet_names: &[(String, String)], limits: &Limits) -> Result<(), Failure> {
    match kind {
        PartKind::SharedStrings => scan_shared_strings(part.events(), limits),
        PartKind::Worksheet => scan_worksheet(part.events(), limits, name, sheet_name(sheet_names, name)),
        PartKind::BinaryWorksheet => scan_xlsb_sheet(part, limits, name),
        PartKind::OdsContent => scan_ods_content(part.events(), limits),
        PartKind::Other => Ok(()),
    }
}

/// The sheet a person sees for a worksheet part, when the workbook says.
fn sheet_name<'s>(sheet_names: &'s [(String, String)], part: &str) -> Option<&'s str> {
    sheet_names.iter().find(|(p, _)| p.eq_ignore_ascii_case(part)).map(|(_, sheet)| sheet.as_str())
}

/// Whether a worksheet or the shared strings, held whole, pass their scan
/// read by [`plain::Tags`]. `false` for any other part, a part that is not
/// plain, and a part the scan refuses: quick-xml then reads it, decides,
/// and words any refusal, as it would have alone (the tags are the same).
fn passes_plainly(kind: PartKind, name: &str, part: &[u8], sheet_names: &[(String, String)], limits: &Limits) -> bool {
    if !matches!(kind, PartKind::SharedStrings | PartKind::Worksheet) {
        return false;
    }
    let Ok(tags) = plain::Tags::new(part) else {
        return false;
    };
    match kind {
        PartKind::SharedStrings => scan_shared_strings(tags, limits).is_ok(),
        PartKind::Worksheet => scan_worksheet(tags, limits, name, sheet_name(sheet_names, name)).is_ok(),
        _ => false,
    }
}

/// Steps 2 and 3 of [`check_zip`] part by part, each part inflated as it
/// is scanned, so a damaged or overflowing part is caught where it goes
/// wrong.
fn check_streamed(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, names: &[String], limits: &Limits, ext: &str) -> Result<Format, Failure> {
    // 2. What the package is.
    let format = package_format(&mut |name| read_small_part(archive, name), names, ext)?;
    let sheet_names = if format == Format::Xlsx { xlsx_sheet_names(&mut |name| read_small_part(archive, name), names) } else { Vec::new() };
    // 3. Inflate every part within what it declared, scanning the parts
    //    calamine sizes its allocations from.
    for (i, name) in names.iter().enumerate() {
        let mut part =
            archive.by_index(i).map_err(|e| Failure::unreadable(format!("part {name} of the workbook cannot be unpacked ({e})")))?;
        let declared = part.size();
        let mut bounded = CountingReader { inner: (&mut part).take(declared.saturating_add(1)), count: 0 };
        if let Err(failure) = scan_part(part_kind(format, name), name, BufReader::new(&mut bounded), &sheet_names, limits) {
            // A part that inflates past its declared size is the real story
            // (the zip crate stops it with an I/O error of its own).
            if bounded.count > declared || failure.message.contains(ZIP_OVERSIZE) {
                return Err(inflates_beyond(name, declared));
            }
            return Err(failure);
        }
        if let Err(e) = io::copy(&mut bounded, &mut io::sink()) {
            return Err(if e.to_string().contains(ZIP_OVERSIZE) {
                inflates_beyond(name, declared)
            } else {
                Failure::unreadable(format!("part {name} of the workbook is damaged ({e})"))
            });
        }
        if bounded.count > declared {
            return Err(inflates_beyond(name, declared));
        }
    }
    Ok(format)
}

/// How the zip crate words a part that inflates past its declared size.
const ZIP_OVERSIZE: &str = "larger than its declared uncompressed size";

fn inflates_beyond(name: &str, declared: u64) -> Failure {
    Failure::refused(format!("part {name} inflates beyond the {} it declares; the file may be a zip bomb", size_text(declared)))
}

/// How much of a small part is read.
const SMALL_PART: usize = 1 << 20;

/// What reads a small part (its first [`SMALL_PART`] bytes) as text.
type SmallPart<'a> = dyn FnMut(&str) -> Result<String, Failure> + 'a;

/// Reads a small part whole (bounded).
fn read_small_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, Failure> {
    let mut part =
        archive.by_name(name).map_err(|e| Failure::unreadable(format!("part {name} of the workbook cannot be unpacked ({e})")))?;
    let mut text = Vec::new();
    (&mut part)
        .take(SMALL_PART as u64)
        .read_to_end(&mut text)
        .map_err(|e| Failure::unreadable(format!("part {name} of the workbook is damaged ({e})")))?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// Decides xlsx / xlsb / ods from the package's own declaration.
fn package_format(small_part: &mut SmallPart, names: &[String], ext: &str) -> Result<Format, Failure> {
    if names.iter().any(|n| n == "mimetype") {
        let mimetype = small_part("mimetype")?;
        let mimetype = mimetype.trim();
        return if mimetype == "application/vnd.oasis.opendocument.spreadsheet" {
            Ok(Format::Ods)
        } else if mimetype.contains("opendocument.text") {
            Err(Failure::mismatch(
                format!("the file is named {ext} but is an OpenDocument text document, not a spreadsheet"),
                "ask the agency for the spreadsheet",
            ))
        } else {
            Err(Failure::mismatch(
                format!("the file is named {ext} but is an OpenDocument file of another kind ({mimetype}), not a spreadsheet"),
                "ask the agency for the spreadsheet",
            ))
        };
    }
    if names.iter().any(|n| n == "[Content_Types].xml") {
        let types = small_part("[Content_Types].xml")?;
        return if types.contains("ms-excel.sheet.binary") {
            Ok(Format::Xlsb)
        } else if types.contains("spreadsheetml") || types.contains("ms-excel.sheet.macroEnabled") || types.contains("ms-excel.template") {
            Ok(Format::Xlsx)
        } else if types.contains("wordprocessingml") {
            Err(Failure::mismatch(
                format!("the file is named {ext} but is a Word document, not a workbook"),
                "ask the agency for the spreadsheet",
            ))
        } else if types.contains("presentationml") {
            Err(Failure::mismatch(
                format!("the file is named {ext} but is a PowerPoint file, not a workbook"),
                "ask the agency for the spreadsheet",
            ))
        } else {
            Err(Failure::mismatch(
                format!("the file is named {ext} but is an Office package without a workbook in it"),
                "ask the agency for the spreadsheet",
            ))
        };
    }
    Err(Failure::mismatch(
        format!("the file is named {ext} but is a zip archive, not a workbook"),
        "unzip it and put the returns themselves in the folder",
    ))
}

/// The attributes (full names, raw values) of every element named `local`
/// in `xml`, up to the first error, as quick-xml reads it; read by
/// [`plain::Tags`] when the part is plain.
fn elements(xml: &str, local: &str) -> Vec<Vec<(String, String)>> {
    /// `true` when the events reached their end without an error.
    fn collect(events: &mut impl XmlEvents, local: &str, found: &mut Vec<Vec<(String, String)>>) -> bool {
        loop {
            match events.next_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == local => {
                    found.push(e.attributes().flatten().map(|a| (a.key.as_ref().to_string(), a.value.to_string())).collect());
                }
                Ok(Event::Eof) => return true,
                Err(_) => return false,
                Ok(_) => {}
            }
        }
    }
    let mut found = Vec::new();
    if let Ok(mut tags) = plain::Tags::new(xml.as_bytes()) {
        if collect(&mut tags, local, &mut found) {
            return found;
        }
        found.clear();
    }
    collect(&mut quick_xml::Reader::from_str(xml), local, &mut found);
    found
}

/// (part name, sheet name) for an xlsx's worksheets, from `xl/workbook.xml`
/// and its relationships, so messages can name the sheet a person sees.
/// Best effort: an empty list when the parts are missing or odd.
fn xlsx_sheet_names(small_part: &mut SmallPart, names: &[String]) -> Vec<(String, String)> {
    let (workbook_part, rels_part) = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels");
    if !names.iter().any(|n| n == workbook_part) || !names.iter().any(|n| n == rels_part) {
        return Vec::new();
    }
    let (Ok(workbook), Ok(rels)) = (small_part(workbook_part), small_part(rels_part)) else {
        return Vec::new();
    };
    let get = |attrs: &[(String, String)], key: &str| {
        attrs.iter().find(|(k, _)| k == key || k.ends_with(&format!(":{key}"))).map(|(_, v)| v.clone())
    };
    let targets: Vec<(String, String)> =
        elements(&rels, "Relationship").iter().filter_map(|a| Some((get(a, "Id")?, get(a, "Target")?))).collect();
    elements(&workbook, "sheet")
        .iter()
        .filter_map(|a| {
            let name = get(a, "name")?;
            let id = a.iter().find(|(k, _)| k.ends_with(":id")).map(|(_, v)| v.clone())?;
            let target = targets.iter().find(|(i, _)| *i == id)?.1.clone();
            let part = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            };
            Some((part, name))
        })
        .collect()
}

fn part_kind(format: Format, name: &str) -> PartKind {
    let lower = name.to_ascii_lowercase();
    match format {
        Format::Xlsx if lower.ends_with("sharedstrings.xml") => PartKind::SharedStrings,
        Format::Xlsx
            if lower.ends_with(".xml")
                && (lower.contains("worksheets/") || lower.contains("macrosheets/") || lower.contains("dialogsheets/"))
                && !lower.contains("/_rels/") =>
        {
            PartKind::Worksheet
        }
        Format::Xlsb if lower.ends_with(".bin") && lower.contains("worksheets/") => PartKind::BinaryWorksheet,
        Format::Ods if lower == "content.xml" => PartKind::OdsContent,
        _ => PartKind::Other,
    }
}

/// A part as the scans read it: its bytes, or its XML events. A part
/// inflated whole is read in place; a streamed one through a buffer. Both
/// give the same events and errors for the same bytes (quick-xml's slice
/// and buffered readers share one parser).
trait Part: Read {
    type Events: TextEvents;
    fn events(self) -> Self::Events;
}

/// The next XML event, however the part is held and whichever reader reads
/// it; `Err` for a part that reader will not read on.
trait XmlEvents {
    type Error: std::fmt::Display;
    fn next_event(&mut self) -> Result<Event<'_>, Self::Error>;
}

/// Events with the text between the tags, which [`plain::Tags`] leaves out:
/// what a scan that looks at text (`scan_ods_content`) needs.
trait TextEvents: XmlEvents {}

impl<'a> Part for &'a [u8] {
    type Events = quick_xml::Reader<&'a [u8]>;
    fn events(self) -> Self::Events {
        quick_xml::Reader::from_reader(self)
    }
}

impl XmlEvents for quick_xml::Reader<&[u8]> {
    type Error = quick_xml::Error;
    fn next_event(&mut self) -> quick_xml::Result<Event<'_>> {
        self.read_event()
    }
}

impl TextEvents for quick_xml::Reader<&[u8]> {}

impl<R: Read> Part for BufReader<R> {
    type Events = Buffered<BufReader<R>>;
    fn events(self) -> Self::Events {
        Buffered { reader: quick_xml::Reader::from_reader(self), buf: Vec::new() }
    }
}

/// A streamed part's reader and the buffer its events are read into.
struct Buffered<R> {
    reader: quick_xml::Reader<R>,
    buf: Vec<u8>,
}

impl<R: BufRead> XmlEvents for Buffered<R> {
    type Error = quick_xml::Error;
    fn next_event(&mut self) -> quick_xml::Result<Event<'_>> {
        self.buf.clear();
        self.reader.read_event_into(&mut self.buf)
    }
}

impl<R: BufRead> TextEvents for Buffered<R> {}

impl XmlEvents for plain::Tags<'_> {
    type Error = plain::NotPlain;
    fn next_event(&mut self) -> Result<Event<'_>, plain::NotPlain> {
        self.next_tag()
    }
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

fn xml_failure(part: &str, error: impl std::fmt::Display) -> Failure {
    Failure::unreadable(format!("part {part} of the workbook is damaged ({error})"))
}

/// A numeric attribute, by local name.
fn attr_u64(e: &BytesStart<'_>, local: &str) -> Option<u64> {
    attr_text(e, local)?.trim().parse().ok()
}

/// An attribute's raw value, by local name (borrowed: the scans read
/// several per cell).
fn attr_text<'e>(e: &'e BytesStart<'_>, local: &str) -> Option<Cow<'e, str>> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| a.value)
}

/// Holds the shared-strings table to its limit, declared and actual.
fn scan_shared_strings(mut events: impl XmlEvents, limits: &Limits) -> Result<(), Failure> {
    let name = "xl/sharedStrings.xml";
    let mut strings: u64 = 0;
    loop {
        match events.next_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "sst" => {
                    // calamine reserves room for as many strings as uniqueCount says.
                    if let Some(n) = attr_u64(&e, "uniqueCount").filter(|n| *n > limits.max_shared_strings) {
                        return Err(Failure::refused(format!(
                            "the workbook declares {} shared strings (limit {})",
                            thousands(n),
                            thousands(limits.max_shared_strings)
                        )));
                    }
                }
                "si" => {
                    strings += 1;
                    if strings > limits.max_shared_strings {
                        return Err(Failure::refused(format!(
                            "the workbook holds more than {} shared strings (limit {})",
                            thousands(limits.max_shared_strings),
                            thousands(limits.max_shared_strings)
                        )));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(xml_failure(name, e)),
            Ok(_) => {}
        }
    }
}

/// A1 reference → 0-based (row, col); `None` when malformed or beyond
/// Excel's grid.
pub(crate) fn parse_a1(text: &str) -> Option<(u64, u64)> {
    let text = text.trim().trim_start_matches('$');
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let (col_part, row_part) = text.split_at(letters);
    let row_part = row_part.trim_start_matches('$');
    let mut col: u64 = 0;
    for b in col_part.bytes() {
        col = col * 26 + (b.to_ascii_uppercase() - b'A') as u64 + 1;
    }
    if row_part.is_empty() || row_part.len() > 10 || !row_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: u64 = row_part.parse().ok()?;
    (row >= 1 && col >= 1).then(|| (row - 1, col - 1))
}

/// Running extent of the cells seen.
#[derive(Default)]
struct Extent {
    min_row: u64,
    max_row: u64,
    min_col: u64,
    max_col: u64,
    any: bool,
}

impl Extent {
    fn add(&mut self, row: u64, col: u64) {
        self.add_block(row, col, 1, 1);
    }

    /// A block of `rows` × `cols` cells with its top-left at (row, col).
    fn add_block(&mut self, row: u64, col: u64, rows: u64, cols: u64) {
        let (last_row, last_col) = (row.saturating_add(rows.max(1) - 1), col.saturating_add(cols.max(1) - 1));
        if self.any {
            self.min_row = self.min_row.min(row);
            self.max_row = self.max_row.max(last_row);
            self.min_col = self.min_col.min(col);
            self.max_col = self.max_col.max(last_col);
        } else {
            (self.min_row, self.max_row, self.min_col, self.max_col, self.any) = (row, last_row, col, last_col, true);
        }
    }

    fn cells(&self) -> u64 {
        if !self.any {
            return 0;
        }
        (self.max_row - self.min_row + 1).saturating_mul(self.max_col - self.min_col + 1)
    }

    fn range_text(&self) -> String {
        format!(
            "{}:{}",
            crate::diagnostics::a1(self.min_row.min(u32::MAX as u64) as u32, self.min_col.min(u32::MAX as u64) as u32),
            crate::diagnostics::a1(self.max_row.min(u32::MAX as u64) as u32, self.max_col.min(u32::MAX as u64) as u32)
        )
    }
}

/// `phrase` says what spans the range: "the cells of sheet \"Progress\" span".
fn too_many_cells(phrase: &str, extent: &Extent, limits: &Limits) -> Failure {
    Failure::refused(format!(
        "{phrase} {} ({} cells; limit {})",
        extent.range_text(),
        thousands(extent.cells()),
        thousands(limits.max_cells)
    ))
}

/// Holds a worksheet's declared dimension and the extent of the cells that
/// hold a value to [`Limits::max_cells`] (calamine builds a dense range over
/// those; cells that only carry a format are skipped by it, and here). Cells
/// without an `r` reference follow the previous one, as Excel and calamine
/// place them.
fn scan_worksheet(mut events: impl XmlEvents, limits: &Limits, name: &str, sheet_name: Option<&str>) -> Result<(), Failure> {
    let mut extent = Extent::default();
    let mut row: u64 = 0;
    let mut next_row: u64 = 0;
    let mut next_col: u64 = 0;
    // The open `<c>` element's position, until a value is seen in it.
    let mut open_cell: Option<(u64, u64)> = None;
    let sheet_label = match sheet_name {
        Some(sheet) => format!("sheet {sheet:?}"),
        None => format!("the sheet in {name}"),
    };
    loop {
        let (e, has_children) = match events.next_event() {
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == "c" {
                    open_cell = None;
                }
                continue;
            }
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(xml_failure(name, e)),
            Ok(_) => {
                continue;
            }
        };
        match e.local_name().as_ref() {
            "dimension" => {
                if let Some(reference) = attr_text(&e, "ref") {
                    let mut declared = Extent::default();
                    for corner in reference.split(':') {
                        match parse_a1(corner) {
                            Some((r, c)) => declared.add(r, c),
                            None if corner.bytes().any(|b| b.is_ascii_digit()) => {
                                return Err(Failure::refused(format!(
                                    "{sheet_label} declares a used range {reference:?} beyond any spreadsheet's grid"
                                )));
                            }
                            None => {}
                        }
                    }
                    if declared.cells() > limits.max_cells {
                        return Err(too_many_cells(&format!("{sheet_label} declares a used range of"), &declared, limits));
                    }
                }
            }
            "row" => {
                row = match attr_text(&e, "r") {
                    Some(r) => match r.trim().parse::<u64>() {
                        Ok(n) if n >= 1 => n - 1,
                        _ => return Err(xml_failure(name, format!("row number {r:?}"))),
                    },
                    None => next_row,
                };
                next_row = row + 1;
                next_col = 0;
            }
            "c" => {
                let (r, c) = match attr_text(&e, "r") {
                    Some(reference) => match parse_a1(&reference) {
                        Some(rc) => rc,
                        None => {
                            return Err(Failure::refused(format!(
                                "{sheet_label} has a cell reference {reference:?} beyond any spreadsheet's grid"
                            )))
                        }
                    },
                    None => (row, next_col),
                };
                next_col = c + 1;
                open_cell = has_children.then_some((r, c));
            }
            "v" | "is" | "f" => {
                if let Some((r, c)) = open_cell.take() {
                    extent.add(r, c);
                    if extent.cells() > limits.max_cells {
                        return Err(too_many_cells(&format!("the cells of {sheet_label} span"), &extent, limits));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Holds an OpenDocument spreadsheet's tables to [`Limits::max_cells`]:
/// rows and cells may be repeated (`number-rows-repeated`), so a few bytes
/// can describe millions of cells. A cell counts when it has a value type or
/// a formula, or holds some text; empty styled cells do not (calamine skips
/// them too).
fn scan_ods_content(mut events: impl TextEvents, limits: &Limits) -> Result<(), Failure> {
    let mut extent = Extent::default();
    let (mut row, mut row_repeat, mut col) = (0u64, 1u64, 0u64);
    let mut table = String::new();
    // An open cell without a value type: (row, col, columns repeated), counted if text appears in it.
    let mut open_cell: Option<(u64, u64, u64)> = None;
    let add = |extent: &mut Extent, table: &str, (r, c, repeat): (u64, u64, u64), rows: u64| -> Result<(), Failure> {
        extent.add_block(r, c, rows, repeat);
        if extent.cells() > limits.max_cells {
            let what =
                if table.is_empty() { "the cells of a sheet span".to_string() } else { format!("the cells of sheet {table:?} span") };
            return Err(too_many_cells(&what, extent, limits));
        }
        Ok(())
    };
    loop {
        let (e, has_children) = match events.next_event() {
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::End(e)) => {
                match e.local_name().as_ref() {
                    "table-row" => row = row.saturating_add(row_repeat),
                    "table-cell" | "covered-table-cell" => open_cell = None,
                    _ => {}
                }
                continue;
            }
            Ok(Event::Text(t)) => {
                if let Some(cell) = open_cell {
                    if t.as_ref().chars().any(|c: char| !c.is_whitespace()) {
                        add(&mut extent, &table, cell, row_repeat)?;
                        open_cell = None;
                    }
                }
                continue;
            }
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(xml_failure("content.xml", e)),
            Ok(_) => {
                continue;
            }
        };
        match e.local_name().as_ref() {
            "table" => {
                table = attr_text(&e, "name").map(Cow::into_owned).unwrap_or_default();
                (row, col, extent) = (0, 0, Extent::default());
            }
            "table-row" => {
                row_repeat = attr_u64(&e, "number-rows-repeated").unwrap_or(1).max(1);
                col = 0;
                if !has_children {
                    row = row.saturating_add(row_repeat);
                }
            }
            "table-cell" | "covered-table-cell" => {
                let repeat = attr_u64(&e, "number-columns-repeated").unwrap_or(1).max(1);
                let typed = attr_text(&e, "value-type").is_some() || attr_text(&e, "formula").is_some();
                if typed {
                    add(&mut extent, &table, (row, col, repeat), row_repeat)?;
                } else if has_children {
                    open_cell = Some((row, col, repeat));
                }
                col = col.saturating_add(repeat);
            }
            _ => {}
        }
    }
}

/// Holds an .xlsb worksheet's cells to [`Limits::max_cells`], walking its
/// records as calamine does: a row header (type 0) sets the row, a cell
/// record (types 2 to 11) gives the column in its first four bytes — read
/// from a buffer reused between records, as calamine reads it — and rows past
/// Excel's last or the end of the sheet data stop the walk.
fn scan_xlsb_sheet<R: Read>(part: R, limits: &Limits, name: &str) -> Result<(), Failure> {
    let mut reader = BufReader::new(part);
    let mut byte = || -> Option<u8> {
        let mut b = [0u8; 1];
        reader.read_exact(&mut b).ok().map(|_| b[0])
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut extent = Extent::default();
    let mut row: u64 = 0;
    loop {
        let Some(first) = byte() else { return Ok(()) };
        let kind = if first & 0x80 != 0 {
            let Some(second) = byte() else { return Ok(()) };
            (first & 0x7F) as u16 + (((second & 0x7F) as u16) << 7)
        } else {
            first as u16
        };
        let Some(mut b) = byte() else { return Ok(()) };
        let mut len = (b & 0x7F) as usize;
        for i in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            let Some(next) = byte() else { return Ok(()) };
            b = next;
            len += ((b & 0x7F) as usize) << (7 * i);
        }
        if buf.len() < len {
            buf.resize(len, 0);
        }
        for slot in buf.iter_mut().take(len) {
            match byte() {
                Some(v) => *slot = v,
                None => return Ok(()),
            }
        }
        let u32_at_start = (buf.len() >= 4).then(|| u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as u64);
        match kind {
            0x0000 => match u32_at_start {
                Some(r) if r <= 0x0010_0000 => row = r,
                _ => return Ok(()),
            },
            0x0092 => return Ok(()),
            2..=11 => {
                if let Some(col) = u32_at_start {
                    extent.add(row, col);
                    if extent.cells() > limits.max_cells {
                        return Err(too_many_cells(&format!("the cells of the sheet in {name} span"), &extent, limits));
                    }
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// OLE2 compound files: .xls, and workbooks encrypted with a password
// ---------------------------------------------------------------------------

fn check_ole2(bytes: &[u8], limits: &Limits, ext: &str) -> Result<Format, Failure> {
    let opened = super::contain::contain(|| cfb::CompoundFile::open(Cursor::new(bytes)));
    let mut compound = match opened {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return Err(Failure::unreadable(format!("the file is a damaged Office (OLE2) file ({e})"))),
        Err(_) => return Err(Failure::unreadable("the file is a damaged Office (OLE2) file")),
    };
    // An .xlsx saved with a password is an OLE2 file holding the encrypted package.
    if compound.exists("/EncryptedPackage") || compound.exists("/EncryptionInfo") {
        return Err(Failure::encrypted());
    }
    let stream = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|s| compound.is_stream(s));
    let Some(stream) = stream else {
        let what = if compound.exists("/WordDocument") {
            "a Word document"
        } else if compound.exists("/PowerPoint Document") {
            "a PowerPoint file"
        } else {
            "an Office file without a workbook in it"
        };
        return Err(Failure::mismatch(
            format!("the file is named {ext} but is {what}, not a workbook"),
            "ask the agency for the spreadsheet",
        ));
    };
    let size = compound.entry(stream).map(|e| e.len()).unwrap_or(0);
    if size > limits.max_expanded_bytes {
        return Err(Failure::refused(format!(
            "the workbook stream is {} (limit {})",
            size_text(size),
            size_text(limits.max_expanded_bytes)
        )));
    }
    let mut data = Vec::new();
    compound
        .open_stream(stream)
        .and_then(|s| s.take(limits.max_expanded_bytes).read_to_end(&mut data))
        .map_err(|e| Failure::unreadable(format!("the workbook stream is damaged ({e})")))?;
    scan_biff(&data, limits).map(|_| Format::Xls)
}

/// Walks an .xls workbook stream's records: a FILEPASS record means a
/// password; cell records' rows and columns are held to the cell limit per
/// sheet (each sheet starts with a BOF record).
fn scan_biff(data: &[u8], limits: &Limits) -> Result<(), Failure> {
    const BOF: u16 = 0x0809;
    const FILEPASS: u16 = 0x002F;
    const DIMENSIONS: u16 = 0x0200;
    const CELL_RECORDS: [u16; 9] = [0x0203, 0x00FD, 0x027E, 0x00BD, 0x0006, 0x0205, 0x0204, 0x0201, 0x00BE];
    let mut extent = Extent::default();
    let mut at = 0usize;
    while at + 4 <= data.len() {
        let kind = u16::from_le_bytes([data[at], data[at + 1]]);
        let len = u16::from_le_bytes([data[at + 2], data[at + 3]]) as usize;
        let body = &data[at + 4..(at + 4 + len).min(data.len())];
        match kind {
            FILEPASS => return Err(Failure::encrypted()),
            BOF => extent = Extent::default(),
            DIMENSIONS => check_biff_dimensions(body, limits)?,
            k if CELL_RECORDS.contains(&k) && body.len() >= 4 => {
                let row = u16::from_le_bytes([body[0], body[1]]) as u64;
                let col = u16::from_le_bytes([body[2], body[3]]) as u64;
                // MULRK / MULBLANK cover a run of columns ending at the last two bytes.
                let last_col = if (k == 0x00BD || k == 0x00BE) && body.len() >= 6 {
                    u16::from_le_bytes([body[body.len() - 2], body[body.len() - 1]]) as u64
                } else {
                    col
                };
                extent.add_block(row, col, 1, last_col.saturating_sub(col) + 1);
                if extent.cells() > limits.max_cells {
                    return Err(too_many_cells("the cells of a sheet span", &extent, limits));
                }
            }
            _ => {}
        }
        at += 4 + len;
    }
    Ok(())
}

/// An .xls DIMENSIONS record, read as calamine reads it (it reserves room
/// for rows × columns, and an end before the start wraps around).
fn check_biff_dimensions(body: &[u8], limits: &Limits) -> Result<(), Failure> {
    let u16_at = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]) as i64;
    let u32_at = |i: usize| u32::from_le_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]) as i64;
    let (first_row, last_row, mut first_col, last_col) = match body.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return Ok(()),
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    let (rows, cols) = if last_row >= 1 && last_col >= 1 { (last_row - first_row, last_col - first_col) } else { (1, 1) };
    if rows < 0 || cols < 0 {
        return Err(Failure::refused("a sheet declares a used range that ends before it starts"));
    }
    let cells = (rows as u64).saturating_mul(cols as u64);
    if cells > limits.max_cells {
        return Err(Failure::refused(format!(
            "a sheet declares a used range of {} rows by {} columns ({} cells; limit {})",
            thousands(rows as u64),
            thousands(cols as u64),
            thousands(cells),
            thousands(limits.max_cells)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A small real workbook, as Excel-like software writes it.
    fn workbook_bytes() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Progress").unwrap();
        for (col, text) in ["Action ID", "Status", "Update"].into_iter().enumerate() {
            sheet.write(0, col as u16, text).unwrap();
        }
        sheet.write(1, 0, "DA1").unwrap();
        sheet.write(1, 1, "Green").unwrap();
        sheet.write(1, 2, 0.5).unwrap();
        book.save_to_buffer().unwrap()
    }

    /// The package again with `extra` parts added (name, data).
    fn with_parts(bytes: &[u8], extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut original = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..original.len() {
            writer.raw_copy_file(original.by_index_raw(i).unwrap()).unwrap();
        }
        for (name, data) in extra {
            if name.ends_with('/') {
                writer.add_directory(*name, zip::write::SimpleFileOptions::default()).unwrap();
            } else {
                writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
                writer.write_all(data).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_checked_package_is_handed_on_with_the_same_parts_stored() {
        let bytes = with_parts(&workbook_bytes(), &[("Configurations2/", &b""[..])]);
        let verdict = check(&bytes, "xlsx", &Limits::default()).unwrap();
        let unpacked = verdict.unpacked.expect("a stored copy");
        let mut original = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut stored = zip::ZipArchive::new(Cursor::new(unpacked.as_slice())).unwrap();
        // Every part but the theme and the document properties, in order.
        let unread = ["xl/theme/theme1.xml", "docProps/app.xml", "docProps/core.xml"];
        for name in unread {
            assert!(original.index_for_name(name).is_some(), "{name}");
            assert_eq!(stored.index_for_name(name), None, "{name}");
        }
        assert_eq!(stored.len(), original.len() - unread.len());
        let mut copies = 0..stored.len();
        for i in 0..original.len() {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut part = original.by_index(i).unwrap();
            let name = part.name().unwrap().into_owned();
            part.read_to_end(&mut a).unwrap();
            drop(part);
            if unread.contains(&name.as_str()) {
                continue;
            }
            let mut copy = stored.by_index(copies.next().unwrap()).unwrap();
            assert_eq!(copy.name().unwrap(), name);
            assert_eq!(copy.is_dir(), name.ends_with('/'));
            assert_eq!(copy.compression(), zip::CompressionMethod::Stored, "{name}");
            copy.read_to_end(&mut b).unwrap();
            // The styles without their fonts, fills and borders.
            if name == "xl/styles.xml" {
                a = styles::trimmed(&a).expect("the styles cut");
                assert!(!String::from_utf8_lossy(&b).contains("<fonts"));
            }
            assert!(a == b, "{name}");
        }
        // calamine reads the same workbook from either.
        let read = |bytes: &[u8]| format!("{:?}", crate::returns::sheet::read_workbook(bytes, Format::Xlsx));
        assert_eq!(read(&unpacked), read(&bytes));
        assert!(read(&unpacked).contains("Green"));
    }

    #[test]
    fn dates_and_numbers_read_the_same_from_the_styles_cut_of_fonts_fills_and_borders() {
        use rust_xlsxwriter::{Color, ExcelDateTime, Format as CellStyle, FormatBorder};
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let header = CellStyle::new().set_bold().set_background_color(Color::RGB(0x9DC3E6)).set_border(FormatBorder::Thin);
        let custom_date = CellStyle::new().set_num_format("dd/mm/yyyy").set_font_name("Arial").set_border(FormatBorder::Thin);
        let built_in_date = CellStyle::new().set_num_format_index(14).set_italic();
        let percent = CellStyle::new().set_num_format("0%").set_font_color(Color::Red);
        for (col, text) in ["Action ID", "Due", "Updated", "% complete"].into_iter().enumerate() {
            sheet.write_with_format(0, col as u16, text, &header).unwrap();
        }
        let date = ExcelDateTime::from_ymd(2019, 3, 31).unwrap();
        sheet.write_string(1, 0, "DA1").unwrap();
        sheet.write_datetime_with_format(1, 1, &date, &custom_date).unwrap();
        sheet.write_datetime_with_format(1, 2, &date, &built_in_date).unwrap();
        sheet.write_number_with_format(1, 3, 0.75, &percent).unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let unpacked = check(&bytes, "xlsx", &Limits::default()).unwrap().unpacked.expect("a stored copy");
        let mut stored = zip::ZipArchive::new(Cursor::new(unpacked.as_slice())).unwrap();
        let mut styles = String::new();
        stored.by_name("xl/styles.xml").unwrap().read_to_string(&mut styles).unwrap();
        assert!(!styles.contains("<fonts") && !styles.contains("<fills") && !styles.contains("<borders"), "{styles}");
        assert!(styles.contains("dd/mm/yyyy"), "{styles}");
        let read = |bytes: &[u8]| format!("{:?}", crate::returns::sheet::read_workbook(bytes, Format::Xlsx));
        assert_eq!(read(&unpacked), read(&bytes));
        assert_eq!(read(&unpacked).matches("Date(2019-03-31T00:00:00)").count(), 2, "{}", read(&unpacked));
        assert!(read(&unpacked).contains("Number(0.75)"));
    }

    #[test]
    fn a_package_that_cannot_be_copied_faithfully_is_handed_on_as_sent() {
        let bytes = with_parts(&workbook_bytes(), &[("docProps/caf\u{e9}.xml", &b"<x/>"[..])]);
        let verdict = check(&bytes, "xlsx", &Limits::default()).unwrap();
        assert_eq!(verdict.format, Format::Xlsx);
        assert_eq!(verdict.unpacked, None, "a name that is not ASCII");
        // Nor is a package bigger than is unpacked in memory (its parts are streamed).
        let big = vec![b'x'; UNPACK_AT_MOST as usize + 1];
        let verdict = check(&with_parts(&workbook_bytes(), &[("docProps/big.txt", big.as_slice())]), "xlsx", &Limits::default()).unwrap();
        assert_eq!(verdict.unpacked, None);
    }

    #[test]
    fn a_part_that_does_not_inflate_cleanly_is_still_refused() {
        let bytes = workbook_bytes();
        // The central directory's record of the first worksheet: its declared size halved.
        let name = b"xl/worksheets/sheet1.xml";
        let record = (0..bytes.len() - name.len())
            .find(|&i| bytes[i..].starts_with(b"PK\x01\x02") && bytes.get(i + 46..).is_some_and(|rest| rest.starts_with(name)))
            .expect("the worksheet's record");
        let size = u32::from_le_bytes(bytes[record + 24..record + 28].try_into().unwrap());
        let mut bomb = bytes.clone();
        bomb[record + 24..record + 28].copy_from_slice(&(size / 2).to_le_bytes());
        let failure = check(&bomb, "xlsx", &Limits::default()).unwrap_err();
        assert_eq!(failure.code, "file-refused");
        assert_eq!(
            failure.message,
            format!(
                "refused: part xl/worksheets/sheet1.xml inflates beyond the {} it declares; the file may be a zip bomb",
                size_text((size / 2).into())
            )
        );
        // Its checksum wrong: damaged.
        let mut damaged = bytes.clone();
        damaged[record + 16] ^= 0xFF;
        let failure = check(&damaged, "xlsx", &Limits::default()).unwrap_err();
        assert_eq!(failure.code, "file-unreadable");
        assert!(failure.message.starts_with("part xl/worksheets/sheet1.xml of the workbook is damaged"), "{}", failure.message);
    }

    /// What [`unpack`] did before it used libdeflate: the zip
    /// crate's reader (zlib-rs, its checksum and size checks), bounded by
    /// the declared size as the streamed checks are.
    fn inflate_by_zip(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Inflated {
        (0..archive.len())
            .map(|i| {
                let mut part = archive.by_index(i).ok()?;
                let (declared, name) = (part.size(), part.name_raw().to_vec());
                let mut data = Vec::new();
                (&mut part).take(declared.saturating_add(1)).read_to_end(&mut data).ok()?;
                let cut = is_styles(&name) && styles::trimmed(&data).is_some();
                let kept = !is_unread(&name) && !cut;
                (data.len() as u64 <= declared).then(|| kept.then_some(data))
            })
            .collect()
    }

    /// A package's parts inflated (each `None` if left out of the copy, see
    /// [`is_unread`]), or `None`: what [`unpack`] gives.
    type Inflated = Option<Vec<Option<Vec<u8>>>>;

    /// Both ways of inflating a package, on `bytes`; `None` when it is not a zip.
    fn both_inflations(bytes: &[u8]) -> Option<(Inflated, Inflated)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let total = (0..archive.len()).map(|i| archive.by_index_raw(i).map_or(0, |p| p.size())).sum::<u64>().min(UNPACK_AT_MOST);
        let ours = unpack(&mut archive, total).map(|u| (0..u.parts.len()).map(|i| u.part(i).map(<[u8]>::to_vec)).collect());
        Some((ours, inflate_by_zip(&mut archive)))
    }

    /// Where each part's central-directory record starts.
    fn central_records(bytes: &[u8]) -> Vec<usize> {
        (0..bytes.len().saturating_sub(4)).filter(|&i| bytes[i..].starts_with(b"PK\x01\x02")).collect()
    }

    #[test]
    fn parts_inflate_as_the_zip_crate_inflates_them_however_damaged() {
        let mut bytes = with_parts(&workbook_bytes(), &[("Configurations2/", &b""[..])]);
        // One part stored, as some writers store small parts.
        bytes = {
            let mut original = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
            let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for i in 0..original.len() {
                writer.raw_copy_file(original.by_index_raw(i).unwrap()).unwrap();
            }
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            writer.start_file("docProps/custom.xml", stored).unwrap();
            writer.write_all(b"<Properties>stored as it is</Properties>").unwrap();
            writer.finish().unwrap().into_inner()
        };
        let (ours, theirs) = both_inflations(&bytes).unwrap();
        assert!(ours.is_some());
        assert_eq!(ours, theirs);
        // How many damaged packages opened, and how many of those inflated.
        let (mut compared, mut inflated) = (0, 0);
        let mut compare = |mutated: &[u8], what: &str| {
            if let Some((ours, theirs)) = both_inflations(mutated) {
                inflated += usize::from(ours.is_some());
                let lengths =
                    |parts: &Inflated| parts.as_ref().map(|p| p.iter().map(|part| part.as_ref().map(Vec::len)).collect::<Vec<_>>());
                assert!(ours == theirs, "{what}: ours {:?}, the zip crate's {:?}", lengths(&ours), lengths(&theirs));
                compared += 1;
            }
        };
        // Every byte of the file damaged, two ways.
        for i in 0..bytes.len() {
            for flip in [0x01, 0xFF] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                compare(&damaged, &format!("byte {i} ^ {flip:#x}"));
            }
        }
        // Every part's declared size, checksum and compression method changed.
        for record in central_records(&bytes) {
            let size = u32::from_le_bytes(bytes[record + 24..record + 28].try_into().unwrap());
            for declared in [0, 1, size / 2, size.saturating_sub(1), size + 1, u32::MAX] {
                let mut changed = bytes.clone();
                changed[record + 24..record + 28].copy_from_slice(&declared.to_le_bytes());
                compare(&changed, &format!("record at {record} declaring {declared} for {size}"));
            }
            for crc in [0, 1, u32::MAX] {
                let mut changed = bytes.clone();
                changed[record + 16..record + 20].copy_from_slice(&crc.to_le_bytes());
                compare(&changed, &format!("record at {record} with checksum {crc}"));
            }
            for method in [0u16, 8, 9, 12, 99] {
                let mut changed = bytes.clone();
                changed[record + 10..record + 12].copy_from_slice(&method.to_le_bytes());
                compare(&changed, &format!("record at {record} with method {method}"));
            }
        }
        // Cut short anywhere.
        for len in 0..bytes.len() {
            compare(&bytes[..len], &format!("cut at {len}"));
        }
        assert!(compared > bytes.len() && inflated > bytes.len() / 4, "{compared} opened, {inflated} inflated");
    }

    /// A raw deflate stream, from (value, width in bits, is a Huffman code)
    /// fields: a Huffman code's bits go most significant first, other
    /// fields' least significant first.
    fn deflate_bits(fields: &[(u32, u32, bool)]) -> Vec<u8> {
        let (mut out, mut at) = (Vec::new(), 0);
        for &(value, width, huffman) in fields {
            for k in 0..width {
                let bit = if huffman { value >> (width - 1 - k) & 1 } else { value >> k & 1 };
                if at % 8 == 0 {
                    out.push(0);
                }
                *out.last_mut().unwrap() |= (bit as u8) << (at % 8);
                at += 1;
            }
        }
        out
    }

    /// The package `bytes` with a part `name` added whose data is the raw
    /// deflate stream `stream`, declaring `inflated` as what it inflates to.
    fn with_stream(bytes: &[u8], name: &str, stream: &[u8], inflated: &[u8]) -> Vec<u8> {
        let mut original = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..original.len() {
            writer.raw_copy_file(original.by_index_raw(i).unwrap()).unwrap();
        }
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        writer.start_file(name, stored).unwrap();
        writer.write_all(stream).unwrap();
        let mut bytes = writer.finish().unwrap().into_inner();
        // Stored → deflated, with the inflated data's size and checksum.
        let local = (0..bytes.len())
            .find(|&i| bytes[i..].starts_with(b"PK\x03\x04") && bytes.get(i + 30..).is_some_and(|rest| rest.starts_with(name.as_bytes())))
            .unwrap();
        let central = *central_records(&bytes).last().unwrap();
        assert!(bytes[central + 46..].starts_with(name.as_bytes()));
        let crc = libdeflater::crc32(inflated).to_le_bytes();
        let size = (inflated.len() as u32).to_le_bytes();
        for at in [local + 8, central + 10] {
            bytes[at..at + 2].copy_from_slice(&8u16.to_le_bytes());
        }
        for at in [local + 14, central + 16] {
            bytes[at..at + 4].copy_from_slice(&crc);
        }
        for at in [local + 22, central + 24] {
            bytes[at..at + 4].copy_from_slice(&size);
        }
        bytes
    }

    #[test]
    fn libdeflate_reads_the_few_streams_zlib_refuses_as_it_documents() {
        // A fixed-code block: literal 'a', length symbol `length` at distance
        // 1, end of block.
        let fixed_block = |length: u32| {
            deflate_bits(&[
                (1, 1, false),
                (1, 2, false),
                (0x30 + u32::from(b'a'), 8, true),
                (0xC0 + length - 280, 8, true),
                (0, 5, true),
                (0, 7, true),
            ])
        };
        let a = vec![b'a'; 259];
        let package = |length| with_stream(&workbook_bytes(), "xl/a.txt", &fixed_block(length), &a);
        // Symbol 285 (a length of 258): both read it.
        let (ours, theirs) = both_inflations(&package(285)).unwrap();
        assert_eq!(ours.as_ref().and_then(|parts| parts.last()), Some(&Some(a.clone())));
        assert_eq!(ours, theirs);
        // Symbol 286, which RFC 1951 says never occurs: libdeflate reads it
        // as 258 too; zlib, so the zip crate, as damage.
        let bytes = package(286);
        let (ours, theirs) = both_inflations(&bytes).unwrap();
        assert_eq!(ours.as_ref().and_then(|parts| parts.last()), Some(&Some(a.clone())));
        assert_eq!(theirs, None);
        // So the guard reads the part and checks what it read, where the
        // streamed checks (all there was before) call it damaged.
        let verdict = check(&bytes, "xlsx", &Limits::default()).unwrap();
        assert!(verdict.unpacked.is_some());
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let names: Vec<String> = archive.file_names_raw().map(|name| String::from_utf8_lossy(name).into_owned()).collect();
        let failure = check_streamed(&mut archive, &names, &Limits::default(), "xlsx").unwrap_err();
        assert_eq!(failure.code, "file-unreadable");
        assert!(failure.message.starts_with("part xl/a.txt of the workbook is damaged"), "{}", failure.message);
    }

    #[test]
    fn a1_references() {
        assert_eq!(parse_a1("A1"), Some((0, 0)));
        assert_eq!(parse_a1("C7"), Some((6, 2)));
        assert_eq!(parse_a1("$XFD$1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(parse_a1("ABCD1"), None);
        assert_eq!(parse_a1("A99999999999"), None);
        assert_eq!(parse_a1("7"), None);
    }

    #[test]
    fn numbers_print_with_separators() {
        assert_eq!(thousands(4_000_000_000), "4,000,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(size_text(200 << 20), "200 MiB");
        assert_eq!(size_text(512), "512 bytes");
    }

    #[test]
    fn text_named_as_a_workbook_is_a_mismatch() {
        let failure = check(b"Action ID,Status\nDA1,Green\n", "xlsx", &Limits::default()).unwrap_err();
        assert_eq!(failure.code, "file-mismatch");
        assert_eq!(failure.message, "the file is named .xlsx but holds plain text, not a workbook");
        let failure = check(&[0x13, 0x37, 0, 0xFF, 0x80], "xlsx", &Limits::default()).unwrap_err();
        assert_eq!(failure.code, "file-unreadable");
    }

    #[test]
    fn worksheet_cells_with_values_are_bounded_and_styled_blanks_are_not() {
        let limits = Limits { max_cells: 100, ..Limits::default() };
        // Read by quick-xml, after checking that read plainly it passes or not alike.
        let scan_worksheet = |xml: &[u8], limits: &Limits, name: &str, sheet: Option<&str>| {
            let quick = scan_worksheet(xml.events(), limits, name, sheet);
            let plainly = plain::Tags::new(xml).is_ok_and(|tags| scan_worksheet(tags, limits, name, sheet).is_ok());
            assert_eq!(plainly, quick.is_ok(), "{}", String::from_utf8_lossy(xml));
            quick
        };
        let styled = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="Z1000" s="3"/></row></sheetData></worksheet>"#;
        assert_eq!(scan_worksheet(styled.as_bytes(), &limits, "xl/worksheets/sheet1.xml", None), Ok(()));
        let far = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="200"><c r="B200"><v>2</v></c></row></sheetData></worksheet>"#;
        let failure = scan_worksheet(far.as_bytes(), &limits, "xl/worksheets/sheet1.xml", Some("Progress")).unwrap_err();
        assert_eq!(failure.message, "refused: the cells of sheet \"Progress\" span A1:B200 (400 cells; limit 100)");
        // Cells without references follow one another along the row.
        let implicit = format!("<worksheet><sheetData><row>{}</row></sheetData></worksheet>", "<c><v>1</v></c>".repeat(101));
        assert!(scan_worksheet(implicit.as_bytes(), &limits, "s", None).unwrap_err().message.contains("A1:CW1"));
        let beyond = r#"<worksheet><sheetData><row r="1"><c r="ZZZZ1"><v>1</v></c></row></sheetData></worksheet>"#;
        assert!(scan_worksheet(beyond.as_bytes(), &limits, "s", None).unwrap_err().message.contains("beyond any spreadsheet's grid"));
    }

    #[test]
    fn ods_repeats_are_counted_and_empty_styled_repeats_are_not() {
        let limits = Limits { max_cells: 1000, ..Limits::default() };
        let table = |rows: &str| {
            format!("<office:document-content><table:table table:name=\"Return\">{rows}</table:table></office:document-content>")
        };
        let blank_tail = table(concat!(
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>ID</text:p></table:table-cell></table:table-row>",
            "<table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:style-name=\"ce1\" table:number-columns-repeated=\"1024\"><text:p/></table:table-cell></table:table-row>"
        ));
        assert_eq!(scan_ods_content(blank_tail.as_bytes().events(), &limits), Ok(()));
        let repeated = table(
            "<table:table-row table:number-rows-repeated=\"100000\"><table:table-cell table:number-columns-repeated=\"3\"><text:p>x</text:p></table:table-cell></table:table-row>",
        );
        let failure = scan_ods_content(repeated.as_bytes().events(), &limits).unwrap_err();
        assert_eq!(failure.message, "refused: the cells of sheet \"Return\" span A1:C100000 (300,000 cells; limit 1,000)");
    }

    #[test]
    fn xlsb_cell_records_are_bounded() {
        let record = |kind: u8, body: &[u8]| -> Vec<u8> { [vec![kind, body.len() as u8], body.to_vec()].concat() };
        let mut sheet = Vec::new();
        sheet.extend(record(0x00, &[0, 0, 0, 0, 0, 0, 0, 0]));
        sheet.extend(record(0x05, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        sheet.extend(record(0x00, &[0, 0, 1, 0]));
        sheet.extend(record(0x05, &[0xFF, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        let failure = scan_xlsb_sheet(sheet.as_slice(), &Limits::default(), "xl/worksheets/sheet1.bin").unwrap_err();
        assert_eq!(
            failure.message,
            "refused: the cells of the sheet in xl/worksheets/sheet1.bin span A1:XFD65537 (1,073,758,208 cells; limit 5,000,000)"
        );
        // A short cell record reads the column left in the buffer by the record before, as calamine does.
        let mut stale = record(0x00, &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x0F]);
        stale.extend(record(0x05, &[0, 0, 0, 0]));
        stale.extend(record(0x00, &[0, 0, 0x10, 0]));
        stale.extend(record(0x01, &[]));
        stale.extend(record(0x06, &[]));
        assert_eq!(scan_xlsb_sheet(stale.as_slice(), &Limits::default(), "s").unwrap_err().code, "file-refused");
    }

    #[test]
    fn biff_records_are_bounded() {
        let limits = Limits { max_cells: 100, ..Limits::default() };
        // A NUMBER record at row 60000, column 200, after one at A1.
        let mut data = Vec::new();
        for (row, col) in [(0u16, 0u16), (60000, 200)] {
            data.extend_from_slice(&0x0203u16.to_le_bytes());
            data.extend_from_slice(&14u16.to_le_bytes());
            data.extend_from_slice(&row.to_le_bytes());
            data.extend_from_slice(&col.to_le_bytes());
            data.extend_from_slice(&[0; 10]);
        }
        let failure = scan_biff(&data, &limits).unwrap_err();
        assert_eq!(failure.code, "file-refused");
        assert_eq!(failure.message, "refused: the cells of a sheet span A1:GS60001 (12,060,201 cells; limit 100)");
        let mut protected = Vec::new();
        protected.extend_from_slice(&0x002Fu16.to_le_bytes());
        protected.extend_from_slice(&0u16.to_le_bytes());
        assert_eq!(scan_biff(&protected, &limits).unwrap_err().code, "file-encrypted");
        // A DIMENSIONS record declaring 4,000,000,000 rows.
        let mut dims = Vec::new();
        dims.extend_from_slice(&0x0200u16.to_le_bytes());
        dims.extend_from_slice(&14u16.to_le_bytes());
        dims.extend_from_slice(&0u32.to_le_bytes());
        dims.extend_from_slice(&4_000_000_000u32.to_le_bytes());
        dims.extend_from_slice(&[0, 0, 2, 0, 0, 0]);
        let failure = scan_biff(&dims, &Limits::default()).unwrap_err();
        assert_eq!(
            failure.message,
            "refused: a sheet declares a used range of 4,000,000,000 rows by 2 columns (8,000,000,000 cells; limit 5,000,000)"
        );
        // One whose end is before its start.
        let mut backwards = dims.clone();
        backwards[4..8].copy_from_slice(&10u32.to_le_bytes());
        backwards[8..12].copy_from_slice(&5u32.to_le_bytes());
        assert!(scan_biff(&backwards, &Limits::default()).unwrap_err().message.contains("ends before it starts"));
    }
}

//! The PDF file's own syntax: numbered objects written straight into the
//! file's bytes as they are made, small dictionaries packed into compressed
//! object streams, and a cross-reference stream whose trailer carries an
//! `/ID` made from a hash of everything before it, so the same document
//! gives the same bytes. It knows nothing of pages or fonts: the writer
//! ([`super::write`]), the font embedder and the structure tree say what
//! each object holds, here it is given a number, an offset and its syntax.
//!
//! Written here rather than through lopdf: lopdf holds every object as a
//! tree of maps until the end, and a county's board report has hundreds of
//! thousands of structure elements, which cost a few hundred megabytes as
//! lopdf objects and a tenth of the build to convert (BENCHMARKS.md).
//! lopdf's object writer is private, and pdf-writer (typst's) writes no
//! object streams, which the structure tree needs to stay small.

use sha2::{Digest, Sha256};
use std::io::Write;

/// An indirect object's number (generation 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ref(u32);

/// Objects packed together into one object stream: enough that the
/// compression finds the repeated keys, few enough that a reader decoding
/// one element decodes little else.
const PACKED_PER_STREAM: usize = 128;

/// Writes a name (`/Name`), with `#xx` for the bytes a name cannot hold.
pub(crate) fn name(out: &mut Vec<u8>, name: &str) {
    out.push(b'/');
    for &byte in name.as_bytes() {
        if byte.is_ascii_graphic() && !b"#()<>[]{}/%".contains(&byte) {
            out.push(byte);
        } else {
            let _ = write!(out, "#{byte:02X}");
        }
    }
}

/// Writes a text string: printable ASCII as a literal string, anything else
/// as UTF-16BE with its byte-order mark, in hex.
pub(crate) fn text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        literal(out, text.as_bytes());
    } else {
        utf16_hex(out, text);
    }
}

/// Writes `bytes` as a literal string, escaping what the syntax needs.
pub(crate) fn literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &byte in bytes {
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b')');
}

/// Writes `text` as UTF-16BE with its byte-order mark, in hex: a text
/// string any reader takes, whatever its characters.
pub(crate) fn utf16_hex(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push(b'>');
}

/// Writes an integer. Through itoa, not `write!`: a county's PDFs write
/// millions (references, marked-content ids, every number of a page).
pub(crate) fn integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Writes a reference (`12 0 R`).
pub(crate) fn reference(out: &mut Vec<u8>, r: Ref) {
    integer(out, r.0);
    out.extend_from_slice(b" 0 R");
}

/// A dictionary, written as it is built: each method adds one entry.
#[must_use]
#[derive(Clone)]
pub(crate) struct Dict {
    out: Vec<u8>,
}

impl Dict {
    pub(crate) fn new() -> Dict {
        Dict { out: b"<<".to_vec() }
    }

    /// A dictionary whose `/Type` is `kind`.
    pub(crate) fn of_type(kind: &str) -> Dict {
        Dict::new().name("Type", kind)
    }

    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        name(&mut self.out, key);
        self.out.push(b' ');
        &mut self.out
    }

    pub(crate) fn name(mut self, key: &str, value: &str) -> Dict {
        name(self.key(key), value);
        self
    }

    pub(crate) fn int(mut self, key: &str, value: i64) -> Dict {
        integer(self.key(key), value);
        self
    }

    pub(crate) fn bool(mut self, key: &str, value: bool) -> Dict {
        let _ = write!(self.key(key), "{value}");
        self
    }

    pub(crate) fn reference(mut self, key: &str, value: Ref) -> Dict {
        reference(self.key(key), value);
        self
    }

    pub(crate) fn text(mut self, key: &str, value: &str) -> Dict {
        text(self.key(key), value);
        self
    }

    /// An entry whose value is already written: an array or a dictionary.
    pub(crate) fn raw(mut self, key: &str, value: &[u8]) -> Dict {
        self.key(key).extend_from_slice(value);
        self
    }

    pub(crate) fn dict(self, key: &str, value: Dict) -> Dict {
        self.raw(key, &value.finish())
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b">>");
        self.out
    }
}

/// Writes an array of the items, each written by `item` and separated by spaces.
pub(crate) fn array<T>(items: impl IntoIterator<Item = T>, mut item: impl FnMut(&mut Vec<u8>, T)) -> Vec<u8> {
    let mut out = vec![b'['];
    for (i, value) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        item(&mut out, value);
    }
    out.push(b']');
    out
}

/// Where an object's bytes are.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// Numbered, not yet written.
    Reserved,
    /// At this offset in the file.
    At(usize),
    /// The `index`th object of object stream `stream`.
    Packed { stream: u32, index: u32 },
}

/// A PDF file being written.
pub(crate) struct PdfFile {
    out: Vec<u8>,
    /// By object number; 0 is the head of the free list and never used.
    places: Vec<Place>,
    /// Objects waiting for their object stream: their numbers, and their
    /// bodies one after another, each ending at its offset in `ends`.
    packing: Vec<u32>,
    ends: Vec<usize>,
    bodies: Vec<u8>,
}

impl PdfFile {
    pub(crate) fn new() -> PdfFile {
        // The comment's high bytes tell transfer programs the file is binary.
        let out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        PdfFile { out, places: vec![Place::Reserved], packing: Vec::new(), ends: Vec::new(), bodies: Vec::new() }
    }

    /// Numbers a new object, to be written later (or at once).
    pub(crate) fn reserve(&mut self) -> Ref {
        self.places.push(Place::Reserved);
        Ref(self.places.len() as u32 - 1)
    }

    /// Writes object `r` with `body` (a dictionary, array or other value).
    pub(crate) fn object(&mut self, r: Ref, body: &[u8]) {
        self.start(r);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// Writes a stream object: `dict` (which gets the `/Length`) and its
    /// data, already encoded as the dictionary's `/Filter` says.
    pub(crate) fn stream(&mut self, r: Ref, dict: Dict, data: &[u8]) {
        self.start(r);
        self.out.extend_from_slice(&dict.int("Length", data.len() as i64).finish());
        self.out.extend_from_slice(b"\nstream\n");
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Writes a stream object with its data deflated.
    pub(crate) fn deflated_stream(&mut self, r: Ref, dict: Dict, data: &[u8]) -> Result<(), String> {
        let compressed = deflate(data)?;
        self.stream(r, dict.name("Filter", "FlateDecode"), &compressed);
        Ok(())
    }

    /// Writes object `r` inside an object stream: for the many small
    /// dictionaries (structure elements, bookmarks, links), which compress
    /// to a fraction there. Never a stream.
    pub(crate) fn packed(&mut self, r: Ref, body: &[u8]) -> Result<(), String> {
        self.packing.push(r.0);
        self.bodies.extend_from_slice(body);
        self.bodies.push(b'\n');
        self.ends.push(self.bodies.len());
        if self.packing.len() == PACKED_PER_STREAM {
            self.flush_packed()?;
        }
        Ok(())
    }

    fn start(&mut self, r: Ref) {
        self.places[r.0 as usize] = Place::At(self.out.len());
        let _ = writeln!(self.out, "{} 0 obj", r.0);
    }

    /// Writes the objects waiting to be packed as one object stream: a
    /// header of `number offset` pairs, then their bodies.
    fn flush_packed(&mut self) -> Result<(), String> {
        if self.packing.is_empty() {
            return Ok(());
        }
        let stream = self.reserve();
        let mut header = Vec::new();
        let mut start = 0;
        for (index, (&number, &end)) in self.packing.iter().zip(&self.ends).enumerate() {
            for n in [number as usize, start] {
                integer(&mut header, n);
                header.push(b' ');
            }
            self.places[number as usize] = Place::Packed { stream: stream.0, index: index as u32 };
            start = end;
        }
        let first = header.len();
        header.extend_from_slice(&self.bodies);
        let dict = Dict::of_type("ObjStm").int("N", self.packing.len() as i64).int("First", first as i64);
        self.deflated_stream(stream, dict, &header)?;
        self.packing.clear();
        self.ends.clear();
        self.bodies.clear();
        Ok(())
    }

    /// Writes the cross-reference stream with the trailer's entries (`root`
    /// the catalog, `info` the document information), and returns the file.
    /// Every object reserved must have been written by now.
    pub(crate) fn finish(mut self, root: Ref, info: Ref) -> Result<Vec<u8>, String> {
        self.flush_packed()?;
        // The /ID: a hash of every byte before the cross-reference stream,
        // which is all that differs between two documents.
        let digest = Sha256::digest(&self.out);
        let id: String = digest[..16].iter().map(|b| format!("{b:02X}")).collect();
        let xref = self.reserve();
        let at = self.out.len();
        self.places[xref.0 as usize] = Place::At(at);
        // Each entry: type (1 byte), then offset or object stream (4), then
        // generation or index (2), big-endian.
        let mut entries = Vec::with_capacity(7 * self.places.len());
        for (number, place) in self.places.iter().enumerate() {
            let (kind, field, minor): (u8, u32, u16) = match *place {
                Place::Reserved if number == 0 => (0, 0, 0xFFFF),
                Place::Reserved => return Err(format!("object {number} was numbered but never written")),
                Place::At(offset) => (1, u32::try_from(offset).map_err(|_| "the PDF is over 4 GB".to_string())?, 0),
                Place::Packed { stream, index } => (2, stream, index as u16),
            };
            entries.push(kind);
            entries.extend_from_slice(&field.to_be_bytes());
            entries.extend_from_slice(&minor.to_be_bytes());
        }
        let id = format!("[<{id}> <{id}>]");
        let dict = Dict::of_type("XRef")
            .int("Size", self.places.len() as i64)
            .raw("W", b"[1 4 2]")
            .reference("Root", root)
            .reference("Info", info)
            .raw("ID", id.as_bytes());
        self.deflated_stream(xref, dict, &entries)?;
        let _ = write!(self.out, "startxref\n{at}\n%%EOF\n");
        Ok(self.out)
    }
}

/// Data deflated (zlib format) by libdeflate at its quickest level, 1.
/// Deflating was a ninth of a county build's processor time at level 4
/// and is a sixteenth at level 1, for PDFs 5% larger (the 5,000-action
/// county's: 22.2 → 23.3 MB in all; levels 2 and 3 save less than half as
/// much). Level 6, zlib's default, was a quarter slower than level 4 for
/// files 4% smaller. One compressor per thread, as making one sets up its
/// tables.
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, String> {
    use libdeflater::{CompressionLvl, Compressor};
    const LEVEL: CompressionLvl = match CompressionLvl::new(1) {
        Ok(level) => level,
        Err(_) => panic!("libdeflate has levels 0 to 12"),
    };
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Compressor> = std::cell::RefCell::new(Compressor::new(LEVEL));
    }
    COMPRESSOR.with(|compressor| {
        let mut compressor = compressor.borrow_mut();
        let mut out = vec![0; compressor.zlib_compress_bound(data.len())];
        let written = compressor.zlib_compress(data, &mut out).map_err(|e| e.to_string())?;
        out.truncate(written);
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_text_strings_escape_what_the_syntax_needs() {
        let mut out = Vec::new();
        name(&mut out, "A b#(c)");
        assert_eq!(out, b"/A#20b#23#28c#29");
        let mut out = Vec::new();
        text(&mut out, "Safer (Preston) \\ 2018");
        assert_eq!(out, b"(Safer \\(Preston\\) \\\\ 2018)");
        let mut out = Vec::new();
        text(&mut out, "Café\n");
        assert_eq!(out, b"<FEFF00430061006600E9000A>");
        let mut out = Vec::new();
        literal(&mut out, b"a(b)\\");
        assert_eq!(out, b"(a\\(b\\)\\\\)");
    }

    #[test]
    fn every_object_is_found_where_the_cross_reference_stream_says() {
        let mut file = PdfFile::new();
        let packed = file.reserve();
        let direct = file.reserve();
        file.packed(packed, b"<</A 1>>").unwrap();
        file.object(direct, &Dict::of_type("Catalog").reference("Pages", packed).finish());
        let bytes = file.finish(direct, packed).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).expect("lopdf reads the file back");
        assert_eq!(doc.get_object((1, 0)).unwrap().as_dict().unwrap().get(b"A").unwrap().as_i64().unwrap(), 1);
        assert_eq!(doc.catalog().unwrap().get(b"Pages").unwrap().as_reference().unwrap(), (1, 0));
        assert!(doc.trailer.get(b"ID").is_ok());
    }

    #[test]
    fn an_object_numbered_and_never_written_is_an_error_not_a_broken_file() {
        let mut file = PdfFile::new();
        let root = file.reserve();
        let _forgotten = file.reserve();
        file.object(root, b"<<>>");
        assert!(file.finish(root, root).unwrap_err().contains("object 2"));
    }
}

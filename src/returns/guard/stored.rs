//! The package the guard hands calamine: the parts it inflated and checked,
//! stored uncompressed in a new zip, so calamine reads the bytes that were
//! checked and inflates nothing again. Each part is inflated straight into
//! its place after its local header ([`StoredZip::add`]), so the guard's
//! scans read it there, and the package is ready once the central
//! directory is added ([`StoredZip::finish`]).
//!
//! Only what APPNOTE.TXT 6.3 asks of a package of stored parts without
//! zip64: a local header before each part (4.3.7), the central directory
//! (4.3.12) and its end (4.3.16); no extra fields, comments or data
//! descriptors. Written here rather than by the zip crate's writer, whose
//! bookkeeping per part (about 5,000 instructions, and a copy and a
//! checksum of every part) cost more than inflating a return's dozen small
//! parts; the zip crate still reads every package back (calamine through
//! it, and the tests).

use std::ops::Range;

/// A zip package of stored parts, being written.
pub(super) struct StoredZip {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

/// What the central directory repeats of a part's local header.
struct Entry {
    /// Where its local header starts.
    header: u32,
    crc: u32,
    size: u32,
    /// Where its name is, in `bytes` (inside its local header).
    name: Range<usize>,
}

const LOCAL_HEADER: usize = 30;
const CENTRAL_HEADER: usize = 46;
const END_RECORD: usize = 22;
/// 1980-01-01 00:00, the earliest time a zip can hold: no clock in the copy.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Version 1.0 of the format: stored parts, directories.
const VERSION: u16 = 10;

impl StoredZip {
    /// An empty package with room for `parts` parts of `bytes` bytes in all
    /// (and names of a few dozen bytes each).
    pub(super) fn with_capacity(parts: usize, bytes: usize) -> StoredZip {
        let room = bytes + parts * (LOCAL_HEADER + CENTRAL_HEADER + 2 * 32) + END_RECORD;
        StoredZip { bytes: Vec::with_capacity(room), entries: Vec::with_capacity(parts) }
    }

    /// Adds a part named `name` whose checksum is `crc`: writes its local
    /// header, then lets `fill` put the part's bytes after it (appending to
    /// the vector it is given). Returns where the part's bytes are, or
    /// `None` when `fill` does (the package is then of no use) or the
    /// package would outgrow the format.
    pub(super) fn add(&mut self, name: &[u8], crc: u32, fill: impl FnOnce(&mut Vec<u8>) -> Option<()>) -> Option<Range<usize>> {
        let header = self.bytes.len();
        let name_len = u16::try_from(name.len()).ok()?;
        if self.entries.len() >= usize::from(u16::MAX) {
            return None;
        }
        push_u32(&mut self.bytes, 0x0403_4b50);
        for field in [VERSION, 0, 0, 0, DOS_DATE] {
            push_u16(&mut self.bytes, field); // version needed, flags, method (stored), time, date
        }
        push_u32(&mut self.bytes, crc);
        let sizes = self.bytes.len();
        push_u32(&mut self.bytes, 0); // compressed size, set below
        push_u32(&mut self.bytes, 0); // uncompressed size, set below
        push_u16(&mut self.bytes, name_len);
        push_u16(&mut self.bytes, 0); // extra field length
        let name_at = self.bytes.len();
        self.bytes.extend_from_slice(name);
        let start = self.bytes.len();
        fill(&mut self.bytes)?;
        let size = u32::try_from(self.bytes.len() - start).ok()?;
        self.bytes[sizes..sizes + 4].copy_from_slice(&size.to_le_bytes());
        self.bytes[sizes + 4..sizes + 8].copy_from_slice(&size.to_le_bytes());
        let header = u32::try_from(header).ok()?;
        self.entries.push(Entry { header, crc, size, name: name_at..start });
        Some(start..self.bytes.len())
    }

    /// Puts `bytes`, whose checksum is `crc`, in place of the bytes of the
    /// part added last; `None` if there is none or they would outgrow the
    /// format.
    pub(super) fn replace_last(&mut self, bytes: &[u8], crc: u32) -> Option<()> {
        let entry = self.entries.last_mut()?;
        let size = u32::try_from(bytes.len()).ok()?;
        self.bytes.truncate(entry.name.end);
        self.bytes.extend_from_slice(bytes);
        let header = entry.header as usize;
        for (at, field) in [(14, crc), (18, size), (22, size)] {
            self.bytes[header + at..header + at + 4].copy_from_slice(&field.to_le_bytes());
        }
        (entry.crc, entry.size) = (crc, size);
        Some(())
    }

    /// The package's bytes so far: each part's where [`add`](Self::add) said.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The package, whole: the central directory and its end record added.
    /// `None` when it would outgrow the format without zip64.
    pub(super) fn finish(mut self) -> Option<Vec<u8>> {
        let directory = u32::try_from(self.bytes.len()).ok()?;
        for entry in &self.entries {
            let name_len = entry.name.len() as u16;
            push_u32(&mut self.bytes, 0x0201_4b50);
            // version made by (1.0, MS-DOS), version needed, flags, method, time, date
            for field in [VERSION, VERSION, 0, 0, 0, DOS_DATE] {
                push_u16(&mut self.bytes, field);
            }
            for field in [entry.crc, entry.size, entry.size] {
                push_u32(&mut self.bytes, field);
            }
            // name length; extra, comment lengths; disk number; internal attributes
            for field in [name_len, 0, 0, 0, 0] {
                push_u16(&mut self.bytes, field);
            }
            push_u32(&mut self.bytes, 0); // external attributes
            push_u32(&mut self.bytes, entry.header);
            self.bytes.extend_from_within(entry.name.clone());
        }
        let directory_size = u32::try_from(self.bytes.len()).ok()? - directory;
        let parts = self.entries.len() as u16;
        push_u32(&mut self.bytes, 0x0605_4b50);
        // this disk, the directory's disk, parts on this disk, parts in all
        for field in [0, 0, parts, parts] {
            push_u16(&mut self.bytes, field);
        }
        push_u32(&mut self.bytes, directory_size);
        push_u32(&mut self.bytes, directory);
        push_u16(&mut self.bytes, 0); // comment length
        Some(self.bytes)
    }
}

fn push_u16(bytes: &mut Vec<u8>, value: u16) {
    bytes.extend_from_slice(&value.to_le_bytes());
}

fn push_u32(bytes: &mut Vec<u8>, value: u32) {
    bytes.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn the_zip_crate_reads_every_part_back_as_it_was_added() {
        let parts: [(&str, &[u8]); 4] =
            [("[Content_Types].xml", b"<Types/>"), ("xl/", b""), ("xl/empty.xml", b""), ("xl/worksheets/sheet1.xml", &[7; 70_000])];
        let mut zip = StoredZip::with_capacity(parts.len(), 70_100);
        let mut places = Vec::new();
        for (name, data) in parts {
            let crc = libdeflater::crc32(data);
            places.push(
                zip.add(name.as_bytes(), crc, |out| {
                    out.extend_from_slice(data);
                    Some(())
                })
                .unwrap(),
            );
        }
        for ((_, data), place) in parts.iter().zip(&places) {
            assert_eq!(&zip.bytes()[place.clone()], *data);
        }
        let bytes = zip.finish().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        assert_eq!(archive.len(), parts.len());
        for (i, (name, data)) in parts.iter().enumerate() {
            let mut part = archive.by_index(i).unwrap();
            assert_eq!(part.name().unwrap(), *name);
            assert_eq!(part.is_dir(), name.ends_with('/'));
            assert_eq!(part.compression(), zip::CompressionMethod::Stored);
            let mut read = Vec::new();
            part.read_to_end(&mut read).unwrap(); // checks the CRC too
            assert_eq!(read, *data, "{name}");
        }
    }

    #[test]
    fn the_last_part_can_be_replaced() {
        let mut zip = StoredZip::with_capacity(2, 64);
        for (name, data) in [("a.xml", &b"<a>first</a>"[..]), ("xl/styles.xml", b"<styleSheet>long, then cut</styleSheet>")] {
            zip.add(name.as_bytes(), libdeflater::crc32(data), |out| {
                out.extend_from_slice(data);
                Some(())
            })
            .unwrap();
        }
        let cut = b"<styleSheet/>";
        zip.replace_last(cut, libdeflater::crc32(cut)).unwrap();
        let bytes = zip.finish().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        for (name, data) in [("a.xml", &b"<a>first</a>"[..]), ("xl/styles.xml", cut)] {
            let mut read = Vec::new();
            archive.by_name(name).unwrap().read_to_end(&mut read).unwrap(); // checks the CRC too
            assert_eq!(read, data, "{name}");
        }
    }

    #[test]
    fn a_part_that_cannot_be_filled_is_not_added() {
        let mut zip = StoredZip::with_capacity(1, 8);
        assert_eq!(zip.add(b"a.xml", 0, |_| None), None);
    }
}

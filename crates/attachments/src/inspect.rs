//! What the server decides from an upload itself, never from what the client claims: the
//! content type (sniffed from the first bytes), the size and SHA-256 (counted while the bytes
//! stream past), and a file name that is safe to store and to offer back for download.

use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// How many leading bytes the sniffer sees (the magic numbers `infer` knows fit well within).
const HEAD: usize = 8 * 1024;

/// The longest stored file name, in bytes.
pub const MAX_FILENAME_BYTES: usize = 255;

/// Raster image types a browser may show inline: they cannot carry script.
const INLINE_TYPES: [&str; 6] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
];

/// What the server learns from an upload's bytes as they stream past, in constant memory.
pub struct Inspector {
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    /// Still possibly UTF-8 text without NULs.
    text: bool,
    /// The start of a UTF-8 sequence cut by a chunk boundary (at most 3 bytes).
    pending: Vec<u8>,
}

/// The verdict once every byte has been seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    pub content_type: String,
}

impl Default for Inspector {
    fn default() -> Self {
        Inspector {
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD),
            text: true,
            pending: Vec::new(),
        }
    }
}

impl Inspector {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        self.hasher.update(chunk);
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.text {
            self.feed_text(chunk);
        }
    }

    fn feed_text(&mut self, chunk: &[u8]) {
        if chunk.contains(&0) {
            self.text = false;
            return;
        }
        let joined;
        let bytes = if self.pending.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            // Cut mid-character at the end: keep the start for the next chunk.
            Err(e) if e.error_len().is_none() => self.pending = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => self.text = false,
        }
    }

    pub fn finish(self) -> Inspected {
        let text = self.text && self.pending.is_empty();
        Inspected {
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
            content_type: sniff(&self.head, text),
        }
    }
}

static SNIFFER: LazyLock<infer::Infer> = LazyLock::new(|| {
    let mut i = infer::Infer::new();
    // `infer` knows no SVG; name it so that it is never mistaken for harmless text.
    i.add("image/svg+xml", "svg", is_svg);
    i
});

/// XML or markup whose first element (after a prolog, comments or a doctype) is `<svg`.
fn is_svg(buf: &[u8]) -> bool {
    let s = String::from_utf8_lossy(&buf[..buf.len().min(1024)]).to_ascii_lowercase();
    let t = s.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') && t.contains("<svg")
}

/// The content type from the leading bytes (`infer`), else `text/plain; charset=utf-8` for
/// UTF-8 text without NULs, else `application/octet-stream`.
pub fn sniff(head: &[u8], utf8_text: bool) -> String {
    match SNIFFER.get(head) {
        Some(t) => t.mime_type().to_string(),
        None if utf8_text => "text/plain; charset=utf-8".to_string(),
        None => "application/octet-stream".to_string(),
    }
}

/// Whether a browser may show this type inline (raster images); everything else, SVG and
/// HTML included, is downloaded as a file.
pub fn is_inline(content_type: &str) -> bool {
    INLINE_TYPES.contains(&content_type)
}

/// A name safe to store and to offer back: no path (only the last segment of `/` or `\`),
/// no characters file systems refuse (`sanitize-filename`, Windows rules too), no control or
/// bidirectional-override characters, at most 255 bytes cut on a character boundary with the
/// extension kept; `file` when nothing is left.
pub fn sanitize_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let visible: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let clean = sanitize_filename::sanitize_with_options(
        visible.trim(),
        sanitize_filename::Options {
            windows: true,
            truncate: false,
            replacement: "",
        },
    );
    let clean = clean.trim();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        return "file".to_string();
    }
    truncate_keeping_extension(clean, MAX_FILENAME_BYTES)
}

/// Bidirectional overrides and zero-width characters: they make `exe.png` look like
/// `gnp.exe` or hide text.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    // A short extension (at most 16 bytes, after a non-empty stem) survives the cut.
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 16 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let mut end = max - ext.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end])
}

/// `Content-Disposition` for a download: `inline` for raster images, `attachment` otherwise,
/// with an ASCII `filename` fallback and the exact name in `filename*` (RFC 6266 / 8187).
pub fn content_disposition(content_type: &str, filename: &str) -> String {
    let kind = if is_inline(content_type) {
        "inline"
    } else {
        "attachment"
    };
    let ascii: String = filename
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn inspect(chunks: &[&[u8]]) -> Inspected {
        let mut i = Inspector::default();
        for c in chunks {
            i.feed(c);
        }
        i.finish()
    }

    #[test]
    fn sniffs_from_the_bytes() {
        assert_eq!(inspect(&[PNG]).content_type, "image/png");
        assert_eq!(inspect(&[b"<!DOCTYPE html><p>x"]).content_type, "text/html");
        assert_eq!(
            inspect(&[b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"])
                .content_type,
            "image/svg+xml"
        );
        assert_eq!(
            inspect(&[b"<svg onload=alert(1)>"]).content_type,
            "image/svg+xml"
        );
        assert_eq!(
            inspect(&[b"plain words"]).content_type,
            "text/plain; charset=utf-8"
        );
        assert_eq!(inspect(&[b"a\0b"]).content_type, "application/octet-stream");
        assert_eq!(
            inspect(&[b"\xff\xfe\xfd"]).content_type,
            "application/octet-stream"
        );
    }

    #[test]
    fn utf8_cut_between_chunks_is_still_text() {
        let s = "héllo wörld €".as_bytes();
        let (a, b) = s.split_at(2); // inside `é`
        assert_eq!(inspect(&[a, b]).content_type, "text/plain; charset=utf-8");
        // A file that ends mid-character is not text.
        assert_eq!(inspect(&[a]).content_type, "application/octet-stream");
    }

    #[test]
    fn size_and_sha256_cover_every_chunk() {
        let r = inspect(&[b"ab", b"c"]);
        assert_eq!(r.size, 3);
        assert_eq!(
            r.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hostile_names_are_made_safe() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(sanitize_filename("a\tb\u{1}c\u{85}\u{9b}.txt"), "abc.txt");
        assert_eq!(
            sanitize_filename("invoice\u{202e}gnp.exe"),
            "invoicegnp.exe"
        );
        assert_eq!(sanitize_filename("a<b>:\"c|?*.txt"), "abc.txt");
        assert_eq!(sanitize_filename(".."), "file");
        assert_eq!(sanitize_filename("   "), "file");
        assert_eq!(sanitize_filename(""), "file");
        assert_eq!(sanitize_filename("CON.txt"), "file");
        assert_eq!(sanitize_filename("résumé.pdf"), "résumé.pdf");
    }

    #[test]
    fn long_names_keep_their_extension_on_a_char_boundary() {
        let long = format!("{}.png", "é".repeat(200)); // 404 bytes
        let short = sanitize_filename(&long);
        assert!(short.len() <= MAX_FILENAME_BYTES, "{}", short.len());
        assert!(short.ends_with(".png"));
        assert!(short.starts_with("éé"));
        let no_ext = sanitize_filename(&"x".repeat(300));
        assert_eq!(no_ext.len(), 255);
    }

    #[test]
    fn only_raster_images_are_inline() {
        assert!(content_disposition("image/png", "a.png").starts_with("inline;"));
        for t in [
            "image/svg+xml",
            "text/html",
            "application/pdf",
            "text/plain; charset=utf-8",
        ] {
            assert!(
                content_disposition(t, "a").starts_with("attachment;"),
                "{t}"
            );
        }
    }

    #[test]
    fn disposition_names_are_quoted_safely() {
        assert_eq!(
            content_disposition("text/html", "a \"b\"\\c%d ü.html"),
            "attachment; filename=\"a _b__c_d _.html\"; filename*=UTF-8''a%20%22b%22%5Cc%25d%20%C3%BC.html"
        );
    }
}

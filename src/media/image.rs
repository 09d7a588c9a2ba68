//! Image sniffing, validation and renditions: pure functions, no I/O beyond the bytes given.
//!
//! - [`probe`] tells what an upload is from its bytes alone (never from a file name or the
//!   client's content type), refuses what we do not accept, checks the pixel count from the
//!   header before anything large is allocated, then decodes the whole image so that a truncated
//!   or corrupt file is refused at upload rather than when it is first served.
//! - [`render`] makes a rendition: EXIF orientation applied, downscaled (never upscaled) with
//!   `fast_image_resize` (Lanczos3), encoded without any metadata (no EXIF, GPS, XMP or ICC).
//! - [`choose_output`] picks the served format from the source format and the `Accept` header.
//! - [`strip_gif_metadata`] removes the blocks of a GIF that can carry metadata (comments,
//!   plain text, XMP, ICC, ...) and keeps its animation: a full-size GIF is served that way.
//!
//! These are CPU-bound and can take a few hundred milliseconds on a large photo: async callers
//! should run them on a blocking thread (`actix_web::web::block`).

use std::io::Cursor;

use fast_image_resize as fir;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader};

/// What every refusal tells the client it may upload instead.
const ACCEPTED: &str = "upload JPEG, PNG, WebP or GIF";

/// JPEG quality of renditions (libjpeg scale).
pub const JPEG_QUALITY: u8 = 82;
/// Lossy WebP quality of renditions (libwebp scale, 0 to 100).
pub const WEBP_QUALITY: f32 = 80.0;
/// The largest width or height a WebP file can have.
pub const WEBP_MAX_DIMENSION: u32 = 16_383;
/// The largest width or height a JPEG file can have.
pub const JPEG_MAX_DIMENSION: u32 = 65_535;

/// Formats we accept as uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl SourceFormat {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }

    /// The format a MIME type names (case-insensitive, parameters ignored; `image/jpg` and
    /// `image/pjpeg` are taken as JPEG). Only for reading stored values or documentation: what
    /// an upload is comes from [`probe`], never from the client's claim.
    pub fn from_mime(s: &str) -> Option<Self> {
        let essence = s.split(';').next().unwrap_or_default().trim();
        [
            ("image/jpeg", Self::Jpeg),
            ("image/jpg", Self::Jpeg),
            ("image/pjpeg", Self::Jpeg),
            ("image/png", Self::Png),
            ("image/gif", Self::Gif),
            ("image/webp", Self::Webp),
        ]
        .into_iter()
        .find(|(mime, _)| essence.eq_ignore_ascii_case(mime))
        .map(|(_, format)| format)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
        }
    }
}

/// Formats we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Png,
    Webp,
}

impl OutputFormat {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    /// The largest width or height this format can store.
    fn max_dimension(self) -> u32 {
        match self {
            Self::Jpeg => JPEG_MAX_DIMENSION,
            Self::Png => u32::MAX,
            Self::Webp => WEBP_MAX_DIMENSION,
        }
    }
}

/// Decoder limits (decompression-bomb protection).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most pixels (width x height) an image may have; checked from the header, before decoding.
    pub max_pixels: u64,
    /// Most bytes the decoder may allocate (the decoded image counts towards it).
    pub max_alloc_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 60_000_000,
            max_alloc_bytes: 1024 * 1024 * 1024,
        }
    }
}

impl Limits {
    fn for_decoder(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(self.max_alloc_bytes);
        limits
    }
}

/// What an upload turned out to be. `width`/`height` are as DISPLAYED, after the EXIF
/// orientation: a portrait photo stored landscape with orientation 6 reports the swapped
/// dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbedImage {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    /// Not an image we accept (SVG, HTML, PDF, text, TIFF, BMP, ...): the caller answers 415.
    #[error("{0}")]
    Unsupported(String),
    /// Looks like an accepted format but cannot be decoded (truncated, corrupt): the caller
    /// answers 422.
    #[error("{0}")]
    Corrupt(String),
    /// More pixels than the limit: the caller answers 422.
    #[error("the image has {width}x{height} pixels; at most {limit} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
}

/// Sniffs the type from the bytes only, checks the pixel limit from the header before
/// decoding, then fully decodes (with `image::Limits` set) so truncated/corrupt files are
/// refused.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<ProbedImage, MediaError> {
    let opened = open(bytes, limits)?;
    let (format, orientation) = (opened.format, opened.orientation);
    let image = decode(opened)?;
    let (width, height) = displayed_size(image.width(), image.height(), orientation);
    Ok(ProbedImage {
        format,
        width,
        height,
    })
}

/// Makes a rendition: decode, apply the EXIF orientation, resize to `width` keeping the aspect
/// ratio (`None` = full size; never upscales: a width at or above the displayed width gives
/// full size), encode as `format` with no metadata. JPEG at quality [`JPEG_QUALITY`], WebP
/// lossy at [`WEBP_QUALITY`] (with alpha when the image has it), PNG lossless. A transparent
/// image rendered as JPEG is flattened on white. A GIF gives its first frame.
///
/// One exception to "full size": a rendition larger than its format can store (WebP: 16383
/// pixels a side, JPEG: 65535) is scaled down to fit.
pub fn render(
    bytes: &[u8],
    limits: &Limits,
    width: Option<u32>,
    format: OutputFormat,
) -> Result<Vec<u8>, MediaError> {
    let opened = open(bytes, limits)?;
    let orientation = opened.orientation;
    let image = decode(opened)?;
    let (stored_w, stored_h) = (image.width(), image.height());
    let (display_w, display_h) = displayed_size(stored_w, stored_h, orientation);
    let (target_w, target_h) = target_size(display_w, display_h, width, format.max_dimension());

    // Resize in the stored orientation: fewer pixels to rotate afterwards.
    let (resize_w, resize_h) = if swaps_dimensions(orientation) {
        (target_h, target_w)
    } else {
        (target_w, target_h)
    };
    let pixels = resize(to_pixels(image, format), resize_w, resize_h)?;
    let pixels = orient(pixels, orientation)?;
    encode(&pixels, format)
}

/// Chooses the served format: WebP when the `Accept` header lists `image/webp` with a non-zero
/// quality (a wildcard such as `image/*` or `*/*` is not enough: clients that decode WebP name
/// it); otherwise JPEG for JPEG sources and PNG for PNG and GIF sources. A WebP source goes to
/// PNG for a client without WebP: decided from the format alone, PNG keeps a possible alpha
/// channel that JPEG would lose.
pub fn choose_output(source: SourceFormat, accept: Option<&str>) -> OutputFormat {
    if accept.is_some_and(accepts_webp) {
        return OutputFormat::Webp;
    }
    match source {
        SourceFormat::Jpeg => OutputFormat::Jpeg,
        SourceFormat::Png | SourceFormat::Gif | SourceFormat::Webp => OutputFormat::Png,
    }
}

fn accepts_webp(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        media.eq_ignore_ascii_case("image/webp") && quality(parts) > 0.0
    })
}

/// The `q` parameter of a media range: 1 when absent, 0 when it does not parse.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> f32 {
    for param in params {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            return value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|q| q.is_finite())
                .unwrap_or(0.0);
        }
    }
    1.0
}

// ---------------------------------------------------------------------------------------------
// GIF metadata

/// Identifiers (8 bytes) and authentication codes (3 bytes) of the application extensions
/// that carry the animation loop count; every other application extension is dropped.
const GIF_LOOP_APPLICATIONS: [&[u8]; 2] = [b"NETSCAPE2.0", b"ANIMEXTS1.0"];

/// A GIF with every block that can carry metadata removed (comment, plain-text and application
/// extensions other than the animation loop), animation frames and timing kept byte for byte.
/// Errors (Corrupt) when the block structure is malformed.
///
/// Walks the GIF structure: header (`GIF87a`/`GIF89a`), logical screen descriptor and its
/// optional global colour table, then the blocks up to the trailer (`0x3B`):
///
/// - image descriptors (`0x2C`) with their local colour table, LZW minimum code size and data
///   sub-blocks: copied as they are;
/// - graphic control extensions (`0x21 0xF9`, frame delay, disposal, transparency): copied,
///   without any sub-block after the 4-byte one (a decoder ignores them; they could hide data);
/// - the `NETSCAPE2.0`/`ANIMEXTS1.0` application extension: kept with its loop sub-blocks only
///   (id 1, 3 bytes); dropped when it has none;
/// - every other extension (comments `0xFE`, plain text `0x01`, other application extensions
///   such as XMP or ICC profiles, unknown labels): dropped.
///
/// Anything after the trailer is dropped too; a file that ends before its trailer is Corrupt.
/// The output of a GIF with nothing to remove is the input, byte for byte.
pub fn strip_gif_metadata(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut gif = GifReader { bytes, at: 0 };
    let mut out = Vec::with_capacity(bytes.len());

    let header = gif.take(6)?;
    if header != b"GIF87a" && header != b"GIF89a" {
        return Err(gif_corrupt(
            "it does not start with a GIF87a or GIF89a header",
        ));
    }
    out.extend_from_slice(header);
    let screen = gif.take(7)?;
    out.extend_from_slice(screen);
    out.extend_from_slice(gif.take(gif_colour_table_len(screen[4]))?);

    loop {
        let block_at = gif.at;
        match gif.byte()? {
            0x3B => {
                out.push(0x3B);
                return Ok(out);
            }
            0x2C => {
                let descriptor = gif.take(9)?;
                gif.take(gif_colour_table_len(descriptor[8]))?;
                gif.take(1)?; // LZW minimum code size
                gif.skip_sub_blocks()?;
                out.extend_from_slice(&bytes[block_at..gif.at]);
            }
            0x21 => {
                let label = gif.byte()?;
                let sub_blocks = gif.sub_blocks()?;
                match label {
                    0xF9 => {
                        let Some(&control) = sub_blocks.first().filter(|block| block.len() == 4)
                        else {
                            return Err(gif_corrupt(&format!(
                                "the graphic control extension at byte {block_at} is not 4 bytes"
                            )));
                        };
                        out.extend_from_slice(&[0x21, 0xF9, 4]);
                        out.extend_from_slice(control);
                        out.push(0);
                    }
                    0xFF if sub_blocks
                        .first()
                        .is_some_and(|id| GIF_LOOP_APPLICATIONS.contains(id)) =>
                    {
                        let loops: Vec<&[u8]> = sub_blocks[1..]
                            .iter()
                            .copied()
                            .filter(|block| block.len() == 3 && block[0] == 1)
                            .collect();
                        if !loops.is_empty() {
                            out.extend_from_slice(&[0x21, 0xFF, 11]);
                            out.extend_from_slice(sub_blocks[0]);
                            for block in loops {
                                out.push(3);
                                out.extend_from_slice(block);
                            }
                            out.push(0);
                        }
                    }
                    // Comment, plain text, other application extensions, unknown labels.
                    _ => {}
                }
            }
            other => {
                return Err(gif_corrupt(&format!(
                    "byte {block_at} (0x{other:02X}) is not a block: the block structure is broken"
                )));
            }
        }
    }
}

/// The size of the colour table a packed-fields byte announces (bit 7: present; bits 0 to 2:
/// 2^(n+1) entries of 3 bytes).
fn gif_colour_table_len(packed: u8) -> usize {
    if packed & 0x80 == 0 {
        0
    } else {
        3 << ((packed & 0x07) + 1)
    }
}

fn gif_corrupt(why: &str) -> MediaError {
    MediaError::Corrupt(format!("the GIF file is damaged: {why}"))
}

/// A bounds-checked cursor over a GIF's bytes.
struct GifReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> GifReader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], MediaError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(MediaError::Corrupt(
                "the GIF file is truncated: it ends before its trailer".to_owned(),
            ));
        };
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, MediaError> {
        Ok(self.take(1)?[0])
    }

    /// The data sub-blocks up to (and past) their zero-length terminator.
    fn sub_blocks(&mut self) -> Result<Vec<&'a [u8]>, MediaError> {
        let mut blocks = Vec::new();
        loop {
            let len = self.byte()?;
            if len == 0 {
                return Ok(blocks);
            }
            blocks.push(self.take(usize::from(len))?);
        }
    }

    fn skip_sub_blocks(&mut self) -> Result<(), MediaError> {
        loop {
            let len = self.byte()?;
            if len == 0 {
                return Ok(());
            }
            self.take(usize::from(len))?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

struct Opened<D> {
    format: SourceFormat,
    decoder: D,
    orientation: Orientation,
}

/// Sniffs, builds the decoder (which reads the header only) and checks the limits.
fn open<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Opened<impl ImageDecoder + 'a>, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Corrupt(format!("the file cannot be read: {e}")))?;
    let format = match reader.format() {
        Some(ImageFormat::Jpeg) => SourceFormat::Jpeg,
        Some(ImageFormat::Png) => SourceFormat::Png,
        Some(ImageFormat::Gif) => SourceFormat::Gif,
        Some(ImageFormat::WebP) => SourceFormat::Webp,
        Some(other) => return Err(MediaError::Unsupported(other_image_format(other))),
        None => return Err(MediaError::Unsupported(describe_non_image(bytes))),
    };
    reader.limits(limits.for_decoder());
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(e, format))?;

    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt(format!(
            "the {} file says the image is {width}x{height} pixels",
            format.name()
        )));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    // The decoded image must fit in the allocation limit too (16-bit RGBA needs 8 bytes a
    // pixel): say so in pixels, which is what the uploader can act on.
    if decoder.total_bytes() > limits.max_alloc_bytes {
        let per_pixel = (decoder.total_bytes() / pixels).max(1);
        return Err(MediaError::TooManyPixels {
            width,
            height,
            limit: limits.max_alloc_bytes / per_pixel,
        });
    }
    // The JPEG decoder fills a truncated scan with grey rather than failing: check the end.
    if format == SourceFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(MediaError::Corrupt(
            "the JPEG file is truncated: its image data does not reach the end-of-image marker"
                .to_owned(),
        ));
    }
    // A damaged EXIF block is no reason to refuse a photo: show it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok(Opened {
        format,
        decoder,
        orientation,
    })
}

/// Whether a JPEG's segments and scans run to an end-of-image marker (EOI). Walks the marker
/// segments by their lengths; in entropy-coded data a 0xFF byte is followed by 0x00 (stuffing)
/// or a restart marker, so the next other marker ends the scan. Anything after EOI (camera
/// trailers, MPF images) is ignored.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        // A marker: 0xFF (possibly repeated as fill), then its code.
        if bytes.get(at) != Some(&0xFF) {
            return false;
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return false;
        };
        at += 1;
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(length) = bytes.get(at..at + 2) else {
            return false;
        };
        at += usize::from(u16::from_be_bytes([length[0], length[1]]));
        if marker != 0xDA {
            continue;
        }
        // Start of scan: skip the entropy-coded data up to the next real marker.
        loop {
            let Some(offset) = bytes
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
            else {
                return false;
            };
            at += offset;
            match bytes.get(at + 1) {
                None => return false,
                Some(0x00 | 0xD0..=0xD7 | 0xFF) => at += 1,
                Some(_) => break,
            }
        }
    }
}

/// Decodes the whole image (for a GIF, its first frame), in its stored orientation.
fn decode(opened: Opened<impl ImageDecoder>) -> Result<DynamicImage, MediaError> {
    let format = opened.format;
    DynamicImage::from_decoder(opened.decoder).map_err(|e| decode_error(e, format))
}

fn decode_error(error: ImageError, format: SourceFormat) -> MediaError {
    let name = format.name();
    match error {
        // Our own checks ran first; this is a decoder's internal allocation limit.
        ImageError::Limits(_) => MediaError::Corrupt(format!(
            "the {name} file needs more memory to decode than is allowed"
        )),
        ImageError::Unsupported(e) => MediaError::Corrupt(format!(
            "the {name} file uses a feature this server cannot decode: {e}"
        )),
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Corrupt(format!("the {name} file is truncated"))
        }
        e => MediaError::Corrupt(format!(
            "the {name} file is damaged or truncated and cannot be decoded: {e}"
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Saying what a refused file is

/// The refusal for an image format that `image` recognises but we do not accept.
fn other_image_format(format: ImageFormat) -> String {
    let name = match format {
        ImageFormat::Avif => return avif_refusal(),
        ImageFormat::Tiff => "a TIFF image",
        ImageFormat::Bmp => "a BMP image",
        ImageFormat::Ico => "an ICO icon",
        ImageFormat::Hdr => "a Radiance HDR image",
        ImageFormat::OpenExr => "an OpenEXR image",
        ImageFormat::Pnm => "a PNM (PBM/PGM/PPM/PAM) image",
        ImageFormat::Tga => "a TGA image",
        ImageFormat::Dds => "a DDS texture",
        ImageFormat::Farbfeld => "a farbfeld image",
        ImageFormat::Qoi => "a QOI image",
        _ => "an image format we do not accept",
    };
    format!("this is {name}, which is not accepted; {ACCEPTED}")
}

fn avif_refusal() -> String {
    format!("AVIF uploads are not supported by this server's decoder; {ACCEPTED}")
}

/// A helpful refusal for bytes that are not an image format `image` knows: says what common
/// non-image types (PDF, SVG, HTML, XML, ZIP, gzip, HEIC/AVIF/MP4, plain text) look like.
fn describe_non_image(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(1024)];
    let what = if head.starts_with(b"%PDF") {
        "a PDF document, not an image"
    } else if let Some(brands) = iso_media_brands(head) {
        let has = |wanted: &[&[u8]]| brands.iter().any(|brand| wanted.contains(brand));
        if has(&[b"avif", b"avis"]) {
            return avif_refusal();
        } else if has(&[
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
        ]) {
            "a HEIC/HEIF image, which is not accepted (export it as JPEG)"
        } else {
            "a video or ISO media file (MP4, MOV, ...), not an image"
        }
    } else if let Some(markup) = markup_kind(head) {
        markup
    } else if head.starts_with(b"PK\x03\x04") {
        "a ZIP archive (or an office document), not an image"
    } else if head.starts_with(&[0x1f, 0x8b]) {
        "a gzip-compressed file, not an image"
    } else if looks_like_text(head, bytes.len()) {
        "a plain-text file, not an image"
    } else {
        return format!("the file is not a JPEG, PNG, WebP or GIF image; {ACCEPTED}");
    };
    format!("this is {what}; {ACCEPTED}")
}

/// The major and compatible brands of an ISO base media file (`ftyp` box first).
fn iso_media_brands(head: &[u8]) -> Option<Vec<&[u8]>> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    let size = usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
        .unwrap_or(usize::MAX)
        .clamp(12, head.len());
    let mut brands = vec![&head[8..12]];
    // After the major brand comes the minor version (4 bytes), then the compatible brands.
    brands.extend(head.get(16..size).unwrap_or_default().chunks_exact(4));
    Some(brands)
}

/// SVG, HTML or XML: the first non-blank character (after an optional BOM) is `<`.
fn markup_kind(head: &[u8]) -> Option<&'static str> {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    if text[start] != b'<' {
        return None;
    }
    let lower = text[start..].to_ascii_lowercase();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    Some(if contains(b"<svg") {
        "an SVG image, which is not accepted (SVG can carry scripts)"
    } else if contains(b"<html") || contains(b"<!doctype html") {
        "an HTML document, not an image"
    } else if lower.starts_with(b"<?xml") {
        "an XML document, not an image"
    } else {
        "HTML or XML markup, not an image"
    })
}

/// UTF-8 with no control characters but tab, line feed, carriage return and form feed. `head`
/// may cut a character short at its end.
fn looks_like_text(head: &[u8], total_len: usize) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() && head.len() < total_len => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

fn swaps_dimensions(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn displayed_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    if swaps_dimensions(orientation) {
        (height, width)
    } else {
        (width, height)
    }
}

/// The rendition's displayed size: `requested` width, never more than the image's, then
/// scaled down to fit `max_dimension` a side.
fn target_size(width: u32, height: u32, requested: Option<u32>, max_dimension: u32) -> (u32, u32) {
    let target_w = requested.map_or(width, |w| w.clamp(1, width));
    let mut size = (target_w, scale(height, target_w, width));
    if size.0 > max_dimension || size.1 > max_dimension {
        size = if size.0 >= size.1 {
            (max_dimension, scale(size.1, max_dimension, size.0))
        } else {
            (scale(size.0, max_dimension, size.1), max_dimension)
        };
    }
    size
}

/// `value * numerator / denominator`, rounded, at least 1.
fn scale(value: u32, numerator: u32, denominator: u32) -> u32 {
    let denominator = u64::from(denominator.max(1));
    let scaled = (u64::from(value) * u64::from(numerator) + denominator / 2) / denominator;
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

// ---------------------------------------------------------------------------------------------
// Pixels, resizing, encoding

/// 8-bit interleaved pixels: RGB, or RGBA when `alpha`.
struct Pixels {
    raw: Vec<u8>,
    width: u32,
    height: u32,
    alpha: bool,
}

impl Pixels {
    fn into_dynamic(self) -> Result<DynamicImage, MediaError> {
        let (width, height) = (self.width, self.height);
        let image = if self.alpha {
            image::RgbaImage::from_raw(width, height, self.raw).map(DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(width, height, self.raw).map(DynamicImage::ImageRgb8)
        };
        image.ok_or_else(|| internal("building the rendition", "the pixel buffer is too small"))
    }

    fn from_dynamic(image: DynamicImage) -> Self {
        let (width, height) = (image.width(), image.height());
        let alpha = image.has_alpha();
        let raw = if alpha {
            image.into_rgba8().into_raw()
        } else {
            image.into_rgb8().into_raw()
        };
        Self {
            raw,
            width,
            height,
            alpha,
        }
    }

    fn color_type(&self) -> image::ExtendedColorType {
        if self.alpha {
            image::ExtendedColorType::Rgba8
        } else {
            image::ExtendedColorType::Rgb8
        }
    }
}

/// Should not happen with the buffers we build; reported rather than panicking.
fn internal(what: &str, error: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt(format!("{what} failed: {error}"))
}

/// 8-bit pixels for `format`: RGBA only when the image has alpha and the format keeps it;
/// transparency is flattened on white for JPEG.
fn to_pixels(image: DynamicImage, format: OutputFormat) -> Pixels {
    if !image.has_alpha() || format != OutputFormat::Jpeg {
        return Pixels::from_dynamic(image);
    }
    let (width, height) = (image.width(), image.height());
    let rgba = image.into_rgba8().into_raw();
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for pixel in rgba.chunks_exact(4) {
        let alpha = u32::from(pixel[3]);
        for &channel in &pixel[..3] {
            let value = (u32::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255;
            rgb.push(u8::try_from(value).unwrap_or(u8::MAX));
        }
    }
    Pixels {
        raw: rgb,
        width,
        height,
        alpha: false,
    }
}

/// Lanczos3 resize with `fast_image_resize` (SIMD); alpha is premultiplied while resizing.
fn resize(pixels: Pixels, width: u32, height: u32) -> Result<Pixels, MediaError> {
    if (pixels.width, pixels.height) == (width, height) {
        return Ok(pixels);
    }
    let pixel_type = if pixels.alpha {
        fir::PixelType::U8x4
    } else {
        fir::PixelType::U8x3
    };
    let alpha = pixels.alpha;
    let source =
        fir::images::Image::from_vec_u8(pixels.width, pixels.height, pixels.raw, pixel_type)
            .map_err(|e| internal("preparing the image for resizing", e))?;
    let mut resized = fir::images::Image::new(width, height, pixel_type);
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new()
        .resize(&source, &mut resized, &options)
        .map_err(|e| internal("resizing", e))?;
    Ok(Pixels {
        raw: resized.into_vec(),
        width,
        height,
        alpha,
    })
}

fn orient(pixels: Pixels, orientation: Orientation) -> Result<Pixels, MediaError> {
    if orientation == Orientation::NoTransforms {
        return Ok(pixels);
    }
    let mut image = pixels.into_dynamic()?;
    image.apply_orientation(orientation);
    Ok(Pixels::from_dynamic(image))
}

/// Encodes with no metadata at all: none of the encoders below is given EXIF, XMP or ICC.
fn encode(pixels: &Pixels, format: OutputFormat) -> Result<Vec<u8>, MediaError> {
    let (width, height) = (pixels.width, pixels.height);
    let mut out = Vec::new();
    match format {
        OutputFormat::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode(&pixels.raw, width, height, pixels.color_type())
                .map_err(|e| internal("encoding the JPEG rendition", e))?;
        }
        OutputFormat::Png => {
            image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(&pixels.raw, width, height, pixels.color_type())
            .map_err(|e| internal("encoding the PNG rendition", e))?;
        }
        OutputFormat::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.raw, width, height)
            } else {
                webp::Encoder::from_rgb(&pixels.raw, width, height)
            };
            let encoded = encoder
                .encode_simple(false, WEBP_QUALITY)
                .map_err(|e| internal("encoding the WebP rendition", format!("{e:?}")))?;
            out.extend_from_slice(&encoded);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Test images, built in code (no binary fixtures); the HTTP tests and the benchmark use them too.

#[doc(hidden)]
#[allow(clippy::expect_used)] // builds fixtures only: failing to encode one is a bug in the test
pub mod test_support {
    use image::codecs::gif::GifEncoder;
    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

    /// A photo-like picture: gradients, some structure and noise, so that it does not compress
    /// trivially. Deterministic.
    pub fn photo(width: u32, height: u32) -> RgbImage {
        let mut state: u32 = 0x9E37_79B9;
        let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
        RgbImage::from_fn(width, height, |x, y| {
            // xorshift32
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = i64::from(state & 0x0f) - 8;
            let gx = (u64::from(x) * 255 / w) as i64;
            let gy = (u64::from(y) * 255 / h) as i64;
            let blocks = i64::from((x / 97 + y / 61) % 7) * 14;
            let ripple = i64::from((x + 2 * y) % 40) - 20;
            let channel = |v: i64| v.clamp(0, 255) as u8;
            Rgb([
                channel(gx * 3 / 4 + blocks + noise),
                channel(gy * 3 / 4 + (98 - blocks) / 2 + ripple / 2 + noise),
                channel((gx + gy) / 3 + 40 + ripple + noise),
            ])
        })
    }

    pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(image)
            .expect("encode a JPEG fixture");
        out
    }

    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        encode_jpeg(&photo(width, height), 90)
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let image = photo(width, height);
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(image.as_raw(), width, height, ExtendedColorType::Rgb8)
            .expect("encode a PNG fixture");
        out
    }

    /// A PNG whose alpha goes from transparent (left) to opaque (right).
    pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
        let w = u64::from(width.max(1));
        let image = RgbaImage::from_fn(width, height, |x, _| {
            let alpha = (u64::from(x) * 255 / w) as u8;
            Rgba([200, 30, 30, alpha])
        });
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(image.as_raw(), width, height, ExtendedColorType::Rgba8)
            .expect("encode a PNG fixture");
        out
    }

    /// A GIF of one frame per colour (an animation when there are several).
    pub fn gif(width: u32, height: u32, colours: &[[u8; 3]]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut out);
            for &[r, g, b] in colours {
                let frame = RgbaImage::from_pixel(width, height, Rgba([r, g, b, 255]));
                encoder
                    .encode_frame(image::Frame::new(frame))
                    .expect("encode a GIF fixture");
            }
        }
        out
    }

    /// A lossy WebP.
    pub fn webp(width: u32, height: u32) -> Vec<u8> {
        let image = photo(width, height);
        webp::Encoder::from_rgb(image.as_raw(), width, height)
            .encode_simple(false, 80.0)
            .expect("encode a WebP fixture")
            .to_vec()
    }

    /// A JPEG of `width`x`height` STORED pixels with an EXIF block holding `orientation` and
    /// GPS tags (latitude and longitude): with orientation 6 or 8 it displays as
    /// `height`x`width`.
    pub fn jpeg_with_exif_orientation_and_gps(
        width: u32,
        height: u32,
        orientation: u16,
    ) -> Vec<u8> {
        with_exif_orientation_and_gps(&jpeg(width, height), orientation)
    }

    /// `jpeg` with an EXIF APP1 segment inserted right after SOI.
    pub fn with_exif_orientation_and_gps(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend(exif_tiff(orientation));
        let length = u16::try_from(payload.len() + 2).expect("a small segment");
        let mut out = Vec::with_capacity(jpeg.len() + payload.len() + 4);
        out.extend_from_slice(&jpeg[..2]);
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend(payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// A big-endian TIFF structure: IFD0 with Orientation and a GPSInfo pointer, and a GPS IFD
    /// with GPSVersionID, GPSLatitudeRef/GPSLatitude and GPSLongitudeRef/GPSLongitude.
    pub fn exif_tiff(orientation: u16) -> Vec<u8> {
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const ASCII: u16 = 2;
        const BYTE: u16 = 1;
        const RATIONAL: u16 = 5;
        fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            out.extend_from_slice(&tag.to_be_bytes());
            out.extend_from_slice(&kind.to_be_bytes());
            out.extend_from_slice(&count.to_be_bytes());
            out.extend_from_slice(&value);
        }
        let ifd0_offset: u32 = 8;
        let ifd0_len: u32 = 2 + 2 * 12 + 4;
        let gps_offset = ifd0_offset + ifd0_len;
        let gps_len: u32 = 2 + 5 * 12 + 4;
        let latitude_offset = gps_offset + gps_len;
        let longitude_offset = latitude_offset + 24;

        let mut out = b"MM\0\x2A".to_vec();
        out.extend_from_slice(&ifd0_offset.to_be_bytes());
        // IFD0
        out.extend_from_slice(&2u16.to_be_bytes());
        let [o1, o2] = orientation.to_be_bytes();
        entry(&mut out, 0x0112, SHORT, 1, [o1, o2, 0, 0]);
        entry(&mut out, 0x8825, LONG, 1, gps_offset.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        // GPS IFD
        out.extend_from_slice(&5u16.to_be_bytes());
        entry(&mut out, 0x0000, BYTE, 4, [2, 2, 0, 0]);
        entry(&mut out, 0x0001, ASCII, 2, *b"N\0\0\0");
        entry(&mut out, 0x0002, RATIONAL, 3, latitude_offset.to_be_bytes());
        entry(&mut out, 0x0003, ASCII, 2, *b"E\0\0\0");
        entry(
            &mut out,
            0x0004,
            RATIONAL,
            3,
            longitude_offset.to_be_bytes(),
        );
        out.extend_from_slice(&0u32.to_be_bytes());
        // 48 deg 51' 29.17" N, 2 deg 17' 40.00" E
        for (numerator, denominator) in [
            (48u32, 1u32),
            (51, 1),
            (2917, 100),
            (2, 1),
            (17, 1),
            (4000, 100),
        ] {
            out.extend_from_slice(&numerator.to_be_bytes());
            out.extend_from_slice(&denominator.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn unsupported(bytes: &[u8]) -> String {
        match probe(bytes, &limits()) {
            Err(MediaError::Unsupported(message)) => message,
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    fn corrupt(bytes: &[u8]) -> String {
        match probe(bytes, &limits()) {
            Err(MediaError::Corrupt(message)) => message,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    fn decoded(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Replaces the width and height in a PNG's IHDR, fixing its CRC.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(4, 4);
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn each_accepted_format_is_sniffed_with_its_dimensions() {
        let cases = [
            (jpeg(40, 30), SourceFormat::Jpeg),
            (png(40, 30), SourceFormat::Png),
            (gif(40, 30, &[[10, 200, 10]]), SourceFormat::Gif),
            (webp(40, 30), SourceFormat::Webp),
        ];
        for (bytes, format) in cases {
            assert_eq!(
                probe(&bytes, &limits()),
                Ok(ProbedImage {
                    format,
                    width: 40,
                    height: 30
                }),
                "{format:?}"
            );
        }
    }

    #[test]
    fn the_bytes_decide_the_format_not_the_claim() {
        // Whatever the client called it (photo.jpg, image/jpeg), PNG bytes are a PNG.
        let bytes = png(8, 8);
        assert_eq!(
            SourceFormat::from_mime("image/jpeg"),
            Some(SourceFormat::Jpeg)
        );
        assert_eq!(probe(&bytes, &limits()).unwrap().format, SourceFormat::Png);
        // And JPEG bytes are a JPEG even if claimed as PNG.
        assert_eq!(
            probe(&jpeg(8, 8), &limits()).unwrap().format,
            SourceFormat::Jpeg
        );
    }

    #[test]
    fn non_images_are_refused_as_unsupported_saying_what_they_are() {
        assert_eq!(probe(b"", &limits()), Err(MediaError::Empty));

        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>";
        assert!(unsupported(svg).contains("SVG"), "{}", unsupported(svg));
        let svg_bom = b"\xEF\xBB\xBF  \n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert!(unsupported(svg_bom).contains("SVG"));

        let html = b"<!DOCTYPE html>\n<html><body><img src=x onerror=alert(1)></body></html>";
        assert!(
            unsupported(html).contains("HTML document"),
            "{}",
            unsupported(html)
        );
        assert!(unsupported(b"\n\n  <HTML><p>hi</p></HTML>").contains("HTML"));
        assert!(unsupported(b"<?xml version=\"1.0\"?><feed/>").contains("XML document"));

        let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
        assert_eq!(
            unsupported(pdf),
            "this is a PDF document, not an image; upload JPEG, PNG, WebP or GIF"
        );

        let text = "Breaking: the council voted 7–2 tonight.\r\n\tMore soon.\n";
        assert!(unsupported(text.as_bytes()).contains("plain-text"));

        assert!(unsupported(b"PK\x03\x04\x14\0\0\0\x08\0rest of a zip").contains("ZIP"));

        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf\0\0\0\0";
        assert_eq!(
            unsupported(avif),
            "AVIF uploads are not supported by this server's decoder; upload JPEG, PNG, WebP or GIF"
        );
        let avis = b"\0\0\0\x1cftypavis\0\0\0\0avisavifmsf1\0\0\0\0";
        assert!(unsupported(avis).starts_with("AVIF uploads are not supported"));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0";
        assert!(unsupported(heic).contains("HEIC"));

        // Image formats we do not accept.
        assert!(unsupported(b"II*\0\x08\0\0\0\0\0\0\0\0\0\0\0").contains("TIFF"));
        assert!(unsupported(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0").contains("BMP"));

        // Random binary.
        assert!(unsupported(&[0u8, 1, 2, 3, 250, 251, 252, 7, 0, 0]).contains("not a JPEG, PNG"));
    }

    #[test]
    fn truncated_or_damaged_files_of_accepted_formats_are_corrupt() {
        let full = jpeg(64, 48);
        let message = corrupt(&full[..full.len() / 2]);
        assert!(message.contains("JPEG"), "{message}");

        let full = png(64, 48);
        corrupt(&full[..full.len() / 2]);
        // Just the signature.
        corrupt(&full[..8]);

        let full = webp(64, 48);
        corrupt(&full[..full.len() / 2]);

        let full = gif(64, 48, &[[1, 2, 3]]);
        corrupt(&full[..full.len() / 2]);

        // The JPEG start-of-image marker and nothing else.
        corrupt(b"\xFF\xD8\xFF\xE0 not really a jpeg");
    }

    #[test]
    fn the_jpeg_end_check_follows_segments_and_scans() {
        // SOI, APP0, SOF2, then two progressive scans with a DHT between, then EOI.
        let mut stream = vec![0xFF, 0xD8];
        stream.extend([0xFF, 0xE0, 0x00, 0x06, 0xFF, 0xD9, 0xFF, 0xDA]); // EOI/SOS bytes inside APP0
        stream.extend([0xFF, 0xC2, 0x00, 0x04, 0x01, 0x02]);
        stream.extend([0xFF, 0xDA, 0x00, 0x03, 0x00]);
        stream.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0x00]); // stuffing, RST, fill
        stream.extend([0xFF, 0xC4, 0x00, 0x03, 0x00]);
        stream.extend([0xFF, 0xDA, 0x00, 0x03, 0x00, 0x78, 0x9A]);
        let end = stream.len();
        stream.extend([0xFF, 0xD9]);
        assert!(jpeg_is_complete(&stream));
        stream.extend(b"camera trailer after EOI");
        assert!(jpeg_is_complete(&stream));
        for cut in 2..end + 1 {
            assert!(!jpeg_is_complete(&stream[..cut]), "cut at {cut}");
        }

        // Data after EOI does not make a real JPEG corrupt.
        let mut with_trailer = jpeg(32, 24);
        with_trailer.extend_from_slice(&[0u8; 100]);
        assert!(probe(&with_trailer, &limits()).is_ok());
        // Cut anywhere before the end: refused.
        let full = jpeg(64, 48);
        for cut in [3, 20, 200, full.len() / 3, full.len() - 2] {
            corrupt(&full[..cut]);
        }
    }

    #[test]
    fn a_header_claiming_too_many_pixels_is_refused_before_decoding() {
        let started = std::time::Instant::now();
        assert_eq!(
            probe(&png_claiming(100_000, 100_000), &limits()),
            Err(MediaError::TooManyPixels {
                width: 100_000,
                height: 100_000,
                limit: 60_000_000
            })
        );
        assert_eq!(
            render(
                &png_claiming(100_000, 100_000),
                &limits(),
                Some(100),
                OutputFormat::Jpeg
            ),
            Err(MediaError::TooManyPixels {
                width: 100_000,
                height: 100_000,
                limit: 60_000_000
            })
        );
        // 10 billion pixels were never allocated nor decoded.
        assert!(started.elapsed() < std::time::Duration::from_secs(2));

        let tight = Limits {
            max_pixels: 1_000,
            ..Limits::default()
        };
        let error = probe(&jpeg(40, 30), &tight).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                width: 40,
                height: 30,
                limit: 1_000
            }
        );
        assert_eq!(
            error.to_string(),
            "the image has 40x30 pixels; at most 1000 pixels are accepted"
        );
        assert!(probe(&jpeg(40, 25), &tight).is_ok());
    }

    #[test]
    fn renditions_keep_the_aspect_ratio_and_never_upscale() {
        let source = png(200, 100);
        let size = |width, format| {
            let image = decoded(&render(&source, &limits(), width, format).unwrap());
            (image.width(), image.height())
        };
        assert_eq!(size(None, OutputFormat::Png), (200, 100));
        assert_eq!(size(Some(50), OutputFormat::Png), (50, 25));
        assert_eq!(size(Some(75), OutputFormat::Jpeg), (75, 38));
        assert_eq!(size(Some(200), OutputFormat::Webp), (200, 100));
        assert_eq!(size(Some(1_000), OutputFormat::Jpeg), (200, 100));
        assert_eq!(size(Some(0), OutputFormat::Jpeg), (1, 1));
    }

    #[test]
    fn renditions_are_in_the_requested_format() {
        let source = jpeg(120, 80);
        let jpeg_out = render(&source, &limits(), Some(60), OutputFormat::Jpeg).unwrap();
        assert!(jpeg_out.starts_with(&[0xFF, 0xD8, 0xFF]));
        let png_out = render(&source, &limits(), Some(60), OutputFormat::Png).unwrap();
        assert!(png_out.starts_with(b"\x89PNG\r\n\x1a\n"));
        let webp_out = render(&source, &limits(), Some(60), OutputFormat::Webp).unwrap();
        assert!(webp_out.starts_with(b"RIFF") && &webp_out[8..12] == b"WEBP");
        assert_eq!(&webp_out[12..16], b"VP8 ", "lossy WebP");
        for bytes in [&jpeg_out, &png_out, &webp_out] {
            let probed = probe(bytes, &limits()).unwrap();
            assert_eq!((probed.width, probed.height), (60, 40));
        }
        // Every source format renders.
        for source in [png(30, 20), gif(30, 20, &[[9, 9, 9]]), webp(30, 20)] {
            for format in [OutputFormat::Jpeg, OutputFormat::Png, OutputFormat::Webp] {
                let out = render(&source, &limits(), Some(15), format).unwrap();
                assert_eq!(decoded(&out).width(), 15);
            }
        }
    }

    #[test]
    fn transparency_is_kept_by_png_and_webp_and_flattened_on_white_for_jpeg() {
        let source = png_with_alpha(64, 32);
        let png_out = decoded(&render(&source, &limits(), Some(32), OutputFormat::Png).unwrap());
        assert!(png_out.has_alpha());
        let webp_out = decoded(&render(&source, &limits(), Some(32), OutputFormat::Webp).unwrap());
        assert!(webp_out.has_alpha());
        assert!(webp_out.to_rgba8().get_pixel(0, 8)[3] < 40);

        let jpeg_out = decoded(&render(&source, &limits(), None, OutputFormat::Jpeg).unwrap());
        let rgb = jpeg_out.to_rgb8();
        // Fully transparent on the left: white; opaque on the right: the red.
        assert!(
            rgb.get_pixel(0, 16).0.iter().all(|&c| c > 235),
            "{:?}",
            rgb.get_pixel(0, 16)
        );
        let right = rgb.get_pixel(63, 16).0;
        assert!(
            right[0] > 170 && right[1] < 80 && right[2] < 80,
            "{right:?}"
        );
    }

    #[test]
    fn a_gif_renders_its_first_frame() {
        let source = gif(20, 20, &[[250, 0, 0], [0, 0, 250]]);
        assert_eq!(probe(&source, &limits()).unwrap().format, SourceFormat::Gif);
        let out = decoded(&render(&source, &limits(), None, OutputFormat::Png).unwrap());
        let pixel = out.to_rgb8().get_pixel(10, 10).0;
        assert!(pixel[0] > 200 && pixel[2] < 50, "{pixel:?}");
    }

    #[test]
    fn exif_orientation_is_applied_and_no_metadata_survives() {
        let source = jpeg_with_exif_orientation_and_gps(64, 32, 6);
        assert!(contains(&source, b"Exif\0\0MM"));
        let mut decoder = ImageReader::new(Cursor::new(&source))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);
        assert!(
            decoder
                .exif_metadata()
                .unwrap()
                .is_some_and(|exif| contains(&exif, b"N\0"))
        );

        assert_eq!(
            probe(&source, &limits()),
            Ok(ProbedImage {
                format: SourceFormat::Jpeg,
                width: 32,
                height: 64
            })
        );
        for format in [OutputFormat::Jpeg, OutputFormat::Png, OutputFormat::Webp] {
            let full = render(&source, &limits(), None, format).unwrap();
            assert!(!contains(&full, b"Exif"), "{format:?} carries EXIF");
            assert!(!contains(&full, b"eXIf") && !contains(&full, b"EXIF"));
            assert!(!contains(&full, b"iCCP") && !contains(&full, b"ICCP"));
            let probed = probe(&full, &limits()).unwrap();
            assert_eq!((probed.width, probed.height), (32, 64), "{format:?}");
            let small = decoded(&render(&source, &limits(), Some(16), format).unwrap());
            assert_eq!((small.width(), small.height()), (16, 32), "{format:?}");
        }
        // A width above the displayed width (32), though below the stored one (64): full size.
        let out = decoded(&render(&source, &limits(), Some(48), OutputFormat::Jpeg).unwrap());
        assert_eq!((out.width(), out.height()), (32, 64));
    }

    #[test]
    fn orientation_6_turns_the_picture_clockwise() {
        // Stored: red left half, blue right half. Rotated 90 degrees clockwise for display, the
        // left half becomes the top.
        let stored = image::RgbImage::from_fn(64, 32, |x, _| {
            if x < 32 {
                image::Rgb([230, 20, 20])
            } else {
                image::Rgb([20, 20, 230])
            }
        });
        let source = with_exif_orientation_and_gps(&encode_jpeg(&stored, 90), 6);
        let out = decoded(&render(&source, &limits(), None, OutputFormat::Png).unwrap()).to_rgb8();
        assert_eq!(out.dimensions(), (32, 64));
        let top = out.get_pixel(16, 8).0;
        let bottom = out.get_pixel(16, 56).0;
        assert!(top[0] > 180 && top[2] < 80, "top {top:?}");
        assert!(bottom[2] > 180 && bottom[0] < 80, "bottom {bottom:?}");

        // Orientation 8 (90 degrees counter-clockwise): the left half becomes the bottom.
        let source = with_exif_orientation_and_gps(&encode_jpeg(&stored, 90), 8);
        let out =
            decoded(&render(&source, &limits(), Some(16), OutputFormat::Png).unwrap()).to_rgb8();
        assert_eq!(out.dimensions(), (16, 32));
        assert!(out.get_pixel(8, 28).0[0] > 180);
        assert!(out.get_pixel(8, 4).0[2] > 180);
    }

    #[test]
    fn the_served_format_follows_accept() {
        use OutputFormat as O;
        use SourceFormat as S;
        let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
        assert_eq!(choose_output(S::Jpeg, Some(chrome)), O::Webp);
        assert_eq!(choose_output(S::Png, Some(chrome)), O::Webp);
        assert_eq!(choose_output(S::Gif, Some(chrome)), O::Webp);
        assert_eq!(choose_output(S::Webp, Some(chrome)), O::Webp);
        assert_eq!(choose_output(S::Jpeg, Some("IMAGE/WEBP;q=0.5")), O::Webp);
        assert_eq!(
            choose_output(S::Jpeg, Some("image/png, image/webp ; q=1.0")),
            O::Webp
        );

        for accept in [
            None,
            Some(""),
            Some("*/*"),
            Some("image/*"),
            Some("image/png,image/jpeg"),
            Some("image/webp;q=0"),
            Some("image/webp;q=0.0, */*"),
            Some("image/webp;q=nonsense"),
            Some("image/webpx"),
        ] {
            assert_eq!(choose_output(S::Jpeg, accept), O::Jpeg, "{accept:?}");
            assert_eq!(choose_output(S::Png, accept), O::Png, "{accept:?}");
            assert_eq!(choose_output(S::Gif, accept), O::Png, "{accept:?}");
            assert_eq!(choose_output(S::Webp, accept), O::Png, "{accept:?}");
        }
    }

    #[test]
    fn mime_types_and_extensions() {
        use SourceFormat as S;
        for format in [S::Jpeg, S::Png, S::Gif, S::Webp] {
            assert_eq!(SourceFormat::from_mime(format.mime()), Some(format));
        }
        assert_eq!(
            SourceFormat::from_mime("Image/JPG; charset=x"),
            Some(S::Jpeg)
        );
        assert_eq!(SourceFormat::from_mime("image/svg+xml"), None);
        assert_eq!(S::Jpeg.extension(), "jpg");
        assert_eq!(S::Webp.mime(), "image/webp");
        assert_eq!(OutputFormat::Jpeg.mime(), "image/jpeg");
        assert_eq!(OutputFormat::Png.extension(), "png");
        assert_eq!(OutputFormat::Webp.extension(), "webp");
    }

    #[test]
    fn renditions_fit_the_format_limits() {
        assert_eq!(
            target_size(20_000, 1_000, None, WEBP_MAX_DIMENSION),
            (16_383, 819)
        );
        assert_eq!(
            target_size(1_000, 20_000, None, WEBP_MAX_DIMENSION),
            (819, 16_383)
        );
        assert_eq!(
            target_size(20_000, 1_000, Some(1_280), WEBP_MAX_DIMENSION),
            (1_280, 64)
        );
        assert_eq!(
            target_size(6_000, 4_000, Some(1_280), JPEG_MAX_DIMENSION),
            (1_280, 853)
        );
        assert_eq!(target_size(100, 1, Some(10), u32::MAX), (10, 1));
    }

    // -----------------------------------------------------------------------------------------
    // GIF metadata

    const GPS_COMMENT: &[u8] = b"GPS 48.858 N 2.294 E";
    const XMP_PACKET: &[u8] = b"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
        <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
        xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
        <rdf:Description xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" \
        exif:GPSLatitude=\"48,51.486N\" exif:GPSLongitude=\"2,17.667E\"/>\
        </rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";

    /// Where the first block starts: after the header, the logical screen descriptor and the
    /// global colour table.
    fn gif_first_block(gif: &[u8]) -> usize {
        13 + gif_colour_table_len(gif[10])
    }

    fn inserted(bytes: &[u8], at: usize, block: &[u8]) -> Vec<u8> {
        [&bytes[..at], block, &bytes[at..]].concat()
    }

    /// `data` as GIF data sub-blocks with their terminator.
    fn sub_blocks(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in data.chunks(255) {
            out.push(u8::try_from(chunk.len()).unwrap());
            out.extend_from_slice(chunk);
        }
        out.push(0);
        out
    }

    fn comment_extension(text: &[u8]) -> Vec<u8> {
        [&[0x21, 0xFE][..], &sub_blocks(text)].concat()
    }

    fn plain_text_extension(text: &[u8]) -> Vec<u8> {
        // The 12-byte header: grid position and size, cell size, colours.
        let header = [12, 0, 0, 0, 0, 16, 0, 12, 0, 8, 8, 1, 0];
        [&[0x21, 0x01][..], &header, &sub_blocks(text)[..]].concat()
    }

    fn application_extension(id: &[u8; 11], sub_blocks: &[u8]) -> Vec<u8> {
        [&[0x21, 0xFF, 11][..], id, sub_blocks].concat()
    }

    /// XMP as Adobe writes it: the packet's raw bytes (read as sub-blocks by a GIF decoder),
    /// then the 258-byte "magic trailer" that brings any such reading to the terminator.
    fn xmp_extension(packet: &[u8]) -> Vec<u8> {
        let mut data = packet.to_vec();
        data.push(0x01);
        data.extend((0..=255u8).rev());
        data.push(0x00);
        application_extension(b"XMP DataXMP", &data)
    }

    /// The frames as the `image` crate's GIF decoder sees them.
    fn gif_frames(bytes: &[u8]) -> Vec<image::Frame> {
        use image::AnimationDecoder;
        image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap()
    }

    fn assert_same_frames(a: &[u8], b: &[u8]) {
        let (a, b) = (gif_frames(a), gif_frames(b));
        assert_eq!(a.len(), b.len());
        for (a, b) in a.iter().zip(&b) {
            assert_eq!(a.delay(), b.delay());
            assert_eq!((a.left(), a.top()), (b.left(), b.top()));
            assert_eq!(a.buffer(), b.buffer());
        }
    }

    fn looping_gif(repeat: image::codecs::gif::Repeat) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
            encoder.set_repeat(repeat).unwrap();
            for (i, colour) in [[200, 10, 10, 255], [10, 200, 10, 255], [10, 10, 200, 255]]
                .into_iter()
                .enumerate()
            {
                let pixels = image::RgbaImage::from_pixel(12, 8, image::Rgba(colour));
                let delay = image::Delay::from_numer_denom_ms(100 * (i as u32 + 1), 1);
                encoder
                    .encode_frame(image::Frame::from_parts(pixels, 0, 0, delay))
                    .unwrap();
            }
        }
        out
    }

    /// A 1x1 GIF87a with a global colour table (the classic tracking pixel).
    const PIXEL_GIF87A: &[u8] = b"GIF87a\x01\x00\x01\x00\x80\x00\x00\
        \xff\xff\xff\x00\x00\x00\
        \x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

    /// A two-frame animation with a comment, XMP, an ICC profile and plain text in it.
    fn gif_with_metadata() -> (Vec<u8>, Vec<u8>) {
        let original = gif(16, 12, &[[250, 0, 0], [0, 0, 250]]);
        let metadata = [
            comment_extension(GPS_COMMENT),
            xmp_extension(XMP_PACKET),
            application_extension(b"ICCRGBG1012", &sub_blocks(b"\0\0\x02\x30ADBE desc sRGB")),
            plain_text_extension(b"shot at 48.858 N"),
        ]
        .concat();
        let tagged = inserted(&original, gif_first_block(&original), &metadata);
        // And one more comment between the trailer and the last frame.
        let tagged = inserted(&tagged, tagged.len() - 1, &comment_extension(GPS_COMMENT));
        (original, tagged)
    }

    #[test]
    fn gif_metadata_is_stripped_and_the_animation_kept() {
        let (original, tagged) = gif_with_metadata();
        assert!(contains(&tagged, GPS_COMMENT) && contains(&tagged, b"XMP DataXMP"));
        assert_eq!(gif_frames(&original).len(), 2);
        // The tagged file is a GIF that decoders read as the original.
        assert_same_frames(&tagged, &original);

        let stripped = strip_gif_metadata(&tagged).unwrap();
        for needle in [
            GPS_COMMENT,
            b"48.858",
            b"XMP",
            b"GPSLatitude",
            b"xpacket",
            b"ICCRGBG1",
            b"ADBE",
        ] {
            assert!(
                !contains(&stripped, needle),
                "{:?} survived",
                String::from_utf8_lossy(needle)
            );
        }
        assert_eq!(gif_frames(&stripped).len(), 2);
        assert_same_frames(&stripped, &tagged);
        // Only what was inserted is gone: frames, timing and palettes byte for byte.
        assert_eq!(stripped, original);
        assert_eq!(
            probe(&stripped, &limits()).unwrap().format,
            SourceFormat::Gif
        );
    }

    #[test]
    fn a_gif_without_metadata_comes_out_byte_identical() {
        let looping = looping_gif(image::codecs::gif::Repeat::Infinite);
        for source in [
            gif(16, 12, &[[1, 2, 3]]),
            gif(16, 12, &[[250, 0, 0], [0, 250, 0], [0, 0, 250]]),
            looping.clone(),
            looping_gif(image::codecs::gif::Repeat::Finite(3)),
            PIXEL_GIF87A.to_vec(),
        ] {
            assert_eq!(strip_gif_metadata(&source).unwrap(), source);
        }
        assert_eq!(gif_frames(PIXEL_GIF87A).len(), 1);
        let delays: Vec<_> = gif_frames(&looping).iter().map(|f| f.delay()).collect();
        assert_eq!(
            delays,
            [100, 200, 300].map(|ms| image::Delay::from_numer_denom_ms(ms, 1))
        );

        // A comment in a GIF87a (which has no extensions by the book) is dropped all the same.
        let tagged = inserted(
            PIXEL_GIF87A,
            gif_first_block(PIXEL_GIF87A),
            &comment_extension(GPS_COMMENT),
        );
        assert_eq!(strip_gif_metadata(&tagged).unwrap(), PIXEL_GIF87A);
    }

    #[test]
    fn the_animation_loop_block_is_kept() {
        let looping = looping_gif(image::codecs::gif::Repeat::Infinite);
        let loop_block = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00";
        assert!(contains(&looping, loop_block));
        let at = gif_first_block(&looping);
        let tagged = inserted(&looping, at, &comment_extension(GPS_COMMENT));
        let tagged = inserted(&tagged, tagged.len() - 1, &xmp_extension(XMP_PACKET));
        let stripped = strip_gif_metadata(&tagged).unwrap();
        assert_eq!(stripped, looping);
        assert!(contains(&stripped, loop_block));
        assert_same_frames(&stripped, &looping);

        // ANIMEXTS1.0 is the same block under another name.
        let plain = gif(16, 12, &[[1, 2, 3], [4, 5, 6]]);
        let animexts = application_extension(b"ANIMEXTS1.0", b"\x03\x01\x05\x00\x00");
        let with_animexts = inserted(&plain, gif_first_block(&plain), &animexts);
        assert_eq!(strip_gif_metadata(&with_animexts).unwrap(), with_animexts);

        // Anything but the loop count inside the loop block goes: here a buffering sub-block
        // and a smuggled one.
        let crowded = application_extension(
            b"NETSCAPE2.0",
            b"\x05\x02\x00\x10\x00\x00\x03\x01\x02\x00\x14GPS 48.858 N 2.294 E\x00",
        );
        let with_crowded = inserted(&plain, gif_first_block(&plain), &crowded);
        let stripped = strip_gif_metadata(&with_crowded).unwrap();
        let trimmed = application_extension(b"NETSCAPE2.0", b"\x03\x01\x02\x00\x00");
        assert_eq!(
            stripped,
            inserted(&plain, gif_first_block(&plain), &trimmed)
        );
        // No loop count at all: the block is dropped.
        let empty = application_extension(b"NETSCAPE2.0", b"\x05\x02\x00\x10\x00\x00\x00");
        let with_empty = inserted(&plain, gif_first_block(&plain), &empty);
        assert_eq!(strip_gif_metadata(&with_empty).unwrap(), plain);
    }

    #[test]
    fn graphic_control_extensions_are_kept_without_extra_sub_blocks() {
        let looping = looping_gif(image::codecs::gif::Repeat::Infinite);
        let control = looping
            .windows(3)
            .position(|w| w == [0x21, 0xF9, 0x04])
            .unwrap();
        // Data hidden after the 4-byte sub-block (decoders skip it): dropped.
        let smuggled = inserted(&looping, control + 7, b"\x14GPS 48.858 N 2.294 E");
        let stripped = strip_gif_metadata(&smuggled).unwrap();
        assert_eq!(stripped, looping);
        // A control extension of the wrong size is refused (decoders refuse it too).
        let mut wrong = looping.clone();
        wrong[control + 2] = 3;
        assert!(matches!(
            strip_gif_metadata(&wrong),
            Err(MediaError::Corrupt(_))
        ));
    }

    #[test]
    fn a_malformed_gif_is_corrupt() {
        let source = gif(16, 12, &[[1, 2, 3]]);
        let corrupt_gif = |bytes: &[u8]| match strip_gif_metadata(bytes) {
            Err(MediaError::Corrupt(message)) => message,
            other => panic!("expected Corrupt, got {other:?}"),
        };
        assert!(corrupt_gif(b"").contains("truncated"));
        assert!(corrupt_gif(&png(4, 4)).contains("header"));
        assert!(corrupt_gif(b"GIF88a\x01\x00\x01\x00\x00\x00\x00\x3b").contains("header"));
        // Not a block introducer where a block must start.
        let at = gif_first_block(&source);
        let message = corrupt_gif(&inserted(&source, at, b"\x42"));
        assert!(message.contains("0x42"), "{message}");
        // No trailer.
        assert!(corrupt_gif(&source[..source.len() - 1]).contains("truncated"));
        // Data after the trailer is not served.
        let mut trailing = source.clone();
        trailing.extend_from_slice(b"GPS 48.858 N 2.294 E");
        assert_eq!(strip_gif_metadata(&trailing).unwrap(), source);
    }

    #[test]
    fn hostile_gifs_give_an_error_never_a_panic() {
        let (_, tagged) = gif_with_metadata();
        let looping = inserted(
            &looping_gif(image::codecs::gif::Repeat::Infinite),
            13,
            &comment_extension(GPS_COMMENT),
        );
        let check = |bytes: &[u8]| {
            if let Ok(out) = strip_gif_metadata(bytes) {
                // What comes out is a GIF with nothing more to strip.
                assert_eq!(strip_gif_metadata(&out).as_ref(), Ok(&out));
                assert_eq!(out.last(), Some(&0x3B));
            }
        };
        for source in [&tagged, &looping, &PIXEL_GIF87A.to_vec()] {
            // Truncated anywhere: no trailer, so always an error.
            for cut in 0..source.len() {
                assert!(strip_gif_metadata(&source[..cut]).is_err(), "cut at {cut}");
            }
            // One byte changed anywhere.
            for at in 0..source.len() {
                for mask in [0x01, 0x04, 0x20, 0x80, 0xFF] {
                    let mut flipped = source.to_vec();
                    flipped[at] ^= mask;
                    check(&flipped);
                }
            }
            // A few bytes changed at random (xorshift: deterministic).
            let mut state: u32 = 0x2545_F491;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as usize
            };
            for _ in 0..2_000 {
                let mut mutated = source.to_vec();
                for _ in 0..1 + next() % 4 {
                    let at = next() % mutated.len();
                    mutated[at] = next() as u8;
                }
                let cut = mutated.len() - next() % 8;
                check(&mutated[..cut]);
            }
        }
        // Lengths and tables claiming more than there is.
        check(b"GIF89a\x01\x00\x01\x00\xff\x00\x00");
        check(b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x87");
        check(b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x21\xfe\xff\x01\x02");
        check(b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x21\xff\x0bNETSCAPE2.0\x03\x01");
        check(&[0xFF; 64]);
    }
}

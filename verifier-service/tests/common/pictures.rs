//! Pictures of QR codes to upload: rendered with `qrcode`, encoded with `image` (PNG,
//! JPEG), and a one-page PDF holding a JPEG scan, written by hand.

use image::{GrayImage, ImageFormat, Luma};
use std::io::Cursor;

/// Grey pixels of QR codes of `texts` side by side (ECC M, `px` per module, quiet zones of
/// four modules): the image.
pub fn render(texts: &[&str], px: u32) -> GrayImage {
    let codes: Vec<qrcode::QrCode> = texts
        .iter()
        .map(|t| qrcode::QrCode::with_error_correction_level(t.as_bytes(), qrcode::EcLevel::M))
        .collect::<Result<_, _>>()
        .unwrap();
    let sides: Vec<u32> = codes.iter().map(|c| (c.width() as u32 + 8) * px).collect();
    let width = sides.iter().sum();
    let height = sides.iter().copied().max().unwrap_or(1);
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    let mut left = 0;
    for (code, side) in codes.iter().zip(&sides) {
        let modules = code.width() as u32;
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (x, y) = (i as u32 % modules, i as u32 / modules);
                for dy in 0..px {
                    for dx in 0..px {
                        image.put_pixel(left + (4 + x) * px + dx, (4 + y) * px + dy, Luma([0]));
                    }
                }
            }
        }
        left += side;
    }
    image
}

fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A PNG of one QR code of `text`.
pub fn png(text: &str) -> Vec<u8> {
    encode(&render(&[text], 4), ImageFormat::Png)
}

/// A PNG of QR codes of every text, side by side.
pub fn png_of_all(texts: &[&str]) -> Vec<u8> {
    encode(&render(texts, 4), ImageFormat::Png)
}

/// A JPEG (quality 85) of one QR code of `text`.
pub fn jpeg(text: &str) -> Vec<u8> {
    let image = render(&[text], 5);
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)
        .encode_image(&image)
        .unwrap();
    bytes
}

/// A one-frame YUV4MPEG2 video (4:2:0, the format Chromium's fake camera reads) of
/// `width` × `height` pixels: a mid-grey scene with a phone-sized white screen in the
/// middle showing the QR code of `text` at `px` pixels per module.
pub fn y4m(text: &str, width: u32, height: u32, px: u32) -> Vec<u8> {
    let code = render(&[text], px);
    let (left, top) = ((width - code.width()) / 2, (height - code.height()) / 2);
    let mut frame = GrayImage::from_pixel(width, height, Luma([110]));
    image::imageops::overlay(&mut frame, &code, i64::from(left), i64::from(top));
    let mut video =
        format!("YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\nFRAME\n").into_bytes();
    video.extend_from_slice(frame.as_raw());
    // No colour: both chroma planes (a quarter of the pixels each) at their neutral value.
    let chroma = (width.div_ceil(2) * height.div_ceil(2) * 2) as usize;
    video.resize(video.len() + chroma, 128);
    video
}

/// A white PNG without any code.
pub fn blank_png() -> Vec<u8> {
    encode(
        &GrayImage::from_pixel(200, 200, Luma([255])),
        ImageFormat::Png,
    )
}

/// A PNG `width` pixels wide and one high: small as a file, beyond the scanner's width
/// limit when `width` exceeds 16 384.
pub fn wide_png(width: u32) -> Vec<u8> {
    encode(
        &GrayImage::from_pixel(width, 1, Luma([255])),
        ImageFormat::Png,
    )
}

/// A one-page PDF whose page is a JPEG scan of a QR code of `text` (DCTDecode, grey).
pub fn pdf(text: &str) -> Vec<u8> {
    let image = render(&[text], 4);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&image)
        .unwrap();
    let (w, h) = image.dimensions();
    let content = format!("q {w} 0 0 {h} 0 0 cm /Im1 Do Q");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Contents 4 0 R \
             /Resources << /XObject << /Im1 5 0 R >> >> >>"
        )
        .into_bytes(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content.into_bytes(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        [
            format!(
                "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace \
                 /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
                jpeg.len()
            )
            .into_bytes(),
            jpeg,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    pdf_of(&objects)
}

/// A PDF file of `objects` (numbered from 1; object 1 is the catalog), with its xref table.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A PDF whose one object stream lists `entries` objects that all start at the same
/// offset, where an array of `items` numbers lies: a reader that parses each entry parses
/// the array `entries` times. Compressed, it is a few kilobytes.
pub fn object_stream_bomb_pdf(entries: usize, items: usize) -> Vec<u8> {
    let mut content: String = (0..entries).map(|i| format!("{} 0 ", i + 10)).collect();
    let first = content.len();
    content.push('[');
    content.push_str(&"0 ".repeat(items));
    content.push(']');
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(content.as_bytes(), 9);
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>".to_vec(),
        [
            format!(
                "<< /Type /ObjStm /N {entries} /First {first} /Length {} /Filter /FlateDecode \
                 >>\nstream\n",
                packed.len()
            )
            .into_bytes(),
            packed,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    pdf_of(&objects)
}

/// A PNG of `width` × `height` pixels of noise: no QR code, so the scanner runs every
/// pass until its time budget ends.
pub fn noise_png(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    let image = GrayImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        Luma([(state >> 24) as u8])
    });
    encode(&image, ImageFormat::Png)
}

//! The scanning API (features `scan`, `scan-pdf`): every demo credential read back from
//! PNG, JPEG, WebP, raw frames in every pixel layout, a full-HD camera frame and PDFs of
//! scanned pages, exactly; verification of what was read; and the limits, errors and time
//! budget.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod scan_support;

use ikd_sdk::demo::DemoData;
use ikd_sdk::scan::{
    self, Frame, PixelFormat, Scan, ScanError, ScanLimits, ScanOptions, scan_and_verify,
};
use ikd_sdk::{Policy, UnixTime};
use image::{ExtendedColorType, ImageEncoder};
use lopdf::{Document, Object, Stream, dictionary};
use scan_support::render;
use std::time::Duration;

const NOW: UnixTime = UnixTime(1_790_000_000);

fn png(pixels: &[u8], width: usize, height: usize, color: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(pixels, width as u32, height as u32, color)
        .unwrap();
    out
}

fn jpeg(pixels: &[u8], side: usize, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(pixels, side as u32, side as u32, ExtendedColorType::L8)
        .unwrap();
    out
}

fn webp(pixels: &[u8], side: usize) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(pixels, side as u32, side as u32, ExtendedColorType::L8)
        .unwrap();
    out
}

/// The scan found exactly one code, `text`, byte for byte.
fn assert_read_exactly(scan: &Scan, text: &str, what: &str) {
    let payloads = scan.payloads();
    assert_eq!(payloads.len(), 1, "{what}: {payloads:?}");
    assert_eq!(payloads[0].bytes(), text.as_bytes(), "{what}");
    assert_eq!(payloads[0].text(), Some(text), "{what}");
    assert!(payloads[0].is_ikd(), "{what}");
}

fn demo() -> DemoData {
    DemoData::generate(NOW).unwrap()
}

#[test]
fn every_demo_credential_is_read_back_from_png_jpeg_and_webp_and_verifies() {
    let data = demo();
    for credential in &data.credentials {
        // What the holder shows: a presentation for the bound KTP-el and profiles.
        let text = &data.shown_qr_text(credential, NOW).unwrap();
        for px in [1, 2, 4, 8] {
            let (pixels, side) = render(text, px);
            let file = png(&pixels, side, side, ExtendedColorType::L8);
            let scan = scan::scan_bytes(&file, &ScanOptions::exhaustive()).unwrap();
            assert_read_exactly(&scan, text, &format!("{} PNG {px} px", credential.sample));
            let verified = scan.verify(
                &data.trust,
                NOW,
                &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
            );
            assert_eq!(verified.len(), 1);
            assert!(verified[0].result.is_ok(), "{}", credential.sample);
        }
        let (pixels, side) = render(text, 4);
        let scan = scan::scan_bytes(&jpeg(&pixels, side, 75), &ScanOptions::exhaustive()).unwrap();
        assert_read_exactly(&scan, text, &format!("{} JPEG", credential.sample));
        let (pixels, side) = render(text, 2);
        let scan = scan::scan_image(&webp(&pixels, side), &ScanOptions::exhaustive()).unwrap();
        assert_read_exactly(&scan, text, &format!("{} WebP", credential.sample));

        let results = scan_and_verify(
            &png(&pixels, side, side, ExtendedColorType::L8),
            &ScanOptions::default(),
            &data.trust,
            NOW,
            &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
        )
        .unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].payload.bytes(), text.as_bytes());
        assert!(results[0].result.is_ok());
    }
}

#[test]
fn frames_in_every_pixel_layout_with_padded_rows() {
    let data = demo();
    let text = &data.credentials[0].qr_text;
    let (gray, side) = render(text, 3);
    type Pixel = fn(u8) -> Vec<u8>;
    let layouts: [(PixelFormat, Pixel); 4] = [
        (PixelFormat::Luma8, |y| vec![y]),
        (PixelFormat::Rgb8, |y| vec![y, y, y]),
        (PixelFormat::Rgba8, |y| vec![y, y, y, 255]),
        (PixelFormat::Bgra8, |y| vec![y, y, y, 255]),
    ];
    for (format, pixel) in layouts {
        let row = side * format.bytes_per_pixel();
        let stride = row + 13;
        let mut buffer = Vec::new();
        for line in gray.chunks_exact(side) {
            buffer.extend(line.iter().flat_map(|&y| pixel(y)));
            buffer.extend(std::iter::repeat_n(0x5A, stride - row));
        }
        let frame = Frame::new(&buffer, side as u32, side as u32, stride, format).unwrap();
        // The camera settings without their 30 ms budget: this test is about pixel layouts,
        // and a debug build on a loaded CI machine must not turn it into a timing test.
        let mut options = ScanOptions::camera();
        options.time_budget = None;
        let scan = scan::scan_frame(&frame, &options).unwrap();
        assert_read_exactly(&scan, text, &format!("{format:?}"));
        assert_eq!(scan.pass(), Some("rxing"));
    }
}

#[test]
fn a_code_on_a_transparent_background_is_seen_over_white() {
    let data = demo();
    let text = &data.credentials[0].qr_text;
    let (gray, side) = render(text, 3);
    // Dark modules opaque black; light ones fully transparent *black*.
    let rgba: Vec<u8> = gray
        .iter()
        .flat_map(|&y| if y == 0 { [0, 0, 0, 255] } else { [0, 0, 0, 0] })
        .collect();
    let file = png(&rgba, side, side, ExtendedColorType::Rgba8);
    let scan = scan::scan_bytes(&file, &ScanOptions::exhaustive()).unwrap();
    assert_read_exactly(&scan, text, "transparent PNG");
}

#[test]
fn light_on_dark_codes_are_read() {
    let data = demo();
    let text = &data.credentials[1].qr_text;
    let (gray, side) = render(text, 3);
    let inverted: Vec<u8> = gray.iter().map(|&y| 255 - y).collect();
    let frame = Frame::luma8(&inverted, side as u32, side as u32).unwrap();
    let scan = scan::scan_frame(&frame, &ScanOptions::exhaustive()).unwrap();
    assert_read_exactly(&scan, text, "inverted");
}

/// The densest sample (a KK of 8 members, QR version 20) small in a blurred full-HD camera
/// frame, 2 pixels a module: the coarse pass cannot resolve it, a finer one must.
#[test]
fn a_dense_credential_in_a_full_hd_camera_frame() {
    let data = demo();
    let text = &data
        .credentials
        .iter()
        .find(|c| c.sample == "kk-8")
        .unwrap()
        .qr_text;
    let (code, side) = render(text, 2);
    let (width, height) = (1920usize, 1080usize);
    let mut frame = vec![96u8; width * height];
    let (left, top) = (700, 260);
    for (y, line) in code.chunks_exact(side).enumerate() {
        let start = (top + y) * width + left;
        frame[start..start + side].copy_from_slice(line);
    }
    let image = image::GrayImage::from_raw(width as u32, height as u32, frame).unwrap();
    let blurred = image::imageops::blur(&image, 0.7);
    let rgba: Vec<u8> = blurred
        .as_raw()
        .iter()
        .flat_map(|&y| [y, y, y, 255])
        .collect();
    let frame = Frame::rgba8(&rgba, width as u32, height as u32).unwrap();
    let scan = scan::scan_frame(&frame, &ScanOptions::exhaustive()).unwrap();
    assert_read_exactly(&scan, text, "full-HD frame");
    assert_ne!(scan.pass(), Some("rxing-coarse"));
}

#[test]
fn other_codes_are_payloads_but_not_credentials() {
    let data = demo();
    let text = "https://example.com/\r\n";
    let (pixels, side) = render(text, 3);
    let file = png(&pixels, side, side, ExtendedColorType::L8);
    let scan = scan::scan_bytes(&file, &ScanOptions::default()).unwrap();
    assert_eq!(scan.payloads().len(), 1);
    assert_eq!(scan.payloads()[0].bytes(), text.as_bytes());
    assert!(!scan.payloads()[0].is_ikd());
    assert!(
        scan.verify(
            &data.trust,
            NOW,
            &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all())
        )
        .is_empty()
    );

    let blank = png(&vec![255; 200 * 100], 200, 100, ExtendedColorType::L8);
    let scan = scan::scan_bytes(&blank, &ScanOptions::exhaustive()).unwrap();
    assert!(scan.payloads().is_empty());
    assert!(!scan.budget_exhausted());
    assert_eq!(scan.pass(), None);
    assert!(scan.decoder_calls() > 5);
    assert_eq!(scan.decoder_panics(), 0);
}

#[test]
fn the_time_budget_stops_the_passes() {
    let blank = png(&vec![255; 300 * 300], 300, 300, ExtendedColorType::L8);
    let mut options = ScanOptions::default();
    options.time_budget = Some(Duration::ZERO);
    let scan = scan::scan_bytes(&blank, &options).unwrap();
    assert!(scan.budget_exhausted());
    assert_eq!(scan.decoder_calls(), 0);
}

#[test]
fn errors_and_limits() {
    let options = ScanOptions::default();
    let error = scan::scan_bytes(b"GIF89a\x01\x00\x01\x00", &options).unwrap_err();
    assert_eq!(error, ScanError::UnsupportedFormat);
    assert_eq!(error.code(), "unsupported_format");
    assert!(scan::scan_bytes(b"", &options).is_err());

    let file = png(&vec![0; 64 * 64], 64, 64, ExtendedColorType::L8);
    let error = scan::scan_bytes(&file[..file.len() / 2], &options).unwrap_err();
    assert_eq!(error.code(), "undecodable_image", "{error}");

    // Dimensions are checked from the header, before decoding.
    let wide = png(&vec![255; 20_000], 20_000, 1, ExtendedColorType::L8);
    let error = scan::scan_bytes(&wide, &options).unwrap_err();
    assert!(
        matches!(
            error,
            ScanError::TooLarge {
                what: "width",
                limit: 16_384,
                actual: Some(20_000)
            }
        ),
        "{error:?}"
    );
    // A small file that decodes to many pixels (a decompression bomb, scaled down).
    let big = png(&vec![255; 2000 * 2000], 2000, 2000, ExtendedColorType::L8);
    assert!(big.len() < 100_000, "{}", big.len());
    let mut limits = ScanLimits::default();
    limits.max_pixels = 1_000_000;
    let mut strict = ScanOptions::default();
    strict.limits = limits;
    let error = scan::scan_bytes(&big, &strict).unwrap_err();
    assert!(
        matches!(error, ScanError::TooLarge { what: "pixels", .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "image_too_large");
    // The decoder's own allocation cap.
    let mut tight = ScanOptions::default();
    tight.limits.max_decoder_bytes = 1000;
    let error = scan::scan_bytes(&file, &tight).unwrap_err();
    assert!(
        matches!(
            error,
            ScanError::TooLarge {
                what: "decoder memory",
                ..
            }
        ),
        "{error:?}"
    );
    // The file size.
    let mut small = ScanOptions::default();
    small.limits.max_file_bytes = 100;
    let error = scan::scan_bytes(&file, &small).unwrap_err();
    assert!(
        matches!(
            error,
            ScanError::TooLarge {
                what: "file bytes",
                ..
            }
        ),
        "{error:?}"
    );
    // Frames too large for the limits are refused before any work.
    let pixels = vec![255u8; 2000 * 600];
    let frame = Frame::luma8(&pixels, 2000, 600).unwrap();
    assert!(scan::scan_frame(&frame, &strict).is_err());
    assert!(matches!(
        Frame::rgba8(&pixels, 2000, 600),
        Err(ScanError::BadFrame { .. })
    ));
}

/// Adds a page showing one image XObject, scaled to the page.
fn add_image_page(
    document: &mut Document,
    pages_id: lopdf::ObjectId,
    image: Stream,
) -> lopdf::ObjectId {
    let image_id = document.add_object(image);
    let content = Stream::new(dictionary! {}, b"q 400 0 0 400 0 0 cm /Im1 Do Q".to_vec());
    let content_id = document.add_object(content);
    document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 400.into(), 400.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
    })
}

fn image_stream(
    side: usize,
    color_space: &str,
    bits: i64,
    filter: Option<&str>,
    data: Vec<u8>,
) -> Stream {
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => side as i64,
        "Height" => side as i64,
        "ColorSpace" => color_space,
        "BitsPerComponent" => bits,
    };
    if let Some(filter) = filter {
        dict.set("Filter", filter);
    }
    Stream::new(dict, data)
}

fn pdf(images: Vec<Stream>) -> Vec<u8> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let kids: Vec<Object> = images
        .into_iter()
        .map(|image| add_image_page(&mut document, pages_id, image).into())
        .collect();
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog);
    let mut out = Vec::new();
    document.save_to(&mut out).unwrap();
    out
}

#[test]
fn pdfs_of_scanned_pages_are_read_in_page_order() {
    let data = demo();
    let shown: Vec<String> = data
        .credentials
        .iter()
        .map(|c| data.shown_qr_text(c, NOW).unwrap())
        .collect();
    let texts: Vec<&str> = shown.iter().map(String::as_str).collect();

    // Page 1: a JPEG scan.
    let (pixels, side) = render(texts[0], 4);
    let page1 = image_stream(
        side,
        "DeviceGray",
        8,
        Some("DCTDecode"),
        jpeg(&pixels, side, 80),
    );
    // Page 2: 8-bit gray, Flate-compressed.
    let (pixels, side) = render(texts[1], 3);
    let mut page2 = image_stream(side, "DeviceGray", 8, None, pixels);
    page2.compress().unwrap();
    // Page 3: a 1-bit scan whose Decode array says 1 is black.
    let (pixels, side) = render(texts[2], 2);
    let mut bits = Vec::new();
    for line in pixels.chunks_exact(side) {
        for byte in line.chunks(8) {
            let mut packed = 0u8;
            for (i, &p) in byte.iter().enumerate() {
                if p == 0 {
                    packed |= 0x80 >> i;
                }
            }
            bits.push(packed);
        }
    }
    let mut page3 = image_stream(side, "DeviceGray", 1, None, bits);
    page3.dict.set("Decode", vec![1.into(), 0.into()]);
    // Page 4: a JPEG 2000 image, which is not supported: skipped.
    let page4 = image_stream(8, "DeviceGray", 8, Some("JPXDecode"), vec![0; 16]);
    // Page 5: RGB in an ICC colour space, the component count inferred from the length.
    let other = "not a credential";
    let (pixels, side) = render(other, 3);
    let rgb: Vec<u8> = pixels.iter().flat_map(|&y| [y, y, y]).collect();
    let mut page5 = image_stream(side, "ICCBased", 8, None, rgb);
    page5.dict.set(
        "ColorSpace",
        vec![Object::Name(b"ICCBased".to_vec()), Object::Null],
    );
    page5.compress().unwrap();

    let file = pdf(vec![page1, page2, page3, page4, page5]);
    let scan = scan::scan_bytes(&file, &ScanOptions::exhaustive()).unwrap();
    let read: Vec<&[u8]> = scan.payloads().iter().map(|p| p.bytes()).collect();
    let expected: Vec<&[u8]> = texts[..3]
        .iter()
        .map(|t| t.as_bytes())
        .chain([other.as_bytes()])
        .collect();
    assert_eq!(read, expected);
    assert_eq!(scan.images_scanned(), 4);
    assert_eq!(scan.images_skipped(), 1);
    let verified = scan.verify(
        &data.trust,
        NOW,
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    );
    assert_eq!(verified.len(), 3);
    assert!(verified.iter().all(|v| v.result.is_ok()));
    assert_eq!(
        scan::scan_pdf(&file, &ScanOptions::exhaustive()).unwrap(),
        scan
    );

    // Only the first pages within the limit.
    let mut options = ScanOptions::exhaustive();
    options.limits.max_pdf_pages = 2;
    let scan = scan::scan_bytes(&file, &options).unwrap();
    assert_eq!(scan.payloads().len(), 2);
}

#[test]
fn damaged_pdfs_are_errors() {
    let error = scan::scan_bytes(b"%PDF-1.7\n garbage", &ScanOptions::default()).unwrap_err();
    assert_eq!(error.code(), "unreadable_pdf", "{error}");
    let empty = pdf(Vec::new());
    let scan = scan::scan_bytes(&empty, &ScanOptions::default()).unwrap();
    assert!(scan.payloads().is_empty());
    assert_eq!(scan.images_scanned(), 0);
}

/// A PDF written by a real tool (img2pdf; see tests/corpus/README.md): a noisy, rotated
/// JPEG scan and a 1-bit image with PNG predictors.
#[test]
fn a_pdf_written_by_img2pdf_is_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pdf");
    let file = std::fs::read(dir.join("img2pdf-scan.pdf")).unwrap();
    let expected = std::fs::read_to_string(dir.join("img2pdf-scan.expected.txt")).unwrap();
    let scan = scan::scan_bytes(&file, &ScanOptions::exhaustive()).unwrap();
    let read: Vec<&str> = scan.payloads().iter().map(|p| p.text().unwrap()).collect();
    assert_eq!(read, expected.lines().collect::<Vec<_>>());
    assert_eq!(scan.images_scanned(), 2);
    assert_eq!(scan.images_skipped(), 0);
}

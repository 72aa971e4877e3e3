//! `ikd qr render`: a QR text as a PNG or SVG picture, as a phone screen or a printed KK
//! would show it (ECC level M by default, a quiet zone of four modules); and the terminal
//! rendering in Unicode half blocks that `ikd wallet show` and `ikd challenge` use.

use crate::util::{Access, Failure, qr_text_input, write_new_bytes};
use qrcode::{Color, EcLevel, QrCode};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Write a QR text (a credential or presentation `IKD1:…`, a challenge `IKDC:…`, or
    /// any text) as a PNG or SVG picture of its QR code.
    Render(RenderArgs),
}

/// The picture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// PNG, 8-bit grayscale.
    Png,
    /// SVG.
    Svg,
}

/// Error correction levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Ecc {
    /// About 7 % of the code may be damaged.
    L,
    /// About 15 % (the IKD default).
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

/// Pixels per module when neither `--module-px` nor `--size` is given.
pub(crate) const DEFAULT_MODULE_PX: u32 = 8;
/// Modules of light margin around the code (ISO/IEC 18004 asks for four).
pub(crate) const QUIET_ZONE_MODULES: u32 = 4;
/// The largest module size accepted, in pixels.
const MAX_MODULE_PX: u32 = 64;

#[derive(clap::Args)]
pub(crate) struct RenderArgs {
    /// The QR text; read from standard input when absent.
    #[arg(value_name = "QR_TEXT")]
    qr_text: Option<String>,
    /// The picture to write.
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    /// The picture format [default: from the file name's extension, else png].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Pixels per module [default: 8].
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_MODULE_PX)), conflicts_with = "size")]
    module_px: Option<u32>,
    /// The largest picture side, in pixels: modules as large as fit (at least one pixel).
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(1..=16384))]
    size: Option<u32>,
    /// Error correction level.
    #[arg(long, value_enum, default_value = "m")]
    ecc: Ecc,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

fn format_for(path: &Path, format: Option<Format>) -> Format {
    format.unwrap_or_else(|| {
        let svg = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("svg"));
        if svg { Format::Svg } else { Format::Png }
    })
}

/// The QR code of `text` at ECC level `ecc` (the encoder picks the segment modes: an IKD
/// text is all alphanumeric).
pub(crate) fn encode(text: &str, ecc: Ecc) -> Result<QrCode, Failure> {
    let level = match ecc {
        Ecc::L => EcLevel::L,
        Ecc::M => EcLevel::M,
        Ecc::Q => EcLevel::Q,
        Ecc::H => EcLevel::H,
    };
    QrCode::with_error_correction_level(text.as_bytes(), level)
        .map_err(|e| Failure::new(format!("cannot make a QR code of the text: {e}")))
}

/// Pixels per module: as given, or as large as fits in `size`, or the default.
fn module_px(code: &QrCode, module_px: Option<u32>, size: Option<u32>) -> u32 {
    let modules = u32::try_from(code.width()).unwrap_or(u32::MAX) + 2 * QUIET_ZONE_MODULES;
    match (module_px, size) {
        (Some(px), _) => px,
        (None, Some(size)) => (size / modules).clamp(1, MAX_MODULE_PX),
        (None, None) => DEFAULT_MODULE_PX,
    }
}

/// The code as an 8-bit grayscale PNG, `module_px` pixels per module, quiet zone included.
pub(crate) fn png(code: &QrCode, module_px: u32) -> Result<Vec<u8>, Failure> {
    let modules = code.width();
    let px = module_px as usize;
    let quiet = QUIET_ZONE_MODULES as usize * px;
    let side = modules * px + 2 * quiet;
    let mut pixels = vec![255u8; side * side];
    let colors = code.to_colors();
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (index % modules, index / modules);
        for row in 0..px {
            let start = (quiet + y * px + row) * side + quiet + x * px;
            if let Some(run) = pixels.get_mut(start..start + px) {
                run.fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| Failure::new("the picture is too large"))?;
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &pixels,
        side,
        side,
        image::ExtendedColorType::L8,
    )
    .map_err(|e| Failure::new(format!("cannot encode the PNG: {e}")))?;
    Ok(out)
}

/// The code as SVG, `module_px` user units per module, quiet zone included.
pub(crate) fn svg(code: &QrCode, module_px: u32) -> String {
    code.render::<qrcode::render::svg::Color<'_>>()
        .module_dimensions(module_px, module_px)
        .quiet_zone(true)
        .build()
}

/// The code in Unicode half blocks, two module rows per text line, with the quiet zone:
/// `█` both dark, `▀` top dark, `▄` bottom dark, a space both light. Every line has the
/// same width, so the picture keeps its shape.
///
/// With `colours`, each line is drawn black on bright white (ANSI SGR 30;107), so that a
/// terminal with a dark background does not show the code inverted, which some scanners
/// cannot read; without, the blocks are the dark modules and the background is assumed light.
pub(crate) fn half_blocks(code: &QrCode, colours: bool) -> String {
    let width = code.width();
    let quiet = QUIET_ZONE_MODULES as usize;
    let side = width + 2 * quiet;
    let colors = code.to_colors();
    let dark = |x: usize, y: usize| {
        // Outside the code (the quiet zone) is light.
        let (Some(cx), Some(cy)) = (x.checked_sub(quiet), y.checked_sub(quiet)) else {
            return false;
        };
        cx < width && cy < width && colors.get(cy * width + cx) == Some(&Color::Dark)
    };
    let mut out = String::new();
    // An odd number of rows leaves the last line's lower half light.
    for y in (0..side).step_by(2) {
        if colours {
            out.push_str("\x1b[30;107m");
        }
        for x in 0..side {
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colours {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    out
}

pub(crate) fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Render(args) => render(args),
    }
}

fn render(args: RenderArgs) -> Result<ExitCode, Failure> {
    let text = qr_text_input(args.qr_text)?;
    let code = encode(&text, args.ecc)?;
    let px = module_px(&code, args.module_px, args.size);
    match format_for(&args.out, args.format) {
        Format::Png => write_new_bytes(&args.out, &png(&code, px)?, Access::Public, args.force)?,
        Format::Svg => write_new_bytes(
            &args.out,
            svg(&code, px).as_bytes(),
            Access::Public,
            args.force,
        )?,
    }
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    let side = (code.width() as u32 + 2 * QUIET_ZONE_MODULES) * px;
    eprintln!(
        "{}: QR version {version}, {} modules, {px} px per module, {side} × {side} px",
        args.out.display(),
        code.width()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_blocks_keep_the_shape_and_the_quiet_zone() {
        let Ok(code) = encode("IKDC:7KQ2M9XD", Ecc::M) else {
            panic!("a short text encodes");
        };
        let side = code.width() + 2 * QUIET_ZONE_MODULES as usize;
        let plain = half_blocks(&code, false);
        let lines: Vec<&str> = plain.lines().collect();
        assert_eq!(lines.len(), side.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == side));
        // Four light modules on every side: two blank lines above, two columns each side.
        assert!(lines.iter().take(2).all(|l| l.trim().is_empty()));
        assert!(
            lines
                .iter()
                .skip(2)
                .take(code.width() / 2)
                .all(|l| { l.starts_with("    ") && l.ends_with("    ") && !l.trim().is_empty() })
        );
        let coloured = half_blocks(&code, true);
        assert!(
            coloured
                .lines()
                .all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m"))
        );
    }
}

//! Pixels: the caller's frame (any supported layout), the grayscale working copy the
//! decoders read, and the image operations the pipeline tries (downscaling, inversion,
//! thresholding, blurring, rotation, quiet-zone padding).
//!
//! Every operation works on whole rows and pixel iterators; none indexes out of bounds on
//! odd sizes, and none allocates more than a small multiple of the working copy.

use super::ScanError;

/// How the pixels of a [`Frame`] are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PixelFormat {
    /// One byte per pixel, luminance (0 black, 255 white): a camera's Y plane.
    Luma8,
    /// Three bytes per pixel: red, green, blue.
    Rgb8,
    /// Four bytes per pixel: red, green, blue, alpha (alpha is ignored).
    Rgba8,
    /// Four bytes per pixel: blue, green, red, alpha (alpha is ignored).
    Bgra8,
}

impl PixelFormat {
    /// Bytes one pixel takes.
    pub const fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Luma8 => 1,
            PixelFormat::Rgb8 => 3,
            PixelFormat::Rgba8 | PixelFormat::Bgra8 => 4,
        }
    }

    /// Luminance of one pixel (ITU-R BT.601 weights, in integers). Transparent pixels are
    /// seen over white, as a viewer shows a QR code drawn on a transparent background.
    fn luma(self, pixel: &[u8]) -> u32 {
        let (r, g, b, a) = match (self, pixel) {
            (PixelFormat::Luma8, [y, ..]) => return u32::from(*y),
            (PixelFormat::Rgb8, [r, g, b, ..]) => (*r, *g, *b, 255),
            (PixelFormat::Rgba8, [r, g, b, a, ..]) => (*r, *g, *b, *a),
            (PixelFormat::Bgra8, [b, g, r, a, ..]) => (*r, *g, *b, *a),
            _ => return 255,
        };
        let luma = (u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8;
        let alpha = u32::from(a);
        (luma * alpha + 255 * (255 - alpha)) / 255
    }
}

/// A borrowed frame of pixels, as a camera or an image decoder delivers it.
///
/// Rows may be padded: `stride` is the distance in bytes from one row's start to the
/// next. The frame is checked when made, so that scanning never reads outside `pixels`.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pixels: &'a [u8],
    width: u32,
    height: u32,
    stride: usize,
    format: PixelFormat,
}

impl<'a> Frame<'a> {
    /// A frame with rows `stride` bytes apart.
    ///
    /// Fails when a side is zero, `stride` is shorter than a row, or `pixels` holds fewer
    /// than `height` rows.
    pub fn new(
        pixels: &'a [u8],
        width: u32,
        height: u32,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Self, ScanError> {
        let bad = |problem: &'static str| ScanError::BadFrame { problem };
        if width == 0 || height == 0 {
            return Err(bad("a side is zero"));
        }
        let row = (width as usize)
            .checked_mul(format.bytes_per_pixel())
            .ok_or(bad("the width overflows"))?;
        if stride < row {
            return Err(bad("the stride is shorter than a row"));
        }
        let needed = stride
            .checked_mul(height as usize - 1)
            .and_then(|n| n.checked_add(row))
            .ok_or(bad("the size overflows"))?;
        if pixels.len() < needed {
            return Err(bad("the buffer is shorter than width × height"));
        }
        Ok(Frame {
            pixels,
            width,
            height,
            stride,
            format,
        })
    }

    /// A frame of tightly packed rows (`stride` = `width` × bytes per pixel).
    pub fn packed(
        pixels: &'a [u8],
        width: u32,
        height: u32,
        format: PixelFormat,
    ) -> Result<Self, ScanError> {
        let stride = (width as usize).saturating_mul(format.bytes_per_pixel());
        Self::new(pixels, width, height, stride, format)
    }

    /// A grayscale frame (one byte per pixel, tightly packed).
    pub fn luma8(pixels: &'a [u8], width: u32, height: u32) -> Result<Self, ScanError> {
        Self::packed(pixels, width, height, PixelFormat::Luma8)
    }

    /// An RGBA frame (four bytes per pixel, tightly packed).
    pub fn rgba8(pixels: &'a [u8], width: u32, height: u32) -> Result<Self, ScanError> {
        Self::packed(pixels, width, height, PixelFormat::Rgba8)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The rows, each exactly `width` pixels long.
    fn rows(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let row = self.width as usize * self.format.bytes_per_pixel();
        let pixels = self.pixels;
        let stride = self.stride;
        (0..self.height as usize).filter_map(move |y| pixels.get(y * stride..y * stride + row))
    }
}

/// A grayscale image owned by the pipeline: `width × height` bytes, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) pixels: Vec<u8>,
}

/// Averages `factor × factor` blocks of the rows given (the last block of a row or of the
/// image may be smaller), turning each pixel into luminance with `luma`.
fn box_average<'r>(
    rows: impl Iterator<Item = &'r [u8]>,
    width: usize,
    height: usize,
    factor: usize,
    bytes_per_pixel: usize,
    luma: impl Fn(&[u8]) -> u32,
) -> Gray {
    let factor = factor.max(1);
    let out_width = width.div_ceil(factor);
    let out_height = height.div_ceil(factor);
    let mut pixels = Vec::with_capacity(out_width * out_height);
    let mut sums = vec![0u32; out_width];
    let mut counts = vec![0u32; out_width];
    let mut rows_in_block = 0;
    let mut flush = |sums: &mut Vec<u32>, counts: &mut Vec<u32>| {
        pixels.extend(
            sums.iter()
                .zip(counts.iter())
                .map(|(&s, &c)| u8::try_from(s / c.max(1)).unwrap_or(u8::MAX)),
        );
        sums.fill(0);
        counts.fill(0);
    };
    for row in rows {
        let blocks = row.chunks(factor * bytes_per_pixel);
        for ((block, sum), count) in blocks.zip(sums.iter_mut()).zip(counts.iter_mut()) {
            if bytes_per_pixel == 1 {
                // Gray: the block's bytes are its luminances (the compiler vectorises this).
                *sum += block.iter().map(|&p| u32::from(p)).sum::<u32>();
                *count += block.len() as u32;
            } else {
                for pixel in block.chunks_exact(bytes_per_pixel) {
                    *sum += luma(pixel);
                    *count += 1;
                }
            }
        }
        rows_in_block += 1;
        if rows_in_block == factor {
            flush(&mut sums, &mut counts);
            rows_in_block = 0;
        }
    }
    if rows_in_block > 0 {
        flush(&mut sums, &mut counts);
    }
    Gray {
        width: out_width,
        height: out_height,
        pixels,
    }
}

impl Gray {
    /// The frame in grayscale, each `factor × factor` block averaged into one pixel.
    pub(crate) fn from_frame(frame: &Frame<'_>, factor: usize) -> Gray {
        let format = frame.format;
        box_average(
            frame.rows(),
            frame.width as usize,
            frame.height as usize,
            factor,
            format.bytes_per_pixel(),
            |pixel| format.luma(pixel),
        )
    }

    /// Resized by `scale` with bilinear interpolation.
    pub(crate) fn resize(&self, scale: f32) -> Option<Gray> {
        let width = ((self.width as f32 * scale).round() as u32).max(1);
        let height = ((self.height as f32 * scale).round() as u32).max(1);
        let image = self.to_image()?;
        let resized =
            image::imageops::resize(&image, width, height, image::imageops::FilterType::Triangle);
        Some(Gray {
            width: width as usize,
            height: height as usize,
            pixels: resized.into_raw(),
        })
    }

    /// Blurred with a Gaussian of standard deviation `sigma` pixels.
    pub(crate) fn blur(&self, sigma: f32) -> Option<Gray> {
        let blurred = image::imageops::blur(&self.to_image()?, sigma);
        Some(Gray {
            width: self.width,
            height: self.height,
            pixels: blurred.into_raw(),
        })
    }

    fn to_image(&self) -> Option<image::GrayImage> {
        image::GrayImage::from_raw(
            u32::try_from(self.width).ok()?,
            u32::try_from(self.height).ok()?,
            self.pixels.clone(),
        )
    }

    /// Dark for light.
    pub(crate) fn inverted(&self) -> Gray {
        Gray {
            width: self.width,
            height: self.height,
            pixels: self.pixels.iter().map(|&p| 255 - p).collect(),
        }
    }

    /// The global threshold that best separates dark from light (Otsu's method):
    /// pixels at or below it are dark.
    pub(crate) fn otsu_threshold(&self) -> u8 {
        let mut histogram = [0u64; 256];
        for &p in &self.pixels {
            if let Some(bin) = histogram.get_mut(usize::from(p)) {
                *bin += 1;
            }
        }
        let total = self.pixels.len() as f64;
        let weighted_total: f64 = histogram
            .iter()
            .enumerate()
            .map(|(level, &count)| level as f64 * count as f64)
            .sum();
        let (mut below, mut weighted_below) = (0.0, 0.0);
        let (mut best, mut threshold) = (0.0, 127u8);
        for (level, &count) in histogram.iter().enumerate() {
            below += count as f64;
            weighted_below += level as f64 * count as f64;
            let above = total - below;
            if below == 0.0 || above == 0.0 {
                continue;
            }
            let mean_below = weighted_below / below;
            let mean_above = (weighted_total - weighted_below) / above;
            let spread = below * above * (mean_below - mean_above).powi(2);
            if spread > best {
                best = spread;
                threshold = u8::try_from(level).unwrap_or(u8::MAX);
            }
        }
        threshold
    }

    /// Black and white by one global threshold (Otsu's).
    pub(crate) fn otsu_binarized(&self) -> Gray {
        let threshold = self.otsu_threshold();
        self.map(|p| if p <= threshold { 0 } else { 255 })
    }

    /// Black and white by a local threshold: a pixel is dark when it is more than `offset`
    /// below the mean of the `(2 × radius + 1)²` window around it.
    pub(crate) fn adaptive_binarized(&self, radius: usize, offset: u32) -> Gray {
        let (width, height) = (self.width, self.height);
        let rows: Vec<&[u8]> = self.pixels.chunks_exact(width.max(1)).collect();
        // Column sums over the rows of the vertical window, kept up to date as it slides.
        let mut column_sums = vec![0u32; width];
        let add_row = |sums: &mut [u32], row: Option<&&[u8]>, add: bool| {
            if let Some(row) = row {
                for (sum, &p) in sums.iter_mut().zip(row.iter()) {
                    if add {
                        *sum += u32::from(p);
                    } else {
                        *sum -= u32::from(p);
                    }
                }
            }
        };
        for row in rows.iter().take(radius) {
            add_row(&mut column_sums, Some(row), true);
        }
        let mut prefix = vec![0u32; width + 1];
        let mut pixels = Vec::with_capacity(self.pixels.len());
        for (y, row) in rows.iter().enumerate() {
            add_row(&mut column_sums, rows.get(y + radius), true);
            if y > radius {
                add_row(&mut column_sums, rows.get(y - radius - 1), false);
            }
            let window_rows = (y + radius + 1).min(height) - y.saturating_sub(radius);
            let mut running = 0;
            for (slot, &sum) in prefix.iter_mut().skip(1).zip(column_sums.iter()) {
                running += sum;
                *slot = running;
            }
            for (x, &p) in row.iter().enumerate() {
                let left = x.saturating_sub(radius);
                let right = (x + radius + 1).min(width);
                let sum = prefix.get(right).copied().unwrap_or(0)
                    - prefix.get(left).copied().unwrap_or(0);
                let count = (window_rows * (right - left)) as u32;
                let mean = sum / count.max(1);
                pixels.push(if u32::from(p) + offset < mean { 0 } else { 255 });
            }
        }
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// Rotated by `degrees` about the centre (nearest neighbour), on a canvas large enough
    /// for the whole image; the corners are filled with white.
    pub(crate) fn rotated(&self, degrees: f32) -> Gray {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (w, h) = (self.width as f32, self.height as f32);
        // Less a little, so that a quarter turn does not grow by a pixel from rounding.
        let width = (w * cos.abs() + h * sin.abs() - 1e-3).ceil().max(1.0) as usize;
        let height = (w * sin.abs() + h * cos.abs() - 1e-3).ceil().max(1.0) as usize;
        let (cx, cy) = (w / 2.0, h / 2.0);
        let (ncx, ncy) = (width as f32 / 2.0, height as f32 / 2.0);
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let dy = y as f32 + 0.5 - ncy;
            for x in 0..width {
                let dx = x as f32 + 0.5 - ncx;
                let sx = cos * dx + sin * dy + cx;
                let sy = cos * dy - sin * dx + cy;
                let inside = sx >= 0.0 && sy >= 0.0 && sx < w && sy < h;
                let p = if inside {
                    self.pixels
                        .get(sy as usize * self.width + sx as usize)
                        .copied()
                        .unwrap_or(255)
                } else {
                    255
                };
                pixels.push(p);
            }
        }
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// Framed by `border` white pixels on each side, then enlarged `factor` times
    /// (nearest neighbour): gives a code rendered without its quiet zone, at one or two
    /// pixels per module, the margin and the size the detectors need.
    pub(crate) fn padded_and_enlarged(&self, border: usize, factor: usize) -> Gray {
        let factor = factor.max(1);
        let width = (self.width + 2 * border) * factor;
        let height = (self.height + 2 * border) * factor;
        let mut pixels = Vec::with_capacity(width * height);
        let white_rows = border * factor * width;
        pixels.resize(white_rows, 255);
        let mut line = Vec::with_capacity(width);
        for row in self.pixels.chunks_exact(self.width.max(1)) {
            line.clear();
            line.resize(border * factor, 255);
            for &p in row {
                line.extend(std::iter::repeat_n(p, factor));
            }
            line.resize(width, 255);
            for _ in 0..factor {
                pixels.extend_from_slice(&line);
            }
        }
        pixels.resize(width * height, 255);
        Gray {
            width,
            height,
            pixels,
        }
    }

    fn map(&self, f: impl Fn(u8) -> u8) -> Gray {
        Gray {
            width: self.width,
            height: self.height,
            pixels: self.pixels.iter().map(|&p| f(p)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_checked() {
        let pixels = [0u8; 12];
        assert!(Frame::luma8(&pixels, 4, 3).is_ok());
        assert!(Frame::luma8(&pixels, 4, 4).is_err());
        assert!(Frame::luma8(&pixels, 0, 3).is_err());
        assert!(Frame::rgba8(&pixels, 3, 1).is_ok());
        assert!(Frame::new(&pixels, 2, 3, 1, PixelFormat::Luma8).is_err());
        // The last row needs only its pixels, not a whole stride.
        assert!(Frame::new(&pixels, 2, 3, 5, PixelFormat::Luma8).is_ok());
    }

    #[test]
    fn color_frames_become_gray_and_shrink() {
        // 3 × 2 RGBA: white, black, red / black, white, blue.
        let pixels = [
            255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, //
            0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 255, 255,
        ];
        let frame = Frame::rgba8(&pixels, 3, 2).unwrap();
        let gray = Gray::from_frame(&frame, 1);
        assert_eq!((gray.width, gray.height), (3, 2));
        assert_eq!(gray.pixels, [255, 0, 76, 0, 255, 28]);
        let half = Gray::from_frame(&frame, 2);
        assert_eq!((half.width, half.height), (2, 1));
        assert_eq!(half.pixels, [127, 52]);
        let bgra = Frame::packed(&pixels, 3, 2, PixelFormat::Bgra8).unwrap();
        assert_eq!(Gray::from_frame(&bgra, 1).pixels, [255, 0, 28, 0, 255, 76]);
        // Black but transparent: white; half transparent: half way.
        let clear = [0, 0, 0, 0, 0, 0, 0, 128];
        let frame = Frame::rgba8(&clear, 2, 1).unwrap();
        assert_eq!(Gray::from_frame(&frame, 1).pixels, [255, 127]);
    }

    #[test]
    fn padded_rows_are_skipped() {
        let pixels = [10, 20, 99, 30, 40, 99];
        let frame = Frame::new(&pixels, 2, 2, 3, PixelFormat::Luma8).unwrap();
        assert_eq!(Gray::from_frame(&frame, 1).pixels, [10, 20, 30, 40]);
    }

    fn gray(width: usize, pixels: &[u8]) -> Gray {
        Gray {
            width,
            height: pixels.len() / width,
            pixels: pixels.to_vec(),
        }
    }

    #[test]
    fn thresholds_split_dark_from_light() {
        let image = gray(4, &[10, 20, 200, 220, 15, 25, 210, 230]);
        assert_eq!(
            image.otsu_binarized().pixels,
            [0, 0, 255, 255, 0, 0, 255, 255]
        );
        let adaptive = image.adaptive_binarized(1, 0);
        assert_eq!(adaptive.pixels, [0, 0, 255, 255, 0, 0, 255, 255]);
        assert_eq!(image.inverted().pixels[0], 245);
    }

    #[test]
    fn padding_and_rotation_keep_the_content() {
        let image = gray(2, &[0, 255, 255, 0]);
        let padded = image.padded_and_enlarged(1, 2);
        assert_eq!((padded.width, padded.height), (8, 8));
        assert_eq!(padded.pixels.iter().filter(|&&p| p == 0).count(), 8);
        let turned = image.rotated(90.0);
        assert_eq!((turned.width, turned.height), (2, 2));
        assert_eq!(turned.pixels.iter().filter(|&&p| p == 0).count(), 2);
        let odd = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        let frame = Frame::luma8(&odd, 3, 3).unwrap();
        assert_eq!(Gray::from_frame(&frame, 2).pixels, [3, 4, 7, 9]);
    }
}

//! The order in which decoders and image variants are tried, cheapest and most likely
//! first, until one finds a code or the time budget runs out.
//!
//! Measured on the shared corpus (BENCHMARKS.md): rxing on the working image reads most
//! codes in well under a millisecond; the later passes each rescue a few photos that the
//! earlier ones miss (downscaled for coarse noise, inverted for light-on-dark codes,
//! rqrr with blur, local thresholds, enlargement or rotation for blurred and curved
//! codes, a quiet zone for codes rendered without one).

use super::Payload;
use super::decoders::{self, Attempt, Binarization};
use super::frame::{Frame, Gray};
use std::cell::OnceCell;
use std::time::Duration;
// std has no clock on wasm32-unknown-unknown; web-time reads the host's performance.now().
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
use std::time::Instant;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use web_time::Instant;

/// The result of running the passes over one image.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) payloads: Vec<Payload>,
    pub(crate) pass: Option<&'static str>,
    pub(crate) decoder_calls: u32,
    pub(crate) decoder_panics: u32,
    pub(crate) budget_exhausted: bool,
}

/// Large working images are first read at this longer side or less (coarse to fine):
/// cheap, and enough for a code that fills a good part of the frame.
const COARSE_SIDE: usize = 640;
/// Images with a shorter side below this are not halved: their modules would blur away.
const MIN_SIDE_TO_HALVE: usize = 120;
/// Images with a longer side up to this get a quiet zone and are enlarged.
const MAX_SIDE_TO_PAD: usize = 200;
/// rqrr passes that enlarge the image run only up to this longer side.
const MAX_SIDE_TO_ENLARGE: usize = 800;

/// The images the passes look at, each made when first needed.
pub(crate) struct Images<'a> {
    /// The caller's frame.
    frame: &'a Frame<'a>,
    /// The factor the working copy is averaged down by (1: full resolution).
    work_factor: usize,
    /// The factor of the finer pass (at most `work_factor`).
    fine_factor: usize,
    /// The working copy: the frame averaged down to at most `max_work_side`.
    work: OnceCell<Gray>,
    /// The frame averaged down to at most [`COARSE_SIDE`], when the working copy is
    /// larger than that: made at once, as the first pass reads it.
    coarse: Option<Gray>,
}

impl<'a> Images<'a> {
    /// The images of `frame`, whose working copy is averaged down by `work_factor`, and
    /// its finer copy by `fine_factor`.
    pub(crate) fn new(frame: &'a Frame<'a>, work_factor: usize, fine_factor: usize) -> Self {
        let longer = frame.width().max(frame.height()) as usize;
        let work_longer = longer.div_ceil(work_factor.max(1));
        let coarse = (work_longer > COARSE_SIDE)
            .then(|| Gray::from_frame(frame, longer.div_ceil(COARSE_SIDE)));
        Images {
            frame,
            work_factor: work_factor.max(1),
            fine_factor: fine_factor.clamp(1, work_factor.max(1)),
            work: OnceCell::new(),
            coarse,
        }
    }

    fn work(&self) -> &Gray {
        self.work
            .get_or_init(|| Gray::from_frame(self.frame, self.work_factor))
    }

    /// The image the fallback passes work on: the coarse one if there is one (rqrr's
    /// cost grows with the area, and its detector wants a few pixels per module, not
    /// dozens), else the working copy.
    fn detail(&self) -> &Gray {
        self.coarse.as_ref().unwrap_or_else(|| self.work())
    }
}

type Pass = fn(&Images<'_>, &mut Calls) -> Option<()>;

/// The decoder calls of one pass; a pass stops at the first call that finds a code, or
/// when the time is up.
pub(crate) struct Calls {
    found: Vec<Payload>,
    calls: u32,
    panics: u32,
    deadline: Option<Instant>,
    out_of_time: bool,
}

impl Calls {
    /// Records one decoder call; `None` once a code is found or the deadline has passed,
    /// so that `?` ends the pass.
    fn take(&mut self, attempt: Attempt) -> Option<()> {
        self.calls += 1;
        self.panics += u32::from(attempt.panicked);
        self.found.extend(attempt.payloads);
        if !self.found.is_empty() {
            return None;
        }
        if self
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            self.out_of_time = true;
            return None;
        }
        Some(())
    }
}

fn longer_side(image: &Gray) -> usize {
    image.width.max(image.height)
}

fn shorter_side(image: &Gray) -> usize {
    image.width.min(image.height)
}

/// Every pass, in order, with the name a [`super::Scan`] reports.
const PASSES: [(&str, Pass); 11] = [
    ("rxing-coarse", |images, calls| {
        let coarse = images.coarse.as_ref()?;
        calls.take(decoders::rxing(coarse, Binarization::Hybrid, true))
    }),
    ("rxing", |images, calls| {
        calls.take(decoders::rxing(images.work(), Binarization::Hybrid, true))
    }),
    ("rxing-halved", |images, calls| {
        let work = images.work();
        // Skipped when the coarse pass has read the image at this size already.
        let coarse_is_half = images
            .coarse
            .as_ref()
            .is_some_and(|coarse| coarse.width == work.width.div_ceil(2));
        if shorter_side(work) < MIN_SIDE_TO_HALVE || coarse_is_half {
            return Some(());
        }
        // Bilinear rather than block averaging: its slight blur helps on noisy photos.
        let half = work.resize(0.5)?;
        calls.take(decoders::rxing(&half, Binarization::Hybrid, true))
    }),
    ("rxing-fine", |images, calls| {
        // Only when the working copy was averaged down; at most twice its size, so that
        // one call on a 50-megapixel photo stays bounded.
        if images.fine_factor >= images.work_factor {
            return Some(());
        }
        let fine = Gray::from_frame(images.frame, images.fine_factor);
        calls.take(decoders::rxing(&fine, Binarization::Hybrid, true))
    }),
    ("rxing-global-threshold", |images, calls| {
        calls.take(decoders::rxing(
            images.detail(),
            Binarization::GlobalHistogram,
            true,
        ))
    }),
    ("rqrr", |images, calls| {
        let image = images.detail();
        calls.take(decoders::rqrr(image, false))?;
        calls.take(decoders::rqrr(&image.inverted(), false))
    }),
    ("rqrr-blurred", |images, calls| {
        let blurred = images.detail().blur(1.0)?;
        calls.take(decoders::rqrr(&blurred, false))?;
        calls.take(decoders::rqrr(&blurred.inverted(), false))
    }),
    ("otsu", |images, calls| {
        let binary = images.detail().otsu_binarized();
        calls.take(decoders::rqrr(&binary, true))?;
        calls.take(decoders::rxing(&binary, Binarization::Hybrid, true))
    }),
    ("rqrr-enlarged", |images, calls| {
        let image = images.detail();
        if longer_side(image) > MAX_SIDE_TO_ENLARGE {
            return Some(());
        }
        let enlarged = image.resize(1.5)?;
        calls.take(decoders::rqrr(&enlarged, false))?;
        let radius = (shorter_side(&enlarged) / 8).max(2);
        calls.take(decoders::rqrr(
            &enlarged.adaptive_binarized(radius, 0),
            true,
        ))
    }),
    ("rqrr-rotated", |images, calls| {
        calls.take(decoders::rqrr(&images.detail().rotated(30.0), false))
    }),
    ("quiet-zone", |images, calls| {
        let work = images.work();
        if longer_side(work) > MAX_SIDE_TO_PAD {
            return Some(());
        }
        let padded = work.padded_and_enlarged(8, 3);
        calls.take(decoders::rxing(&padded, Binarization::Hybrid, true))?;
        calls.take(decoders::rqrr(&padded, false))
    }),
];

/// The names of the passes, in the order they run.
pub(crate) fn pass_names() -> impl Iterator<Item = &'static str> {
    PASSES.iter().map(|(name, _)| *name)
}

/// Runs the passes until one finds a code, the passes run out, or `budget` (measured from
/// `started`) is spent. The budget is checked between decoder calls: one call that has
/// begun always finishes.
pub(crate) fn run(images: &Images<'_>, started: Instant, budget: Option<Duration>) -> Outcome {
    let deadline = budget.and_then(|budget| started.checked_add(budget));
    let mut outcome = Outcome::default();
    for (name, pass) in PASSES {
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            outcome.budget_exhausted = true;
            break;
        }
        let mut calls = Calls {
            found: Vec::new(),
            calls: 0,
            panics: 0,
            deadline,
            out_of_time: false,
        };
        let _ = pass(images, &mut calls);
        outcome.decoder_calls += calls.calls;
        outcome.decoder_panics += calls.panics;
        if !calls.found.is_empty() {
            outcome.pass = Some(name);
            for payload in calls.found {
                if !outcome.payloads.iter().any(|p| p.bytes == payload.bytes) {
                    outcome.payloads.push(payload);
                }
            }
            break;
        }
        if calls.out_of_time {
            outcome.budget_exhausted = true;
            break;
        }
    }
    outcome
}

//! Seeded random streams: ChaCha8 keyed by (seed, replication, entity, purpose), and a cheap counter-based
//! generator for per-workitem draws.
//!
//! Every random number in a replication comes from a stream named by what it is for, never from the
//! order in which events happen to run. Two runs that differ only in policy or thread count then
//! give each tenant the same luck (common random numbers), and a replication is a pure function of
//! (scenario, seed, replication index).

mod chacha;

use std::convert::Infallible;

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

pub use chacha::{ShortStream, U64Streams};

/// What a stream is for; part of the key so that two purposes of one entity never share numbers.
pub type StreamKey = u32;

/// Purposes below this have their keys derived once per replication (a replication opens several
/// streams per tenant, and deriving a key cost as much as the rest of opening a stream).
const KEPT_KEYS: usize = 16;

/// Factory for the streams of one replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    seed: u64,
    replication: u64,
    /// `key(seed, replication, purpose)` for the purposes below `KEPT_KEYS`.
    keys: [[u32; 8]; KEPT_KEYS],
}

impl Streams {
    pub fn new(seed: u64, replication: u64) -> Self {
        Streams {
            seed,
            replication,
            keys: std::array::from_fn(|purpose| key(seed, replication, purpose as StreamKey)),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn replication(&self) -> u64 {
        self.replication
    }

    /// The ChaCha8 stream of `entity` for `purpose`.
    ///
    /// The 256-bit key is derived from (seed, replication, purpose) with SplitMix64, a fixed and
    /// documented mixer (std's hasher is randomised per process and may change between releases);
    /// the entity selects one of ChaCha's 2^64 independent streams under that key.
    pub fn stream(&self, entity: u64, purpose: StreamKey) -> ChaCha8Rng {
        let mut seed = [0u8; 32];
        for (bytes, word) in seed.chunks_exact_mut(4).zip(self.key(purpose)) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(seed);
        rng.set_stream(entity);
        rng
    }

    /// The same stream as `stream`, word for word, computed a block (16 words) at a time: about
    /// half the cost for a stream read for a few words, and more for one read for many.
    pub fn short(&self, entity: u64, purpose: StreamKey) -> ShortStream {
        ShortStream::new(self.key(purpose), entity)
    }

    /// The streams of entities `0..entities` for `purpose`, each read only by `next_u64`: what
    /// `stream(entity, purpose).next_u64()` and the draws after it give, in less memory.
    pub fn u64_streams(&self, entities: usize, purpose: StreamKey) -> U64Streams {
        U64Streams::new(self.key(purpose), entities)
    }

    /// The first `u64` of the stream (`stream(entity, purpose).next_u64()`), as a key for a
    /// `CounterRng`.
    pub fn first_word(&self, entity: u64, purpose: StreamKey) -> u64 {
        self.short(entity, purpose).next_u64()
    }

    fn key(&self, purpose: StreamKey) -> [u32; 8] {
        match self.keys.get(purpose as usize) {
            Some(kept) => *kept,
            None => key(self.seed, self.replication, purpose),
        }
    }
}

/// The ChaCha8 key of (seed, replication, purpose): four SplitMix64 words, each as two
/// little-endian 32-bit words (low first), as ChaCha reads a 32-byte seed.
fn key(seed: u64, replication: u64, purpose: StreamKey) -> [u32; 8] {
    let mut state = seed ^ 0x6a09_e667_f3bc_c908;
    let mut key = [0u32; 8];
    let words = [
        replication,
        u64::from(purpose),
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
    ];
    for (pair, word) in key.chunks_exact_mut(2).zip(words) {
        state ^= word.wrapping_mul(0xff51_afd7_ed55_8ccd);
        let mixed = splitmix64(&mut state);
        pair.copy_from_slice(&[mixed as u32, (mixed >> 32) as u32]);
    }
    key
}

/// SplitMix64's increment (Steele, Lea and Flood 2014).
pub(crate) const SPLITMIX_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function: the well-mixed word of a state.
#[inline(always)]
pub(crate) fn splitmix_mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One step of SplitMix64: advances `state` and returns a well-mixed word.
#[inline]
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(SPLITMIX_GAMMA);
    splitmix_mix(*state)
}

/// A tiny generator for one workitem: SplitMix64 over a 64-bit key drawn from its tenant's ChaCha8
/// stream.
///
/// Tens of thousands of workitems per replication each need their own stream so that their luck
/// does not depend on the order in which the copy slots or operators reach them; a ChaCha8 state
/// per item would cost more than the item's events. SplitMix64 passes BigCrush and is all a few
/// dozen draws per item need. Eight bytes of state, so it lives inside the workitem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterRng(u64);

impl CounterRng {
    pub fn new(key: u64) -> Self {
        CounterRng(key)
    }
}

/// The rare second draw of `below`: the carry, and the state after the draw. Out of line, and
/// the state passed by value, so that the common path keeps the state in a register.
#[cold]
#[inline(never)]
fn carry(state: u64, lo: u64, n: u64) -> (u64, u64) {
    let state = state.wrapping_add(SPLITMIX_GAMMA);
    let hi = ((u128::from(splitmix_mix(state)) * u128::from(n)) >> 64) as u64;
    (u64::from(lo.checked_add(hi).is_none()), state)
}

impl CounterRng {
    /// The next number (what `next_u64` gives), inline for the bounded draws.
    #[inline(always)]
    fn step(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(SPLITMIX_GAMMA);
        splitmix_mix(self.0)
    }

    /// `random_range(0..n)` for `n > 0`: the high word of a draw times `n`, and when the low word
    /// is one of the `n` largest (the biased zone), the carry of adding the high word of a second
    /// draw times `n` (`rand`'s `sample_single_inclusive`).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let wide = u128::from(self.step()) * u128::from(n);
        let (hi, lo) = ((wide >> 64) as u64, wide as u64);
        if lo > n.wrapping_neg() {
            let (carry, state) = carry(self.0, lo, n);
            self.0 = state;
            hi + carry
        } else {
            hi
        }
    }

    /// `random_range(0..n)` for `u32` and `n > 0`: as `below`, in 32 bits, from the high half of
    /// each draw (what `next_u32` gives).
    #[inline(always)]
    pub fn below_u32(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        let wide = u64::from((self.step() >> 32) as u32) * u64::from(n);
        let (hi, lo) = ((wide >> 32) as u32, wide as u32);
        if lo > n.wrapping_neg() {
            let second = u64::from((self.step() >> 32) as u32) * u64::from(n);
            hi + u32::from(lo.checked_add((second >> 32) as u32).is_none())
        } else {
            hi
        }
    }
}

impl TryRng for CounterRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((splitmix64(&mut self.0) >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(splitmix64(&mut self.0))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = splitmix64(&mut self.0).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn first(rng: &mut impl Rng) -> Vec<u64> {
        (0..8).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn kept_keys_are_the_derived_keys() {
        let streams = Streams::new(42, 3);
        for purpose in [0, 7, 15, 16, 1_000] {
            let mut derived = ChaCha8Rng::from_seed(seed_bytes(key(42, 3, purpose)));
            derived.set_stream(9);
            assert_eq!(first(&mut streams.stream(9, purpose)), first(&mut derived));
        }
    }

    /// The key as SplitMix64 words in little-endian bytes, as it was first written.
    fn seed_bytes(words: [u32; 8]) -> [u8; 32] {
        let mut seed = [0u8; 32];
        for (chunk, pair) in seed.chunks_exact_mut(8).zip(words.chunks_exact(2)) {
            let word = u64::from(pair[1]) << 32 | u64::from(pair[0]);
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        seed
    }

    #[test]
    fn short_streams_and_first_words_are_the_streams() {
        for (seed, replication) in [(42, 3), (2011, 0), (u64::MAX, 19)] {
            let streams = Streams::new(seed, replication);
            for purpose in [0, 1, 8, 15, 16, 99] {
                for entity in [0, 1, 5_999, u64::MAX] {
                    let mut long = streams.stream(entity, purpose);
                    let mut short = streams.short(entity, purpose);
                    assert_eq!(first(&mut long), first(&mut short));
                    assert_eq!(
                        streams.first_word(entity, purpose),
                        streams.stream(entity, purpose).next_u64()
                    );
                }
            }
        }
    }

    #[test]
    fn same_key_repeats() {
        let s = Streams::new(42, 3);
        assert_eq!(first(&mut s.stream(7, 1)), first(&mut s.stream(7, 1)));
        assert_eq!(
            first(&mut Streams::new(42, 3).stream(7, 1)),
            first(&mut s.stream(7, 1))
        );
    }

    #[test]
    fn different_keys_differ() {
        let base = first(&mut Streams::new(42, 3).stream(7, 1));
        for other in [
            Streams::new(43, 3).stream(7, 1),
            Streams::new(42, 4).stream(7, 1),
            Streams::new(42, 3).stream(8, 1),
            Streams::new(42, 3).stream(7, 2),
        ] {
            assert_ne!(base, first(&mut other.clone()));
        }
    }

    #[test]
    fn counter_rng_is_uniform_enough() {
        let mut rng = CounterRng::new(1);
        let n = 100_000;
        let mean: f64 = (0..n).map(|_| rng.random::<f64>()).sum::<f64>() / n as f64;
        // Standard error of the mean of U(0,1) over 1e5 draws is 0.0009; 5 sigma.
        assert!((mean - 0.5).abs() < 0.0046, "mean {mean}");
        assert_ne!(
            first(&mut CounterRng::new(1)),
            first(&mut CounterRng::new(2))
        );
    }

    /// Bounds of every size; the large ones (near 2^64 and 2^32) take the second draw about half
    /// the time, and the count checks that they did.
    #[test]
    fn below_is_random_range_draw_for_draw() {
        let mut pick = CounterRng::new(7);
        let (mut second, mut second_u32) = (0, 0);
        for round in 0..200_000u64 {
            let key = pick.next_u64();
            let n = match round % 4 {
                0 => pick.random_range(1..100),
                1 => pick.random_range(1..1 << 20),
                2 => pick.random_range(1..=u64::MAX >> (round % 3)),
                _ => u64::MAX - pick.random_range(0..1_000),
            };
            let twice = key.wrapping_add(SPLITMIX_GAMMA.wrapping_mul(2));
            let (mut a, mut b) = (CounterRng::new(key), CounterRng::new(key));
            assert_eq!(a.below(n), b.random_range(0..n), "below({n}) from {key}");
            second += u64::from(a.0 == twice);
            // Both consumed the same draws.
            assert_eq!(a.next_u64(), b.next_u64(), "below({n}) from {key}");
            let n32 = (n >> (round % 33)).clamp(1, u64::from(u32::MAX)) as u32;
            let (mut a, mut b) = (CounterRng::new(key), CounterRng::new(key));
            assert_eq!(a.below_u32(n32), b.random_range(0..n32), "below_u32({n32})");
            second_u32 += u64::from(a.0 == twice);
            assert_eq!(a.next_u64(), b.next_u64(), "below_u32({n32}) from {key}");
        }
        assert!(
            second > 10_000 && second_u32 > 1_000,
            "{second} {second_u32}"
        );
    }
}

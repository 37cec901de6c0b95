//! The generator of a tenant's chat draws: SplitMix64, the numbers of `engine::CounterRng` from the
//! same key, with its state at hand so that the sampling loops keep it in a register and draw
//! bounded integers without the generic path.
//!
//! Through `rand`'s traits it gives exactly what `CounterRng` gives (`random`, `Exp1`, ...), and
//! `below` / `below_u32` are, draw for draw, `random_range(0..n)` of `rand` 0.10 for `u64` and
//! `u32`; the tests check both against the originals.

use std::convert::Infallible;

use rand::TryRng;

use crate::engine::{SPLITMIX_GAMMA as GAMMA, splitmix_mix as mix};

/// The rare second draw of `below`: the carry, and the state after the draw. Out of line, and
/// the state passed by value, so that the common path keeps the state in a register.
#[cold]
#[inline(never)]
fn carry(state: u64, lo: u64, n: u64) -> (u64, u64) {
    let state = state.wrapping_add(GAMMA);
    let hi = ((u128::from(mix(state)) * u128::from(n)) >> 64) as u64;
    (u64::from(lo.checked_add(hi).is_none()), state)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draws(u64);

impl Draws {
    pub fn new(key: u64) -> Self {
        Draws(key)
    }

    #[inline(always)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// `random_range(0..n)` for `n > 0`: the high word of a draw times `n`, and when the low word
    /// is one of the `n` largest (the biased zone), the carry of adding the high word of a second
    /// draw times `n` (`rand`'s `sample_single_inclusive`).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let wide = u128::from(self.next()) * u128::from(n);
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
        let wide = u64::from((self.next() >> 32) as u32) * u64::from(n);
        let (hi, lo) = ((wide >> 32) as u32, wide as u32);
        if lo > n.wrapping_neg() {
            let second = u64::from((self.next() >> 32) as u32) * u64::from(n);
            hi + u32::from(lo.checked_add((second >> 32) as u32).is_none())
        } else {
            hi
        }
    }
}

impl TryRng for Draws {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CounterRng;
    use rand::{Rng, RngExt};
    use rand_distr::Exp1;

    #[test]
    fn the_numbers_of_counter_rng() {
        for key in [0, 1, 42, u64::MAX] {
            let (mut a, mut b) = (Draws::new(key), CounterRng::new(key));
            for _ in 0..1_000 {
                assert_eq!(a.next_u64(), b.next_u64());
                assert_eq!(a.next_u32(), b.next_u32());
                assert_eq!(a.random::<f64>().to_bits(), b.random::<f64>().to_bits());
                let (x, y): (f64, f64) = (a.sample(Exp1), b.sample(Exp1));
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
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
            let twice = key.wrapping_add(GAMMA.wrapping_mul(2));
            let (mut a, mut b) = (Draws::new(key), CounterRng::new(key));
            assert_eq!(a.below(n), b.random_range(0..n), "below({n}) from {key}");
            second += u64::from(a.0 == twice);
            // Both consumed the same draws.
            assert_eq!(a.next_u64(), b.next_u64(), "below({n}) from {key}");
            let n32 = (n >> (round % 33)).clamp(1, u64::from(u32::MAX)) as u32;
            let (mut a, mut b) = (Draws::new(key), CounterRng::new(key));
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

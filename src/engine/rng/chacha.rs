//! ChaCha8 one block at a time: the same words as `rand_chacha::ChaCha8Rng`, for streams that take
//! only a few.
//!
//! `ChaCha8Rng` computes four blocks (64 words) whenever its buffer runs dry, and opening one
//! clears that 256-byte buffer. Most of a replication's streams are read for a handful of words
//! (a key for a `CounterRng`, a tenant's readiness or estate), so four blocks are mostly thrown
//! away. `ShortStream` computes the same blocks, one at a time, with the same word order: the
//! tests compare it word for word with `ChaCha8Rng` over many keys, streams and lengths.

use std::convert::Infallible;

use rand::TryRng;

/// Words in a ChaCha block.
const BLOCK: usize = 16;

/// "expand 32-byte k", ChaCha's first row.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Double rounds of ChaCha8.
const DOUBLE_ROUNDS: usize = 4;

/// A ChaCha8 stream under `key` and stream id, read as `ChaCha8Rng` reads it.
#[derive(Clone, Debug)]
pub struct ShortStream {
    key: [u32; 8],
    /// The block counter (64 bits, low word first) and the stream id: ChaCha's last row.
    row3: [u32; 4],
    block: [u32; BLOCK],
    /// The next word of `block` to hand out; `BLOCK` when it is used up.
    index: usize,
}

impl ShortStream {
    pub fn new(key: [u32; 8], stream: u64) -> ShortStream {
        ShortStream {
            key,
            row3: [0, 0, stream as u32, (stream >> 32) as u32],
            block: [0; BLOCK],
            index: BLOCK,
        }
    }

    /// Computes the block at the counter into `block`, and advances the counter.
    fn refill(&mut self) {
        self.block = block(&self.key, self.row3);
        let counter = (u64::from(self.row3[1]) << 32 | u64::from(self.row3[0])).wrapping_add(1);
        self.row3[0] = counter as u32;
        self.row3[1] = (counter >> 32) as u32;
        self.index = 0;
    }

    #[inline]
    fn next_word(&mut self) -> u32 {
        if self.index >= BLOCK {
            self.refill();
        }
        let word = self.block[self.index];
        self.index += 1;
        word
    }
}

impl TryRng for ShortStream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    /// Two words, low first, across a block boundary if need be (as `rand_core`'s `BlockRng`).
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        if self.index + 1 < BLOCK {
            let (lo, hi) = (self.block[self.index], self.block[self.index + 1]);
            self.index += 2;
            return Ok(u64::from(hi) << 32 | u64::from(lo));
        }
        let lo = self.next_word();
        let hi = self.next_word();
        Ok(u64::from(hi) << 32 | u64::from(lo))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// Many ChaCha8 streams under one key, stream `i` for the `i`th entity, each read only as whole
/// `u64`s: stream `i` gives what `ChaCha8Rng`'s `next_u64` gives under that key after
/// `set_stream(i)` (the tests compare them word for word).
///
/// A `ChaCha8Rng` is about 320 bytes, most of it a four-block buffer; thousands of them (one per
/// tenant) are megabytes, more than the cache, and each draw touched a cold one. Here a stream is
/// its current block, one cache line, and a count of the words read.
#[derive(Clone, Debug)]
pub struct U64Streams {
    key: [u32; 8],
    /// Each stream's current block, valid once a word of it was read.
    blocks: Vec<Block>,
    /// Words each stream gave so far (always even: two per `u64`).
    read: Vec<u64>,
}

/// A block aligned to a cache line, so that reading one touches one line.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Block([u32; BLOCK]);

impl U64Streams {
    pub fn new(key: [u32; 8], streams: usize) -> U64Streams {
        U64Streams {
            key,
            blocks: vec![Block([0; BLOCK]); streams],
            read: vec![0; streams],
        }
    }

    /// The next `u64` of stream `stream`. A `u64` is two words, low first; every read is a whole
    /// `u64`, so one never straddles two blocks (a block is sixteen words).
    #[inline]
    pub fn next_u64(&mut self, stream: usize) -> u64 {
        let read = self.read[stream];
        let at = (read % BLOCK as u64) as usize;
        let words = &mut self.blocks[stream].0;
        if at == 0 {
            let counter = read / BLOCK as u64;
            let id = stream as u64;
            *words = block(
                &self.key,
                [
                    counter as u32,
                    (counter >> 32) as u32,
                    id as u32,
                    (id >> 32) as u32,
                ],
            );
        }
        self.read[stream] = read + 2;
        u64::from(words[at + 1]) << 32 | u64::from(words[at])
    }
}

/// One ChaCha8 block: the rows after four double rounds, plus the rows they started from.
#[cfg(target_arch = "x86_64")]
use sse2_block as block;

#[cfg(not(target_arch = "x86_64"))]
use portable_block as block;

/// `portable_block` with each row of the state in one SSE2 register, about half the instructions.
#[cfg(target_arch = "x86_64")]
#[inline]
fn sse2_block(key: &[u32; 8], row3: [u32; 4]) -> [u32; BLOCK] {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_or_si128, _mm_shuffle_epi32, _mm_shufflehi_epi16,
        _mm_shufflelo_epi16, _mm_slli_epi32, _mm_srli_epi32, _mm_xor_si128,
    };

    macro_rules! rotl {
        ($x:expr, 16) => {
            _mm_shufflehi_epi16::<0b10_11_00_01>(_mm_shufflelo_epi16::<0b10_11_00_01>($x))
        };
        ($x:expr, $n:literal) => {
            _mm_or_si128(_mm_slli_epi32::<$n>($x), _mm_srli_epi32::<{ 32 - $n }>($x))
        };
    }
    let rows = [
        SIGMA,
        [key[0], key[1], key[2], key[3]],
        [key[4], key[5], key[6], key[7]],
        row3,
    ];
    // SAFETY: the intrinsics are SSE2 instructions, which every x86-64 processor has (the target
    // enables SSE2 by default); the transmutes are between arrays of 16 and 64 bytes that any
    // bit pattern is valid for.
    unsafe {
        let start = std::mem::transmute::<[[u32; 4]; 4], [__m128i; 4]>(rows);
        let [mut a, mut b, mut c, mut d] = start;
        for _ in 0..DOUBLE_ROUNDS {
            for diagonal in [false, true] {
                a = _mm_add_epi32(a, b);
                d = rotl!(_mm_xor_si128(d, a), 16);
                c = _mm_add_epi32(c, d);
                b = rotl!(_mm_xor_si128(b, c), 12);
                a = _mm_add_epi32(a, b);
                d = rotl!(_mm_xor_si128(d, a), 8);
                c = _mm_add_epi32(c, d);
                b = rotl!(_mm_xor_si128(b, c), 7);
                // Lanes of b, c, d rotated left by one, two and three (`lanes_left`), then back.
                if diagonal {
                    b = _mm_shuffle_epi32::<0b10_01_00_11>(b);
                    d = _mm_shuffle_epi32::<0b00_11_10_01>(d);
                } else {
                    b = _mm_shuffle_epi32::<0b00_11_10_01>(b);
                    d = _mm_shuffle_epi32::<0b10_01_00_11>(d);
                }
                c = _mm_shuffle_epi32::<0b01_00_11_10>(c);
            }
        }
        let [a0, b0, c0, d0] = start;
        std::mem::transmute::<[__m128i; 4], [u32; BLOCK]>([
            _mm_add_epi32(a, a0),
            _mm_add_epi32(b, b0),
            _mm_add_epi32(c, c0),
            _mm_add_epi32(d, d0),
        ])
    }
}

/// ChaCha8's block function as written: a column round, then a diagonal round, four times.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn portable_block(key: &[u32; 8], row3: [u32; 4]) -> [u32; BLOCK] {
    let start = [
        SIGMA,
        [key[0], key[1], key[2], key[3]],
        [key[4], key[5], key[6], key[7]],
        row3,
    ];
    let [mut a, mut b, mut c, mut d] = start;
    for _ in 0..DOUBLE_ROUNDS {
        for diagonal in [false, true] {
            quarter_rounds(&mut a, &mut b, &mut c, &mut d);
            // Rotating rows b, c, d left by one, two and three lanes lines the diagonals up as
            // columns for the next four quarter rounds; rotating them on as far again undoes it.
            let turn = if diagonal { 3 } else { 1 };
            b = lanes_left(b, turn);
            c = lanes_left(c, 2);
            d = lanes_left(d, 4 - turn);
        }
    }
    let mut out = [0; BLOCK];
    for (row, (x, s)) in [a, b, c, d].iter().zip(&start).enumerate() {
        for lane in 0..4 {
            out[4 * row + lane] = x[lane].wrapping_add(s[lane]);
        }
    }
    out
}

/// Four quarter rounds side by side, one per lane.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn quarter_rounds(a: &mut [u32; 4], b: &mut [u32; 4], c: &mut [u32; 4], d: &mut [u32; 4]) {
    for i in 0..4 {
        a[i] = a[i].wrapping_add(b[i]);
        d[i] = (d[i] ^ a[i]).rotate_left(16);
        c[i] = c[i].wrapping_add(d[i]);
        b[i] = (b[i] ^ c[i]).rotate_left(12);
        a[i] = a[i].wrapping_add(b[i]);
        d[i] = (d[i] ^ a[i]).rotate_left(8);
        c[i] = c[i].wrapping_add(d[i]);
        b[i] = (b[i] ^ c[i]).rotate_left(7);
    }
}

/// Lane `i` of the result is lane `i + n` (mod 4) of `x`.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn lanes_left(x: [u32; 4], n: usize) -> [u32; 4] {
    std::array::from_fn(|i| x[(i + n) % 4])
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::engine::rng::splitmix64;

    fn pair(key: [u32; 8], stream: u64) -> (ChaCha8Rng, ShortStream) {
        let mut seed = [0u8; 32];
        for (bytes, word) in seed.chunks_exact_mut(4).zip(key) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        let mut long = ChaCha8Rng::from_seed(seed);
        long.set_stream(stream);
        (long, ShortStream::new(key, stream))
    }

    #[test]
    fn the_words_are_chacha8rngs_over_many_keys_streams_and_lengths() {
        let mut state = 7;
        for case in 0..3_000u64 {
            let key = std::array::from_fn(|_| splitmix64(&mut state) as u32);
            let stream = match case % 3 {
                0 => case,
                1 => splitmix64(&mut state),
                _ => u64::MAX - case,
            };
            let (mut long, mut short) = pair(key, stream);
            // Whole u64s, then odd u32s that make u64s straddle block boundaries, then bytes,
            // far enough to cross ChaCha8Rng's four-block buffer more than once.
            let words = 1 + case as usize % 150;
            for i in 0..words {
                match (i + case as usize) % 5 {
                    0 => assert_eq!(long.next_u32(), short.next_u32(), "case {case} word {i}"),
                    3 => {
                        let (mut a, mut b) = ([0u8; 7], [0u8; 7]);
                        long.fill_bytes(&mut a);
                        short.fill_bytes(&mut b);
                        assert_eq!(a, b, "case {case} word {i}");
                    }
                    _ => assert_eq!(long.next_u64(), short.next_u64(), "case {case} word {i}"),
                }
            }
        }
    }

    #[test]
    fn each_of_many_streams_is_chacha8rngs_read_as_u64s() {
        let mut state = 5;
        for case in 0..200u64 {
            let key: [u32; 8] = std::array::from_fn(|_| splitmix64(&mut state) as u32);
            let n = 1 + case as usize % 7;
            let mut set = U64Streams::new(key, n);
            let mut longs: Vec<ChaCha8Rng> = (0..n as u64).map(|i| pair(key, i).0).collect();
            // Streams read in an irregular interleaving, each past ChaCha8Rng's four-block buffer.
            for step in 0..300 {
                let i = (splitmix64(&mut state) % n as u64) as usize;
                assert_eq!(
                    set.next_u64(i),
                    longs[i].next_u64(),
                    "case {case} step {step}"
                );
            }
        }
    }

    #[test]
    fn a_stream_sets_block_counter_carries_into_its_high_word() {
        let key = [8, 7, 6, 5, 4, 3, 2, 1];
        let (mut long, _) = pair(key, 2);
        let mut set = U64Streams::new(key, 3);
        let start = (u64::from(u32::MAX) - 1) * BLOCK as u64;
        long.set_word_pos(u128::from(start));
        set.read[2] = start;
        for _ in 0..4 * BLOCK {
            assert_eq!(set.next_u64(2), long.next_u64());
        }
    }

    #[test]
    fn the_portable_block_is_the_fast_one() {
        let mut state = 11;
        for _ in 0..1_000 {
            let key = std::array::from_fn(|_| splitmix64(&mut state) as u32);
            let row3 = std::array::from_fn(|_| splitmix64(&mut state) as u32);
            assert_eq!(portable_block(&key, row3), block(&key, row3));
        }
    }

    #[test]
    fn the_block_counter_carries_into_its_high_word() {
        let key = [1, 2, 3, 4, 5, 6, 7, 8];
        let (mut long, mut short) = pair(key, 3);
        let start = (u64::from(u32::MAX) - 1) * BLOCK as u64;
        long.set_word_pos(u128::from(start));
        short.row3[0] = u32::MAX - 1;
        for _ in 0..4 * BLOCK {
            assert_eq!(long.next_u64(), short.next_u64());
        }
    }
}

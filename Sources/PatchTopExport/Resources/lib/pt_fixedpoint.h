/* TFLite's fixed-point arithmetic (gemmlowp), bit for bit as PatchTop's
 * runtime (Sources/PatchTopRuntime/Kernels/FixedPoint.swift) computes it.
 * Signed right shifts are arithmetic and int32 overflow wraps where noted
 * (done in uint32_t, so the C stays defined). */
#ifndef PT_FIXEDPOINT_H
#define PT_FIXEDPOINT_H

#include <stdint.h>

static inline int32_t pt_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t pt_wrap_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t pt_wrap_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }

/* SaturatingRoundingDoublingHighMul. gemmlowp writes it as
 * (ab + (ab >= 0 ? 2^30 : 1 - 2^30)) / 2^31 with division towards zero;
 * for ab < 0 that quotient is ceil((ab + 1 - 2^30) / 2^31) =
 * floor((ab + 2^30) / 2^31), so both signs are one add and an arithmetic
 * shift (checked against the division form on 2e8 random pairs and the
 * edge values). */
static inline int32_t pt_srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

static inline int32_t pt_rdbpot_wide(int32_t x, int32_t exponent);

static inline int32_t pt_sat_mul_pot(int32_t x, int32_t exponent);

/* RoundingDivideByPOT, exponent 0..31 (outside it the exact quotient). */
static inline int32_t pt_rdbpot(int32_t x, int32_t exponent) {
    if (exponent < 0 || exponent > 31) return pt_rdbpot_wide(x, exponent);
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* SaturatingRoundingMultiplyByPOT. */
static inline int32_t pt_sat_mul_pot(int32_t x, int32_t exponent) {
    if (exponent == 0) return x;
    if (exponent < 0) return pt_rdbpot(x, -exponent);
    int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

static inline int32_t pt_rdbpot_wide(int32_t x, int32_t exponent) {
    if (exponent < 0) return pt_sat_mul_pot(x, -exponent < 31 ? -exponent : 31);
    int64_t e = exponent < 62 ? exponent : 62, wide = x;
    int64_t mask = ((int64_t)1 << e) - 1;
    int64_t remainder = wide & mask;
    int64_t threshold = (mask >> 1) + (wide < 0 ? 1 : 0);
    return (int32_t)((wide >> e) + (remainder > threshold ? 1 : 0));
}

/* TFLite Micro's reference MultiplyByQuantizedMultiplier: left shift
 * (wrapping), SRDHM, rounding right shift. */
static inline int32_t pt_requantize(int32_t x, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    return pt_rdbpot(pt_srdhm(pt_wrap_mul(x, (int32_t)((uint32_t)1 << left)), multiplier), right);
}


/* MultiplyByQuantizedMultiplier + output offset in one multiply, exact for
 * what the exporter checked per op (`rq` non-NULL): every channel's shift
 * is e = -shift in 1..30, its multiplier m >= 0, |accumulator| < 2^30 for
 * every input, and |base| < 2^29. rq holds {m, base, e} per channel with
 * base = 2^(e-1) + out_offset * 2^e.
 *
 * The reference is R = RDBPOT(SRDHM(x, m), e) + zp with
 * SRDHM(x, m) = floor((x m + 2^30) / 2^31) =: v and RDBPOT rounding half
 * away from zero: floor((v + 2^(e-1) - [v < 0]) / 2^e). Nested floors
 * merge (floor((floor(a/b) + r)/c) = floor((a + r b)/(b c))), and
 * [v < 0] may be read as [x < 0] (they differ only when v = 0, where both
 * give 0 for e >= 1), so, doubling numerator and denominator,
 *   R = floor((2^32 (base - [x < 0]) + 2x m + 2^31) / 2^32) >> e,
 * which is SMMLAR(2x, m, base + (x >> 31)) >> e: no intermediate
 * overflows under the bounds above. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
static inline int32_t pt_smmlar(int32_t a, int32_t b, int32_t c) {
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
#else
static inline int32_t pt_smmlar(int32_t a, int32_t b, int32_t c) {
    return (int32_t)((((int64_t)c * 4294967296LL) + (int64_t)a * b + 2147483648LL) >> 32);
}
#endif

static inline int32_t pt_requantize_fast(int32_t acc, int32_t m, int32_t base, int32_t e) {
    return pt_smmlar(acc + acc, m, base + (acc >> 31)) >> e;
}

static inline int32_t pt_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif

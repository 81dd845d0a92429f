/* AVX2 pieces shared by the int8 kernels (private): the exact
 * requantization and the int8 stores. Include after <immintrin.h>, on
 * x86-64 only. */
#ifndef PATCHTOP_AVX2_COMMON_H
#define PATCHTOP_AVX2_COMMON_H

#include <string.h>

#include "kernels_internal.h"
#include "patchtop_kernels.h"

/* ---- requantization, 8 lanes ------------------------------------------ */

typedef struct {
    __m256i offset, lo, hi, nudge;
} rq_consts;

PT_INLINE PT_AVX2 rq_consts rq_load(const pt_requant *rq) {
    rq_consts k;
    k.offset = _mm256_set1_epi32(rq->output_offset);
    k.lo = _mm256_set1_epi32(rq->activation_min);
    k.hi = _mm256_set1_epi32(rq->activation_max);
    k.nudge = _mm256_set1_epi64x((int64_t)1 << 30);
    return k;
}

/* MultiplyByQuantizedMultiplier (left shift, SaturatingRoundingDoublingHighMul,
 * RoundingDivideByPOT), then offset and clamp, for channels [ch, ch + 8).
 * SRDHM: for any product, truncating (ab + nudge) / 2^31 with gemmlowp's
 * sign-dependent nudge equals flooring (ab + 2^30) / 2^31, whose low 32
 * bits a logical 64-bit shift gives. Multipliers are non-negative, so the
 * one saturating case (INT32_MIN squared) cannot occur. */
PT_INLINE PT_AVX2 __m256i rq8(__m256i acc, const pt_requant *rq, int32_t ch, const rq_consts *k) {
    const __m256i x = rq->has_left_shift
        ? _mm256_sllv_epi32(acc, _mm256_loadu_si256((const __m256i *)(rq->left_shift + ch))) : acc;
    __m256i even = _mm256_mul_epi32(x, _mm256_loadu_si256((const __m256i *)(rq->multiplier + ch)));
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_loadu_si256((const __m256i *)(rq->multiplier_odd + ch)));
    even = _mm256_srli_epi64(_mm256_add_epi64(even, k->nudge), 31);
    odd = _mm256_slli_epi64(_mm256_add_epi64(odd, k->nudge), 1);
    const __m256i h = _mm256_blend_epi32(even, odd, 0xAA);
    /* RoundingDivideByPOT: round half away from zero. */
    const __m256i remainder = _mm256_and_si256(h, _mm256_loadu_si256((const __m256i *)(rq->remainder_mask + ch)));
    const __m256i threshold = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(rq->half_mask + ch)), _mm256_srli_epi32(h, 31));
    const __m256i right = _mm256_loadu_si256((const __m256i *)(rq->right_shift + ch));
    __m256i r = _mm256_sub_epi32(_mm256_srav_epi32(h, right), _mm256_cmpgt_epi32(remainder, threshold));
    r = _mm256_add_epi32(r, k->offset);
    r = _mm256_max_epi32(r, k->lo);
    return _mm256_min_epi32(r, k->hi);
}

/* Stores 8 clamped int32 lanes as bytes (`count` <= 8 of them). */
PT_INLINE PT_AVX2 void store8(__m256i v, int8_t *y, int32_t count) {
    const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m128i p8 = _mm_packs_epi16(p16, p16);
    if (count >= 8) {
        _mm_storel_epi64((__m128i *)y, p8);
    } else {
        int8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, p8);
        memcpy(y, tmp, (size_t)count);
    }
}

/* Two blocks (16 channels) as 16 bytes (`count` <= 16 of them). */
PT_INLINE PT_AVX2 void store16(__m256i a, __m256i b, int8_t *y, int32_t count) {
    const __m128i pa = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    const __m128i pb = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    const __m128i p8 = _mm_packs_epi16(pa, pb);
    if (count >= 16) {
        _mm_storeu_si128((__m128i *)y, p8);
    } else {
        int8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, p8);
        memcpy(y, tmp, (size_t)count);
    }
}

#endif

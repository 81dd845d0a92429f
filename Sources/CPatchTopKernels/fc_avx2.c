/* FULLY_CONNECTED accumulation with AVX2; see patchtop_kernels.h. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

static inline PT_AVX2 int32_t hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/* One output row's weights, 16 at a time: int8 widened to int16 with the
 * filter offset added (exact: the offset keeps them inside int16). */
static inline PT_AVX2 __m256i wrow(const int8_t *w, __m256i filter_offset) {
    return _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w)), filter_offset);
}

void PT_AVX2 pt_fc_accumulate_avx2(const int8_t *x, int32_t depth, int32_t input_offset, const int8_t *W,
                                   int32_t filter_offset, int32_t outputs, int32_t stride, int16_t *xs, int32_t *acc) {
    for (int32_t d = 0; d < stride; d++) xs[d] = d < depth ? (int16_t)(x[d] + input_offset) : 0;
    const __m256i fo = _mm256_set1_epi16((int16_t)filter_offset);
    int32_t o = 0;
    for (; o + 4 <= outputs; o += 4) {
        const int8_t *w0 = W + (ptrdiff_t)o * stride, *w1 = w0 + stride, *w2 = w1 + stride, *w3 = w2 + stride;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        for (int32_t d = 0; d < stride; d += 16) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(xs + d));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v, wrow(w0 + d, fo)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(v, wrow(w1 + d, fo)));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(v, wrow(w2 + d, fo)));
            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(v, wrow(w3 + d, fo)));
        }
        acc[o] = hsum(a0);
        acc[o + 1] = hsum(a1);
        acc[o + 2] = hsum(a2);
        acc[o + 3] = hsum(a3);
    }
    for (; o < outputs; o++) {
        const int8_t *w0 = W + (ptrdiff_t)o * stride;
        __m256i a0 = _mm256_setzero_si256();
        for (int32_t d = 0; d < stride; d += 16) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(xs + d));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v, wrow(w0 + d, fo)));
        }
        acc[o] = hsum(a0);
    }
}
#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
void pt_fc_accumulate_avx2(const int8_t *x, int32_t depth, int32_t input_offset, const int8_t *W,
                           int32_t filter_offset, int32_t outputs, int32_t stride, int16_t *xs, int32_t *acc) { (void)x; (void)depth; (void)input_offset; (void)W; (void)filter_offset; (void)outputs; (void)stride; (void)xs; (void)acc; PT_UNAVAILABLE(); }
#endif

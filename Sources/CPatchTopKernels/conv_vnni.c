/* CONV_2D with VNNI's vpdpbusd (four u8 x s8 products per int32 lane); see
 * patchtop_kernels.h. The input is made unsigned by adding 128 (x ^ 0x80),
 * the padding holds the byte whose input plus offset is 0, and the bias
 * absorbs (offset - 128) times the sum of every weight, so that
 *   sum (x + offset) w  over the in-image taps
 *   = sum (x' + 128) w + (offset - 128) sum w  over all taps,
 * exactly, modulo 2^32, as the reference's int32 sums. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#include <string.h>

static inline int32_t quad_up(int32_t c) { return (c + 3) & ~3; }

size_t pt_conv_packed_count_vnni(int32_t oc, int32_t taps, int32_t ic) {
    return ((size_t)oc + 7) / 8 * (size_t)taps * (size_t)quad_up(ic) * 8;
}

void pt_conv_pack_vnni(const int8_t *filter, int32_t oc, int32_t taps, int32_t ic, int8_t *packed, int32_t *sums) {
    const int32_t quads = quad_up(ic) / 4;
    memset(packed, 0, pt_conv_packed_count_vnni(oc, taps, ic));
    for (int32_t o = 0; o < oc; o++) {
        const size_t block = (size_t)(o / 8), lane = (size_t)(o % 8);
        int32_t sum = 0;
        for (int32_t t = 0; t < taps; t++) {
            for (int32_t c = 0; c < ic; c++) {
                const int8_t v = filter[((size_t)o * (size_t)taps + (size_t)t) * (size_t)ic + (size_t)c];
                packed[(((block * (size_t)taps + (size_t)t) * (size_t)quads + (size_t)(c / 4)) * 8 + lane) * 4 + (size_t)(c % 4)] = v;
                sum += v;
            }
        }
        sums[o] = sum;
    }
}

size_t pt_conv_scratch_bytes_vnni(const pt_window *w) {
    const size_t icq = (size_t)quad_up(w->in_channels);
    size_t rows = (size_t)w->kernel_h * conv_row_width(w) * icq;
    if ((size_t)CONV_FLAT_CHUNK * icq > rows) rows = (size_t)CONV_FLAT_CHUNK * icq;
    /* Two tap lists of ptrdiff_t after the rows, 64 bytes on, aligned to 32. */
    return rows + 64 + 32 + 2 * sizeof(ptrdiff_t) * (size_t)w->kernel_h * (size_t)w->kernel_w;
}

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "avx2_common.h"

/* `pixels` pixels of `ic` int8 channels as unsigned bytes (x + 128), `icq`
 * per pixel; the channels past ic are 0 (their weights are 0). */
static PT_AVX2 void to_unsigned(const int8_t *src, int32_t pixels, int32_t ic, int32_t icq, uint8_t *dst) {
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    if (ic == icq) {
        const size_t total = (size_t)pixels * (size_t)ic;
        size_t j = 0;
        for (; j + 32 <= total; j += 32)
            _mm256_storeu_si256((__m256i *)(dst + j), _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + j)), flip));
        for (; j < total; j++) dst[j] = (uint8_t)(src[j] ^ 0x80);
        return;
    }
    for (int32_t p = 0; p < pixels; p++) {
        for (int32_t c = 0; c < ic; c++) dst[c] = (uint8_t)(src[c] ^ 0x80);
        for (int32_t c = ic; c < icq; c++) dst[c] = 0;
        src += ic;
        dst += icq;
    }
}

/* The template's parameters shared by the three forms: unsigned bytes in
 * quads; the padding holds the byte whose input plus offset is 0
 * (128 - offset), in every row, so the bias correction counts every tap.
 * The channels past ic hold it too: their weights are 0. */
#define CONV_ELEM uint8_t
#define CONV_WEIGHT int8_t
#define CONV_GROUP 4
#define CONV_PREPARE(src, pixels, ic, icg, dst, offset) to_unsigned(src, pixels, ic, icg, dst)
#define CONV_PAD(offset) ((uint8_t)(128 - (offset)))
#define CONV_FILL(dst, count, pad) memset(dst, pad, count)
#define CONV_ALL_ROWS 1

/* vpdpbusd from AVX2 instructions, exactly: bytes 0 and 2 of each lane
 * (zero-extended against sign-extended) through one vpmaddwd, bytes 1 and
 * 3 through another; every pair sum is exact in int32. */
PT_INLINE PT_AVX2 __m256i dpbusd_emulated(__m256i acc, __m256i u, __m256i w) {
    const __m256i low = _mm256_set1_epi16(0x00FF);
    const __m256i ue = _mm256_and_si256(u, low), uo = _mm256_srli_epi16(u, 8);
    const __m256i we = _mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8), wo = _mm256_srai_epi16(w, 8);
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(ue, we));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(uo, wo));
}

#define VNNI_NAME(x) x##_vnni_emulated
#define VNNI_TARGET PT_AVX2
#define VNNI_DPBUSD(acc, u, w) dpbusd_emulated(acc, u, w)
#include "conv_impl.h"
#undef VNNI_NAME
#undef VNNI_TARGET
#undef VNNI_DPBUSD

#define VNNI_NAME(x) x##_avxvnni
#define VNNI_TARGET __attribute__((target("avx2,avxvnni")))
#define VNNI_DPBUSD(acc, u, w) _mm256_dpbusd_avx_epi32(acc, u, w)
#include "conv_impl.h"
#undef VNNI_NAME
#undef VNNI_TARGET
#undef VNNI_DPBUSD

#define VNNI_NAME(x) x##_avx512vnni
#define VNNI_TARGET __attribute__((target("avx2,avx512f,avx512vl,avx512vnni")))
#define VNNI_DPBUSD(acc, u, w) _mm256_dpbusd_epi32(acc, u, w)
#include "conv_impl.h"
#undef VNNI_NAME
#undef VNNI_TARGET
#undef VNNI_DPBUSD

#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
void pt_conv_vnni_emulated(const pt_window *w, const int8_t *x, const int8_t *p, const pt_requant *rq, int8_t *y, uint8_t *s) { (void)w; (void)x; (void)p; (void)rq; (void)y; (void)s; PT_UNAVAILABLE(); }
void pt_conv_avxvnni(const pt_window *w, const int8_t *x, const int8_t *p, const pt_requant *rq, int8_t *y, uint8_t *s) { (void)w; (void)x; (void)p; (void)rq; (void)y; (void)s; PT_UNAVAILABLE(); }
void pt_conv_avx512vnni(const pt_window *w, const int8_t *x, const int8_t *p, const pt_requant *rq, int8_t *y, uint8_t *s) { (void)w; (void)x; (void)p; (void)rq; (void)y; (void)s; PT_UNAVAILABLE(); }
#endif

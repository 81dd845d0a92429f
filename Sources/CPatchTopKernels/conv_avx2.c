/* CONV_2D and DEPTHWISE_CONV_2D with AVX2 intrinsics; see patchtop_kernels.h. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "avx2_common.h"

static inline int32_t even_up(int32_t c) { return (c + 1) & ~1; }

size_t pt_conv_packed_count_avx2(int32_t out_channels, int32_t taps, int32_t in_channels) {
    size_t blocks = ((size_t)out_channels + 7) / 8;
    return blocks * (size_t)taps * (size_t)even_up(in_channels) * 8;
}

void pt_conv_pack_avx2(const int8_t *filter, int32_t oc, int32_t taps, int32_t ic, int16_t *packed) {
    const int32_t pairs = even_up(ic) / 2;
    memset(packed, 0, pt_conv_packed_count_avx2(oc, taps, ic) * sizeof(int16_t));
    for (int32_t o = 0; o < oc; o++) {
        const size_t block = (size_t)(o / 8), lane = (size_t)(o % 8);
        for (int32_t t = 0; t < taps; t++) {
            for (int32_t c = 0; c < ic; c++) {
                const size_t k = (size_t)(c / 2), j = (size_t)(c % 2);
                packed[(((block * (size_t)taps + (size_t)t) * (size_t)pairs + k) * 8 + lane) * 2 + j] =
                    filter[((size_t)o * (size_t)taps + (size_t)t) * (size_t)ic + (size_t)c];
            }
        }
    }
}

size_t pt_conv_scratch_count_avx2(const pt_window *w) {
    const size_t icp = (size_t)even_up(w->in_channels);
    size_t rows = (size_t)w->kernel_h * conv_row_width(w) * icp;
    const size_t flat = (size_t)CONV_FLAT_CHUNK * icp;
    if (flat > rows) rows = flat;
    /* Two tap lists of ptrdiff_t after the rows, 64 bytes on, aligned to 32
     * (in int16 units: 64 more than the rows cover both). */
    return rows + 64 + 8 * (size_t)w->kernel_h * (size_t)w->kernel_w;
}

/* ---- CONV_2D ------------------------------------------------------------ */

/* Widens `pixels` pixels of `ic` int8 channels to int16 with the input
 * offset added, `icp` (ic rounded up to even) per pixel, zero in the pad. */
static PT_AVX2 void widen(const int8_t *src, int32_t pixels, int32_t ic, int32_t icp, int16_t offset, int16_t *dst) {
    if (ic == icp) {
        const size_t total = (size_t)pixels * (size_t)ic;
        const __m256i off = _mm256_set1_epi16(offset);
        size_t j = 0;
        for (; j + 16 <= total; j += 16) {
            const __m256i v = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(src + j)));
            _mm256_storeu_si256((__m256i *)(dst + j), _mm256_add_epi16(v, off));
        }
        for (; j < total; j++) dst[j] = (int16_t)(src[j] + offset);
        return;
    }
    int32_t p = 0;
    if (ic < 8) {
        /* Few, odd channels (a first layer's 3): one 8-byte load and one
         * 16-byte store per pixel. The lane past ic holds the next pixel's
         * first channel, against a zero weight; the store runs into the
         * next pixel's slot, written next; the loads stay inside this run,
         * so the last pixels go one value at a time. */
        const __m128i off = _mm_set1_epi16(offset);
        for (; (int64_t)(pixels - p) * ic >= 8; p++) {
            const __m128i v = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(src + (ptrdiff_t)p * ic)));
            _mm_storeu_si128((__m128i *)(dst + (ptrdiff_t)p * icp), _mm_add_epi16(v, off));
        }
    }
    src += (ptrdiff_t)p * ic;
    dst += (ptrdiff_t)p * icp;
    for (; p < pixels; p++) {
        for (int32_t c = 0; c < ic; c++) dst[c] = (int16_t)(src[c] + offset);
        dst[ic] = 0;
        src += ic;
        dst += icp;
    }
}

/* The conv itself: conv_impl.h with int16 pairs through vpmaddwd. The
 * prepared rows hold each input byte plus the offset; the padding holds 0
 * (whose products add exactly what skipping the tap adds); rows outside the
 * image are skipped. */
#define VNNI_NAME(x) x##_avx2
#define VNNI_TARGET PT_AVX2
#define VNNI_DPBUSD(acc, u, w) _mm256_add_epi32(acc, _mm256_madd_epi16(u, w))
#define CONV_ELEM int16_t
#define CONV_WEIGHT int16_t
#define CONV_GROUP 2
#define CONV_PREPARE(src, pixels, ic, icg, dst, offset) widen(src, pixels, ic, icg, (int16_t)(offset), dst)
#define CONV_PAD(offset) ((int16_t)0)
/* The pad is 0, so a byte fill writes it. */
#define CONV_FILL(dst, count, pad) memset(dst, (int)(pad), (count) * sizeof(int16_t))
#define CONV_ALL_ROWS 0
#include "conv_impl.h"
#undef VNNI_NAME
#undef VNNI_TARGET
#undef VNNI_DPBUSD
#undef CONV_ELEM
#undef CONV_WEIGHT
#undef CONV_GROUP
#undef CONV_PREPARE
#undef CONV_PAD
#undef CONV_FILL
#undef CONV_ALL_ROWS

/* ---- DEPTHWISE_CONV_2D (multiplier 1) ----------------------------------- */

/* Loads channels [c, c + count) (count <= 8) of one pixel, sign-extended. */
PT_INLINE PT_AVX2 __m256i load8(const int8_t *p, int32_t count) {
    if (count >= 8) return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p));
    int8_t tmp[8] = {0};
    memcpy(tmp, p, (size_t)count);
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)tmp));
}

size_t pt_depthwise_packed_count_avx2(int32_t channels, int32_t taps) {
    return (size_t)(channels / 16) * (size_t)((taps + 1) / 2) * 32;
}

void pt_depthwise_pack_avx2(const int8_t *filter, int32_t channels, int32_t taps, int16_t *packed) {
    const int32_t blocks = channels / 16, tp = (taps + 1) / 2;
    memset(packed, 0, pt_depthwise_packed_count_avx2(channels, taps) * sizeof(int16_t));
    for (int32_t blk = 0; blk < blocks; blk++) {
        for (int32_t j = 0; j < tp; j++) {
            int16_t *lo = packed + ((size_t)blk * (size_t)tp + (size_t)j) * 32, *hi = lo + 16;
            for (int32_t half = 0; half < 2; half++) {
                for (int32_t i = 0; i < 4; i++) {
                    /* unpacklo: channels 8*half + i; unpackhi: 8*half + 4 + i. */
                    const int32_t cl = blk * 16 + 8 * half + i, ch = cl + 4;
                    const int32_t t0 = 2 * j, t1 = 2 * j + 1;
                    lo[8 * half + 2 * i] = filter[(size_t)t0 * (size_t)channels + (size_t)cl];
                    hi[8 * half + 2 * i] = filter[(size_t)t0 * (size_t)channels + (size_t)ch];
                    if (t1 < taps) {
                        lo[8 * half + 2 * i + 1] = filter[(size_t)t1 * (size_t)channels + (size_t)cl];
                        hi[8 * half + 2 * i + 1] = filter[(size_t)t1 * (size_t)channels + (size_t)ch];
                    }
                }
            }
        }
    }
}

/* Channels [c, ch) of one output pixel, eight at a time, over the taps
 * [fy0, fy1) x [fx0, fx1) in the image (`base`: the window's first pixel,
 * `row`/`col`: element steps between tap rows and columns). */
PT_INLINE PT_AVX2 void dw_tail(const int8_t *X, ptrdiff_t base, int32_t c, int32_t ch, int32_t lanes, int32_t fy0,
                                int32_t fy1, int32_t fx0, int32_t fx1, int32_t kw, ptrdiff_t row, ptrdiff_t col,
                                const int32_t *W, __m256i offset, const pt_requant *rq, const rq_consts *k, int8_t *y) {
    for (; c < ch; c += 8) {
        const int32_t count = ch - c < 8 ? ch - c : 8;
        __m256i a = _mm256_loadu_si256((const __m256i *)(rq->bias + c));
        for (int32_t fy = fy0; fy < fy1; fy++) {
            for (int32_t fx = fx0; fx < fx1; fx++) {
                const int8_t *p = X + (base + fy * row + fx * col + c);
                const int32_t *q = W + (ptrdiff_t)(fy * kw + fx) * lanes + c;
                const __m256i x = _mm256_add_epi32(load8(p, count), offset);
                a = _mm256_add_epi32(a, _mm256_mullo_epi32(x, _mm256_loadu_si256((const __m256i *)q)));
            }
        }
        store8(rq8(a, rq, c, k), y + c, count);
    }
}

void PT_AVX2 pt_depthwise_avx2(const pt_window *w, const int8_t *X, const int32_t *W, const int16_t *P,
                               const pt_requant *rq, int8_t *Y) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ch = w->in_channels, lanes = (ch + 7) & ~7;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, dh = w->dilation_h, dw = w->dilation_w;
    const ptrdiff_t row_stride = (ptrdiff_t)w->in_cols * ch;
    const __m256i offset = _mm256_set1_epi32(w->input_offset);
    const rq_consts k = rq_load(rq);
    /* Element offset of every tap from the window's first pixel (for
     * windows inside the image); at most 64 taps take the paired path. */
    const int32_t taps = kh * kw, tap_pairs = (taps + 1) / 2;
    ptrdiff_t tap_at[64];
    const int paired = P != NULL && taps <= 64;
    if (paired) {
        for (int32_t fy = 0; fy < kh; fy++)
            for (int32_t fx = 0; fx < kw; fx++) tap_at[fy * kw + fx] = fy * dh * row_stride + (ptrdiff_t)fx * dw * ch;
    }
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            int32_t fy0, fy1;
            valid_taps(sy, dh, kh, w->in_h, &fy0, &fy1);
            for (int32_t ox = w->col0; ox < w->col1; ox++) {
                const int32_t sx = ox * w->stride_w - w->pad_left;
                int32_t fx0, fx1;
                valid_taps(sx, dw, kw, w->in_w, &fx0, &fx1);
                /* Pixel (sy, sx) may lie in the padding: address taps from it
                 * without forming an out-of-buffer pointer. */
                const ptrdiff_t base = (((ptrdiff_t)b * w->in_rows + (sy - w->in_y)) * w->in_cols + (sx - w->in_x)) * ch;
                int8_t *y = Y + (((ptrdiff_t)b * w->out_rows + (oy - w->out_y)) * w->out_cols + (ox - w->out_x)) * ch;
                const int inside = paired && fy0 == 0 && fy1 == kh && fx0 == 0 && fx1 == kw;
                /* Two neighbouring pixels with whole windows: each weight
                 * vector loaded once for both. */
                const int32_t sx1 = sx + w->stride_w;
                if (inside && ox + 1 < w->col1 && sx1 + dw * (kw - 1) < w->in_w) {
                    const ptrdiff_t step = (ptrdiff_t)w->stride_w * ch;
                    int32_t c = 0;
                    for (; c + 16 <= ch; c += 16) {
                        const int16_t *q = P + (size_t)(c / 16) * (size_t)tap_pairs * 32;
                        __m256i lo = _mm256_setzero_si256(), hi = lo, lo1 = lo, hi1 = lo;
                        for (int32_t j = 0; j < tap_pairs; j++, q += 32) {
                            const int32_t t0 = 2 * j, t1 = 2 * j + 1 < taps ? 2 * j + 1 : 2 * j;
                            const int8_t *p0 = X + (base + tap_at[t0] + c), *p1 = X + (base + tap_at[t1] + c);
                            const __m256i wl = _mm256_loadu_si256((const __m256i *)q);
                            const __m256i wh = _mm256_loadu_si256((const __m256i *)(q + 16));
                            const __m256i v0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p0));
                            const __m256i v1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p1));
                            const __m256i u0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(p0 + step)));
                            const __m256i u1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(p1 + step)));
                            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(v0, v1), wl));
                            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(v0, v1), wh));
                            lo1 = _mm256_add_epi32(lo1, _mm256_madd_epi16(_mm256_unpacklo_epi16(u0, u1), wl));
                            hi1 = _mm256_add_epi32(hi1, _mm256_madd_epi16(_mm256_unpackhi_epi16(u0, u1), wh));
                        }
                        const __m256i f0 = _mm256_loadu_si256((const __m256i *)(rq->folded_bias + c));
                        const __m256i f1 = _mm256_loadu_si256((const __m256i *)(rq->folded_bias + c + 8));
                        store16(rq8(_mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), f0), rq, c, &k),
                                rq8(_mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x31), f1), rq, c + 8, &k), y + c, 16);
                        store16(rq8(_mm256_add_epi32(_mm256_permute2x128_si256(lo1, hi1, 0x20), f0), rq, c, &k),
                                rq8(_mm256_add_epi32(_mm256_permute2x128_si256(lo1, hi1, 0x31), f1), rq, c + 8, &k), y + ch + c, 16);
                    }
                    dw_tail(X, base, c, ch, lanes, 0, kh, 0, kw, kw, dh * row_stride, (ptrdiff_t)dw * ch, W, offset, rq, &k, y);
                    dw_tail(X, base + step, c, ch, lanes, 0, kh, 0, kw, kw, dh * row_stride, (ptrdiff_t)dw * ch, W, offset,
                            rq, &k, y + ch);
                    ox++;
                    continue;
                }
                int32_t c = 0;
                for (; c + 16 <= ch; c += 16) {
                    __m256i a0, a1;
                    if (inside) {
                        /* Two taps at a time: their bytes widened to int16 and
                         * interleaved channel by channel, against the packed
                         * tap pairs, one vpmaddwd per 8 channels. */
                        const int16_t *q = P + (size_t)(c / 16) * (size_t)tap_pairs * 32;
                        __m256i lo = _mm256_setzero_si256(), hi = lo;
                        for (int32_t j = 0; j < tap_pairs; j++, q += 32) {
                            const int32_t t0 = 2 * j, t1 = 2 * j + 1 < taps ? 2 * j + 1 : 2 * j;
                            const int8_t *p0 = X + (base + tap_at[t0] + c), *p1 = X + (base + tap_at[t1] + c);
                            const __m256i v0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p0));
                            const __m256i v1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p1));
                            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(v0, v1), _mm256_loadu_si256((const __m256i *)q)));
                            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(v0, v1), _mm256_loadu_si256((const __m256i *)(q + 16))));
                        }
                        a0 = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_loadu_si256((const __m256i *)(rq->folded_bias + c)));
                        a1 = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x31), _mm256_loadu_si256((const __m256i *)(rq->folded_bias + c + 8)));
                    } else {
                        a0 = _mm256_loadu_si256((const __m256i *)(rq->bias + c));
                        a1 = _mm256_loadu_si256((const __m256i *)(rq->bias + c + 8));
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                const int8_t *p = X + (base + fy * dh * row_stride + (ptrdiff_t)fx * dw * ch + c);
                                const int32_t *q = W + (ptrdiff_t)(fy * kw + fx) * lanes + c;
                                const __m128i v = _mm_loadu_si128((const __m128i *)p);
                                const __m256i x0 = _mm256_add_epi32(_mm256_cvtepi8_epi32(v), offset);
                                const __m256i x1 = _mm256_add_epi32(_mm256_cvtepi8_epi32(_mm_srli_si128(v, 8)), offset);
                                a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(x0, _mm256_loadu_si256((const __m256i *)q)));
                                a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(x1, _mm256_loadu_si256((const __m256i *)(q + 8))));
                            }
                        }
                    }
                    store16(rq8(a0, rq, c, &k), rq8(a1, rq, c + 8, &k), y + c, 16);
                }
                dw_tail(X, base, c, ch, lanes, fy0, fy1, fx0, fx1, kw, dh * row_stride, (ptrdiff_t)dw * ch, W, offset,
                        rq, &k, y);
            }
        }
    }
}

#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
size_t pt_conv_packed_count_avx2(int32_t oc, int32_t taps, int32_t ic) { (void)oc; (void)taps; (void)ic; PT_UNAVAILABLE(); }
void pt_conv_pack_avx2(const int8_t *f, int32_t oc, int32_t taps, int32_t ic, int16_t *p) { (void)f; (void)oc; (void)taps; (void)ic; (void)p; PT_UNAVAILABLE(); }
size_t pt_conv_scratch_count_avx2(const pt_window *w) { (void)w; PT_UNAVAILABLE(); }
void pt_conv_avx2(const pt_window *w, const int8_t *x, const int16_t *p, const pt_requant *rq, int8_t *y, int16_t *s) { (void)w; (void)x; (void)p; (void)rq; (void)y; (void)s; PT_UNAVAILABLE(); }
size_t pt_depthwise_packed_count_avx2(int32_t c, int32_t t) { (void)c; (void)t; PT_UNAVAILABLE(); }
void pt_depthwise_pack_avx2(const int8_t *f, int32_t c, int32_t t, int16_t *p) { (void)f; (void)c; (void)t; (void)p; PT_UNAVAILABLE(); }
void pt_depthwise_avx2(const pt_window *w, const int8_t *x, const int32_t *p, const int16_t *q, const pt_requant *rq, int8_t *y) { (void)w; (void)x; (void)p; (void)q; (void)rq; (void)y; PT_UNAVAILABLE(); }
#endif

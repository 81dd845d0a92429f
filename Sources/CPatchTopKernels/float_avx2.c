/* float32 kernels with AVX2; see patchtop_kernels.h for the exactness rules.
 * Only the `avx2` target feature is enabled (not `fma`), and the build sets
 * -ffp-contract=off, so every multiply and add rounds on its own, as the
 * reference's scalar code does. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

/* std::min(upper, std::max(lower, v)) lane by lane: maxps/minps return their
 * second operand when either is NaN, so v goes second. */
PT_INLINE PT_AVX2 __m256 clamp8(__m256 v, __m256 lo, __m256 hi) {
    const __m256 a = _mm256_max_ps(lo, v);
    return _mm256_min_ps(hi, a);
}

PT_INLINE PT_AVX2 void store_f8(float *y, __m256 v, int32_t count) {
    if (count >= 8) {
        _mm256_storeu_ps(y, v);
    } else {
        float tmp[8];
        _mm256_storeu_ps(tmp, v);
        memcpy(y, tmp, (size_t)count * sizeof(float));
    }
}

/* M pixels x NB blocks of 8 output channels, over n taps of ic channels. */
PT_INLINE PT_AVX2 void convf_tile(const int M, const int NB, const float *x, ptrdiff_t pstep,
                                   const ptrdiff_t *in_off, const ptrdiff_t *w_off, int32_t n, int32_t ic,
                                   const float *wb, ptrdiff_t ocp, const float *bias, __m256 lo, __m256 hi,
                                   float *y, ptrdiff_t ystep, int32_t count) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m256 c0 = a0, c1 = a0, c2 = a0, c3 = a0;
    for (int32_t t = 0; t < n; t++) {
        const float *xp = x + in_off[t];
        const float *wp = wb + w_off[t];
        for (int32_t c = 0; c < ic; c++) {
            const __m256 w0 = _mm256_loadu_ps(wp + (ptrdiff_t)c * ocp);
            const __m256 w1 = NB > 1 ? _mm256_loadu_ps(wp + (ptrdiff_t)c * ocp + 8) : w0;
#define PT_STEP(m, A, C)                                                  \
    if (M > m) {                                                          \
        const __m256 v = _mm256_broadcast_ss(xp + (m) * pstep + c);       \
        A = _mm256_add_ps(A, _mm256_mul_ps(v, w0));                       \
        if (NB > 1) C = _mm256_add_ps(C, _mm256_mul_ps(v, w1));           \
    }
            PT_STEP(0, a0, c0)
            PT_STEP(1, a1, c1)
            PT_STEP(2, a2, c2)
            PT_STEP(3, a3, c3)
#undef PT_STEP
            /* One block (8 channels or fewer): pixels 4-7 use the second
             * block's accumulators, so eight sums are in flight. */
#define PT_STEP1(m, A)                                                    \
    if (NB == 1 && M > m) {                                               \
        const __m256 v = _mm256_broadcast_ss(xp + (m) * pstep + c);       \
        A = _mm256_add_ps(A, _mm256_mul_ps(v, w0));                       \
    }
            PT_STEP1(4, c0)
            PT_STEP1(5, c1)
            PT_STEP1(6, c2)
            PT_STEP1(7, c3)
#undef PT_STEP1
        }
    }
    const __m256 b0 = _mm256_loadu_ps(bias);
    const __m256 b1 = NB > 1 ? _mm256_loadu_ps(bias + 8) : b0;
#define PT_OUT(m, A, C)                                                                   \
    if (M > m) {                                                                          \
        store_f8(y + (m) * ystep, clamp8(_mm256_add_ps(A, b0), lo, hi), count);           \
        if (NB > 1) store_f8(y + (m) * ystep + 8, clamp8(_mm256_add_ps(C, b1), lo, hi), count - 8); \
    }
    PT_OUT(0, a0, c0)
    PT_OUT(1, a1, c1)
    PT_OUT(2, a2, c2)
    PT_OUT(3, a3, c3)
#undef PT_OUT
#define PT_OUT1(m, A)                                                                     \
    if (NB == 1 && M > m) store_f8(y + (m) * ystep, clamp8(_mm256_add_ps(A, b0), lo, hi), count);
    PT_OUT1(4, c0)
    PT_OUT1(5, c1)
    PT_OUT1(6, c2)
    PT_OUT1(7, c3)
#undef PT_OUT1
}

PT_INLINE PT_AVX2 void convf_pixels(const int M, const float *x, ptrdiff_t pstep, const ptrdiff_t *in_off,
                                     const ptrdiff_t *w_off, int32_t n, int32_t ic, const float *W, ptrdiff_t ocp,
                                     const float *bias, __m256 lo, __m256 hi, float *y, int32_t oc) {
    int32_t ob = 0;
    for (; ob + 16 <= ocp; ob += 16) {
        convf_tile(M, 2, x, pstep, in_off, w_off, n, ic, W + ob, ocp, bias + ob, lo, hi, y + ob, oc, oc - ob);
    }
    if (ob < ocp) convf_tile(M, 1, x, pstep, in_off, w_off, n, ic, W + ob, ocp, bias + ob, lo, hi, y + ob, oc, oc - ob);
}

/* `count` pixels `pstep` floats apart from `x`, every channel block: eight
 * pixels at a time when the output has one block (eight sums in flight),
 * then four, then one. */
static PT_AVX2 void convf_run(int32_t count, const float *x, ptrdiff_t pstep, const ptrdiff_t *in_off,
                              const ptrdiff_t *w_off, int32_t n, int32_t ic, const float *W, ptrdiff_t ocp,
                              const float *bias, __m256 lo, __m256 hi, float *y, int32_t oc) {
    int32_t i = 0;
    if (ocp == 8) {
        for (; i + 8 <= count; i += 8)
            convf_tile(8, 1, x + i * pstep, pstep, in_off, w_off, n, ic, W, ocp, bias, lo, hi, y + (ptrdiff_t)i * oc, oc, oc);
    }
    for (; i + 4 <= count; i += 4)
        convf_pixels(4, x + i * pstep, pstep, in_off, w_off, n, ic, W, ocp, bias, lo, hi, y + (ptrdiff_t)i * oc, oc);
    for (; i < count; i++)
        convf_pixels(1, x + i * pstep, pstep, in_off, w_off, n, ic, W, ocp, bias, lo, hi, y + (ptrdiff_t)i * oc, oc);
}

void PT_AVX2 pt_conv_f32_avx2(const pt_window *w, const float *X, const float *W, const float *bias, float lower,
                              float upper, float *Y, ptrdiff_t *scratch) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ic = w->in_channels, oc = w->out_channels, ocp = (oc + 7) & ~7;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, dh = w->dilation_h, dw = w->dilation_w;
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper);
    ptrdiff_t *in_off = scratch, *w_off = scratch + (ptrdiff_t)kh * kw;
    const ptrdiff_t pstep = (ptrdiff_t)w->stride_w * ic;
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            int32_t fy0, fy1;
            valid_taps(sy, dh, kh, w->in_h, &fy0, &fy1);
            float *yrow = Y + (((ptrdiff_t)b * w->out_rows + (oy - w->out_y)) * w->out_cols) * oc;
            int32_t ox = w->col0;
            while (ox < w->col1) {
                const int32_t sx = ox * w->stride_w - w->pad_left;
                int32_t fx0, fx1;
                valid_taps(sx, dw, kw, w->in_w, &fx0, &fx1);
                /* Element offsets from the input buffer's start of every
                 * in-image tap of this pixel's window, in reference order. */
                int32_t n = 0;
                for (int32_t fy = fy0; fy < fy1; fy++) {
                    const ptrdiff_t row = ((ptrdiff_t)b * w->in_rows + (sy + fy * dh - w->in_y)) * w->in_cols;
                    for (int32_t fx = fx0; fx < fx1; fx++) {
                        in_off[n] = (row + (sx + fx * dw - w->in_x)) * ic;
                        w_off[n] = (ptrdiff_t)(fy * kw + fx) * ic * ocp;
                        n++;
                    }
                }
                int32_t end = ox + 1;
                if (fx0 == 0 && fx1 == kw) {
                    while (end < w->col1) {
                        const int32_t s = end * w->stride_w - w->pad_left;
                        if (s < 0 || s + dw * (kw - 1) >= w->in_w) break;
                        end++;
                    }
                }
                convf_run(end - ox, X, pstep, in_off, w_off, n, ic, W, ocp, bias, lo, hi,
                          yrow + (ptrdiff_t)(ox - w->out_x) * oc, oc);
                ox = end;
            }
        }
    }
}

/* Columns of one copied row: from the first tap of output column col0 to
 * the last tap of column col1 - 1, padding included. */
static size_t f32_row_width(const pt_window *w) {
    if (w->col1 <= w->col0) return 0;
    return (size_t)(w->col1 - w->col0 - 1) * (size_t)w->stride_w + (size_t)(w->kernel_w - 1) * (size_t)w->dilation_w + 1;
}

size_t pt_conv_f32_scratch_floats(const pt_window *w) {
    return (size_t)w->kernel_h * f32_row_width(w) * (size_t)w->in_channels + 8;
}

void PT_AVX2 pt_conv_f32_padded_avx2(const pt_window *w, const float *X, const float *W, const float *bias, float lower,
                                     float upper, float *Y, float *rows, ptrdiff_t *taps) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ic = w->in_channels, oc = w->out_channels, ocp = (oc + 7) & ~7;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, dh = w->dilation_h, dw = w->dilation_w;
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper);
    ptrdiff_t *in_off = taps, *w_off = taps + (ptrdiff_t)kh * kw;
    const size_t width = f32_row_width(w);
    const ptrdiff_t row_stride = (ptrdiff_t)width * ic, pstep = (ptrdiff_t)w->stride_w * ic;
    const int32_t xbase = w->col0 * w->stride_w - w->pad_left;
    const int32_t lo_col = xbase > 0 ? xbase : 0;
    const int32_t hi_col = xbase + (int32_t)width < w->in_w ? xbase + (int32_t)width : w->in_w;
    const int32_t pre = lo_col - xbase < (int32_t)width ? lo_col - xbase : (int32_t)width;
    const int32_t done = hi_col > lo_col ? hi_col - xbase : pre;
    const int merged = dw == 1;
    const int32_t tap_channels = merged ? kw * ic : ic;
    /* A 1x1, stride-1 conv whose rows are contiguous in both buffers: one
     * run of tiles over every pixel, read in place. */
    const int contiguous = w->col0 == w->out_x && w->col1 == w->out_x + w->out_cols &&
                           w->col0 - w->pad_left == w->in_x && w->in_cols == w->out_cols;
    if (kh == 1 && kw == 1 && w->stride_h == 1 && w->stride_w == 1 && w->pad_top == 0 && w->pad_left == 0 && contiguous) {
        in_off[0] = 0;
        w_off[0] = 0;
        for (int32_t b = 0; b < w->batches; b++) {
            const float *x = X + (((ptrdiff_t)b * w->in_rows + (w->row0 - w->in_y)) * w->in_cols) * ic;
            float *y = Y + (((ptrdiff_t)b * w->out_rows + (w->row0 - w->out_y)) * w->out_cols) * oc;
            convf_run((w->row1 - w->row0) * w->out_cols, x, ic, in_off, w_off, 1, ic, W, ocp, bias, lo, hi, y, oc);
        }
        return;
    }
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            int32_t fy0, fy1;
            valid_taps(sy, dh, kh, w->in_h, &fy0, &fy1);
            int32_t n = 0;
            for (int32_t fy = fy0; fy < fy1; fy++) {
                float *dst = rows + fy * row_stride;
                if (pre > 0) memset(dst, 0, (size_t)pre * (size_t)ic * sizeof(float));
                if (hi_col > lo_col) {
                    const float *src = X + (((ptrdiff_t)b * w->in_rows + (sy + fy * dh - w->in_y)) * w->in_cols + (lo_col - w->in_x)) * ic;
                    memcpy(dst + (ptrdiff_t)(lo_col - xbase) * ic, src, (size_t)(hi_col - lo_col) * (size_t)ic * sizeof(float));
                }
                if ((int32_t)width > done) memset(dst + (ptrdiff_t)done * ic, 0, ((size_t)width - (size_t)done) * (size_t)ic * sizeof(float));
                if (merged) {
                    in_off[n] = fy * row_stride;
                    w_off[n] = (ptrdiff_t)fy * kw * ic * ocp;
                    n++;
                } else {
                    for (int32_t fx = 0; fx < kw; fx++) {
                        in_off[n] = fy * row_stride + (ptrdiff_t)fx * dw * ic;
                        w_off[n] = (ptrdiff_t)(fy * kw + fx) * ic * ocp;
                        n++;
                    }
                }
            }
            float *y = Y + (((ptrdiff_t)b * w->out_rows + (oy - w->out_y)) * w->out_cols + (w->col0 - w->out_x)) * oc;
            convf_run(w->col1 - w->col0, rows, pstep, in_off, w_off, n, tap_channels, W, ocp, bias, lo, hi, y, oc);
        }
    }
}

void PT_AVX2 pt_depthwise_f32_avx2(const pt_window *w, const float *X, const float *W, const float *bias, float lower,
                                   float upper, float *Y) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ch = w->in_channels, lanes = (ch + 7) & ~7;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, dh = w->dilation_h, dw = w->dilation_w;
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper);
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            int32_t fy0, fy1;
            valid_taps(sy, dh, kh, w->in_h, &fy0, &fy1);
            for (int32_t ox = w->col0; ox < w->col1; ox++) {
                const int32_t sx = ox * w->stride_w - w->pad_left;
                int32_t fx0, fx1;
                valid_taps(sx, dw, kw, w->in_w, &fx0, &fx1);
                float *y = Y + (((ptrdiff_t)b * w->out_rows + (oy - w->out_y)) * w->out_cols + (ox - w->out_x)) * ch;
                /* Four pixels whose windows are whole, eight channels at a
                 * time: four independent sums in flight however few the
                 * channels (a single pixel's sum is one chain of adds). */
                const int32_t sx3 = (ox + 3) * w->stride_w - w->pad_left;
                if (ch < 32 && fy0 == 0 && fy1 == kh && ox + 3 < w->col1 && sx >= 0 && sx3 + dw * (kw - 1) < w->in_w) {
                    const ptrdiff_t pstep = (ptrdiff_t)w->stride_w * ch;
                    for (int32_t c = 0; c < ch; c += 8) {
                        const int32_t count = ch - c < 8 ? ch - c : 8;
                        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
                        for (int32_t fy = 0; fy < kh; fy++) {
                            const ptrdiff_t row = ((ptrdiff_t)b * w->in_rows + (sy + fy * dh - w->in_y)) * w->in_cols;
                            for (int32_t fx = 0; fx < kw; fx++) {
                                const float *p = X + (row + (sx + fx * dw - w->in_x)) * ch + c;
                                const __m256 q = _mm256_loadu_ps(W + (ptrdiff_t)(fy * kw + fx) * lanes + c);
                                __m256 v0, v1, v2, v3;
                                if (count == 8) {
                                    v0 = _mm256_loadu_ps(p);
                                    v1 = _mm256_loadu_ps(p + pstep);
                                    v2 = _mm256_loadu_ps(p + 2 * pstep);
                                    v3 = _mm256_loadu_ps(p + 3 * pstep);
                                } else {
                                    float t[4][8] = {{0}};
                                    for (int k = 0; k < 4; k++) memcpy(t[k], p + k * pstep, (size_t)count * sizeof(float));
                                    v0 = _mm256_loadu_ps(t[0]);
                                    v1 = _mm256_loadu_ps(t[1]);
                                    v2 = _mm256_loadu_ps(t[2]);
                                    v3 = _mm256_loadu_ps(t[3]);
                                }
                                s0 = _mm256_add_ps(s0, _mm256_mul_ps(v0, q));
                                s1 = _mm256_add_ps(s1, _mm256_mul_ps(v1, q));
                                s2 = _mm256_add_ps(s2, _mm256_mul_ps(v2, q));
                                s3 = _mm256_add_ps(s3, _mm256_mul_ps(v3, q));
                            }
                        }
                        const __m256 bias8 = _mm256_loadu_ps(bias + c);
                        store_f8(y + c, clamp8(_mm256_add_ps(s0, bias8), lo, hi), count);
                        store_f8(y + ch + c, clamp8(_mm256_add_ps(s1, bias8), lo, hi), count);
                        store_f8(y + 2 * ch + c, clamp8(_mm256_add_ps(s2, bias8), lo, hi), count);
                        store_f8(y + 3 * ch + c, clamp8(_mm256_add_ps(s3, bias8), lo, hi), count);
                    }
                    ox += 3;
                    continue;
                }
                int32_t c = 0;
                /* Four blocks at once: four independent sums in flight. */
                for (; c + 32 <= ch; c += 32) {
                    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const ptrdiff_t row = ((ptrdiff_t)b * w->in_rows + (sy + fy * dh - w->in_y)) * w->in_cols;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const float *p = X + (row + (sx + fx * dw - w->in_x)) * ch + c;
                            const float *q = W + (ptrdiff_t)(fy * kw + fx) * lanes + c;
                            s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(q)));
                            s1 = _mm256_add_ps(s1, _mm256_mul_ps(_mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8)));
                            s2 = _mm256_add_ps(s2, _mm256_mul_ps(_mm256_loadu_ps(p + 16), _mm256_loadu_ps(q + 16)));
                            s3 = _mm256_add_ps(s3, _mm256_mul_ps(_mm256_loadu_ps(p + 24), _mm256_loadu_ps(q + 24)));
                        }
                    }
                    _mm256_storeu_ps(y + c, clamp8(_mm256_add_ps(s0, _mm256_loadu_ps(bias + c)), lo, hi));
                    _mm256_storeu_ps(y + c + 8, clamp8(_mm256_add_ps(s1, _mm256_loadu_ps(bias + c + 8)), lo, hi));
                    _mm256_storeu_ps(y + c + 16, clamp8(_mm256_add_ps(s2, _mm256_loadu_ps(bias + c + 16)), lo, hi));
                    _mm256_storeu_ps(y + c + 24, clamp8(_mm256_add_ps(s3, _mm256_loadu_ps(bias + c + 24)), lo, hi));
                }
                for (; c < ch; c += 8) {
                    const int32_t count = ch - c < 8 ? ch - c : 8;
                    __m256 s = _mm256_setzero_ps();
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const ptrdiff_t row = ((ptrdiff_t)b * w->in_rows + (sy + fy * dh - w->in_y)) * w->in_cols;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const float *p = X + (row + (sx + fx * dw - w->in_x)) * ch + c;
                            const float *q = W + (ptrdiff_t)(fy * kw + fx) * lanes + c;
                            __m256 v;
                            if (count == 8) {
                                v = _mm256_loadu_ps(p);
                            } else {
                                float tmp[8] = {0};
                                memcpy(tmp, p, (size_t)count * sizeof(float));
                                v = _mm256_loadu_ps(tmp);
                            }
                            s = _mm256_add_ps(s, _mm256_mul_ps(v, _mm256_loadu_ps(q)));
                        }
                    }
                    store_f8(y + c, clamp8(_mm256_add_ps(s, _mm256_loadu_ps(bias + c)), lo, hi), count);
                }
            }
        }
    }
}

void PT_AVX2 pt_fc_f32_avx2(const float *x, int32_t depth, const float *W, const float *bias, int32_t outputs,
                            float lower, float upper, float *y) {
    const int32_t ocp = (outputs + 7) & ~7;
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper);
    int32_t ob = 0;
    for (; ob + 32 <= ocp; ob += 32) {
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        const float *row = W + ob;
        for (int32_t d = 0; d < depth; d++, row += ocp) {
            const __m256 v = _mm256_broadcast_ss(x + d);
            s0 = _mm256_add_ps(s0, _mm256_mul_ps(v, _mm256_loadu_ps(row)));
            s1 = _mm256_add_ps(s1, _mm256_mul_ps(v, _mm256_loadu_ps(row + 8)));
            s2 = _mm256_add_ps(s2, _mm256_mul_ps(v, _mm256_loadu_ps(row + 16)));
            s3 = _mm256_add_ps(s3, _mm256_mul_ps(v, _mm256_loadu_ps(row + 24)));
        }
        store_f8(y + ob, clamp8(_mm256_add_ps(s0, _mm256_loadu_ps(bias + ob)), lo, hi), outputs - ob);
        store_f8(y + ob + 8, clamp8(_mm256_add_ps(s1, _mm256_loadu_ps(bias + ob + 8)), lo, hi), outputs - ob - 8);
        store_f8(y + ob + 16, clamp8(_mm256_add_ps(s2, _mm256_loadu_ps(bias + ob + 16)), lo, hi), outputs - ob - 16);
        store_f8(y + ob + 24, clamp8(_mm256_add_ps(s3, _mm256_loadu_ps(bias + ob + 24)), lo, hi), outputs - ob - 24);
    }
    for (; ob < ocp; ob += 8) {
        __m256 s = _mm256_setzero_ps();
        const float *row = W + ob;
        for (int32_t d = 0; d < depth; d++, row += ocp) {
            s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_broadcast_ss(x + d), _mm256_loadu_ps(row)));
        }
        store_f8(y + ob, clamp8(_mm256_add_ps(s, _mm256_loadu_ps(bias + ob)), lo, hi), outputs - ob);
    }
}

void PT_AVX2 pt_quantize_f32_avx2(const float *x, size_t count, float scale, int32_t zero_point, int8_t *y) {
    const __m256 divisor = _mm256_set1_ps(scale);
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    const __m256 limit = _mm256_set1_ps(1e6f);
    const __m256i zp = _mm256_set1_epi32(zero_point);
    const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), divisor);
        /* Half away from zero: truncate, then step away from zero when the
         * dropped fraction (exact in float) is at least one half. */
        const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256 frac = _mm256_andnot_ps(sign_mask, _mm256_sub_ps(v, t));
        const __m256 away = _mm256_and_ps(_mm256_cmp_ps(frac, half, _CMP_GE_OQ),
                                          _mm256_or_ps(_mm256_and_ps(v, sign_mask), _mm256_set1_ps(1.0f)));
        __m256 r = _mm256_add_ps(t, away);
        /* NaN -> 0 (the zero point), then anything beyond +-1e6 saturates. */
        r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q));
        r = _mm256_min_ps(_mm256_max_ps(r, _mm256_sub_ps(_mm256_setzero_ps(), limit)), limit);
        __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(r), zp);
        q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
        const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
        _mm_storel_epi64((__m128i *)(y + i), _mm_packs_epi16(p16, p16));
    }
    for (; i < count; i++) {
        const float r = roundf(x[i] / scale);
        if (r != r) { y[i] = (int8_t)(zero_point < -128 ? -128 : zero_point > 127 ? 127 : zero_point); continue; }
        const float c = r < -4e9f ? -4e9f : r > 4e9f ? 4e9f : r;
        int64_t q = (int64_t)c + zero_point;
        y[i] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
    }
}

#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
void pt_conv_f32_avx2(const pt_window *w, const float *x, const float *W, const float *b, float lo, float hi, float *y, ptrdiff_t *s) { (void)w; (void)x; (void)W; (void)b; (void)lo; (void)hi; (void)y; (void)s; PT_UNAVAILABLE(); }
void pt_depthwise_f32_avx2(const pt_window *w, const float *x, const float *W, const float *b, float lo, float hi, float *y) { (void)w; (void)x; (void)W; (void)b; (void)lo; (void)hi; (void)y; PT_UNAVAILABLE(); }
size_t pt_conv_f32_scratch_floats(const pt_window *w) { (void)w; PT_UNAVAILABLE(); }
void pt_conv_f32_padded_avx2(const pt_window *w, const float *x, const float *W, const float *b, float lo, float hi,
                             float *y, float *r, ptrdiff_t *t) { (void)w; (void)x; (void)W; (void)b; (void)lo; (void)hi; (void)y; (void)r; (void)t; PT_UNAVAILABLE(); }
void pt_fc_f32_avx2(const float *x, int32_t d, const float *W, const float *b, int32_t o, float lo, float hi, float *y) { (void)x; (void)d; (void)W; (void)b; (void)o; (void)lo; (void)hi; (void)y; PT_UNAVAILABLE(); }
void pt_quantize_f32_avx2(const float *x, size_t n, float s, int32_t z, int8_t *y) { (void)x; (void)n; (void)s; (void)z; (void)y; PT_UNAVAILABLE(); }
#endif

/* PatchTop firmware library: int8 DEPTHWISE_CONV_2D (TFLite Micro's
 * DepthwiseConvPerChannel), any depth multiplier and dilation, over any
 * rectangle of the output; and the in-place form (output written over the
 * input, one channel at a time through a staging plane), as PatchTop's
 * runtime runs it (DepthwiseConv2D+InPlace.swift). */
#include <string.h>

#include "pt_fixedpoint.h"
#include "pt_runtime.h"

/* The accumulator (bias included) to the output byte. */
static inline int8_t pt_dw_requantize(const pt_depthwise_params *p, int32_t acc, int32_t o) {
    if (p->rq != NULL) {
        return (int8_t)pt_clamp(pt_requantize_fast(acc, p->rq[3 * o], p->rq[3 * o + 1], p->rq[3 * o + 2]), p->act_min, p->act_max);
    }
    acc = pt_wrap_add(pt_requantize(acc, p->mult[o], p->shift[o]), p->out_offset);
    return (int8_t)pt_clamp(acc, p->act_min, p->act_max);
}

static int8_t pt_dw_finish(const pt_depthwise_params *p, int32_t acc, int32_t o) {
    if (p->bias) acc = pt_wrap_add(acc, p->bias[o]);
    if (p->rq != NULL) return pt_dw_requantize(p, acc, o);
    acc = pt_requantize(acc, p->mult[o], p->shift[o]);
    acc = pt_wrap_add(acc, p->out_offset);
    return (int8_t)pt_clamp(acc, p->act_min, p->act_max);
}

/* One output pixel, the reference way (any window, any depth multiplier). */
static void pt_dw_pixel(const pt_depthwise_params *p, const int8_t *xb, const pt_operand *in_region, int8_t *y,
                        int32_t iy0, int32_t ix0, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1) {
    const int32_t ic = p->in_ch, dm = p->depth_mult, oc = ic * dm, kw = p->w.filter, dh = p->h.dilation, dw = p->w.dilation;
    int32_t c, m, fy, fx;
    for (c = 0; c < ic; c++) {
        for (m = 0; m < dm; m++) {
            const int32_t o = c * dm + m;
            int32_t acc = 0;
            for (fy = fy0; fy < fy1; fy++) {
                const int8_t *xrow = xb + pt_pixel(in_region, iy0 + dh * fy, ix0, ic) + c;
                const int8_t *frow = p->filter + fy * kw * oc + o;
                for (fx = fx0; fx < fx1; fx++) {
                    acc = pt_wrap_add(acc, pt_wrap_mul(frow[fx * oc], (int32_t)xrow[dw * fx * ic] + p->in_offset));
                }
            }
            y[o] = pt_dw_finish(p, acc, o);
        }
    }
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define PT_DSP 1
/* The loops whose inline assembly takes 13 or 14 registers need a frame
 * pointer-free function: GCC optimizing; other compilers and GCC -O0 take
 * the other paths. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#define PT_DW_ASM14 1
#endif
static inline int32_t pt_ror8(int32_t v) { return (int32_t)(((uint32_t)v >> 8) | ((uint32_t)v << 24)); }
#endif

/* One output pixel whose window lies inside the image, one input channel
 * per output channel: four channels at a time (NHWC keeps them side by
 * side in the input and in the filter), from full_bias = bias + off * sum(f). */
static void pt_dw_inside(const pt_depthwise_params *p, const int8_t *x, const pt_operand *in_region, int8_t *y) {
    const int32_t ch = p->in_ch, kh = p->h.filter, kw = p->w.filter;
    const int32_t row_step = p->h.dilation * in_region->w * ch, col_step = p->w.dilation * ch;
    int32_t c = 0, fy, fx;
    for (; c + 4 <= ch; c += 4) {
        int32_t a0 = p->full_bias[c], a1 = p->full_bias[c + 1], a2 = p->full_bias[c + 2], a3 = p->full_bias[c + 3];
        const int8_t *f = p->filter + c;
        for (fy = 0; fy < kh; fy++) {
            const int8_t *xr = x + fy * row_step + c;
            for (fx = 0; fx < kw; fx++, f += ch) {
                const int8_t *xt = xr + fx * col_step;
#if defined(PT_DSP)
                int32_t wx, wf, x02, x13, f02, f13;
                memcpy(&wx, xt, 4);
                memcpy(&wf, f, 4);
                x02 = __sxtb16(wx); x13 = __sxtb16(pt_ror8(wx));
                f02 = __sxtb16(wf); f13 = __sxtb16(pt_ror8(wf));
                a0 = __smlabb(x02, f02, a0);
                a2 = __smlatt(x02, f02, a2);
                a1 = __smlabb(x13, f13, a1);
                a3 = __smlatt(x13, f13, a3);
#else
                a0 = pt_wrap_add(a0, xt[0] * f[0]);
                a1 = pt_wrap_add(a1, xt[1] * f[1]);
                a2 = pt_wrap_add(a2, xt[2] * f[2]);
                a3 = pt_wrap_add(a3, xt[3] * f[3]);
#endif
            }
        }
        y[c] = pt_dw_requantize(p, a0, c);
        y[c + 1] = pt_dw_requantize(p, a1, c + 1);
        y[c + 2] = pt_dw_requantize(p, a2, c + 2);
        y[c + 3] = pt_dw_requantize(p, a3, c + 3);
    }
    for (; c < ch; c++) {
        int32_t acc = p->full_bias[c];
        for (fy = 0; fy < kh; fy++) {
            for (fx = 0; fx < kw; fx++) {
                acc = pt_wrap_add(acc, x[fy * row_step + fx * col_step + c] * p->filter[(fy * kw + fx) * ch + c]);
            }
        }
        y[c] = pt_dw_requantize(p, acc, c);
    }
}

static int32_t pt_dw_tile4_fits(const pt_depthwise_params *p, const pt_operand *in_region, int32_t row0, int32_t row1,
                                int32_t col0, int32_t col1, int32_t in_place);
static void pt_dw_tile4(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region, int8_t *out,
                        const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);

void pt_depthwise_s8(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region,
                     int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, dm = p->depth_mult, oc = ic * dm, kh = p->h.filter, kw = p->w.filter;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    int32_t b, oy, ox;
    if (p->batches == 1 && (out + out_batch <= in || in + in_batch <= out) &&
        pt_dw_tile4_fits(p, in_region, row0, row1, col0, col1, 0)) {
        /* Four channels at a time through a plane on the stack, chunk by
         * chunk of the output (the input is not written). */
        pt_dw_tile4(p, in, in_region, out, out_region, row0, row1, col0, col1);
        return;
    }
    for (b = 0; b < p->batches; b++) {
        const int8_t *xb = in + b * in_batch;
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            int32_t fy0 = 0, fy1 = kh;
            while (fy0 < kh && iy0 + dh * fy0 < 0) fy0++;
            while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
            for (ox = col0; ox < col1; ox++) {
                const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
                int32_t fx0 = 0, fx1 = kw;
                int8_t *y = out + b * out_batch + pt_pixel(out_region, oy, ox, oc);
                while (fx0 < kw && ix0 + dw * fx0 < 0) fx0++;
                while (fx1 > fx0 && ix0 + dw * (fx1 - 1) >= in_w) fx1--;
                if (dm == 1 && fy0 == 0 && fy1 == kh && fx0 == 0 && fx1 == kw) {
                    pt_dw_inside(p, xb + pt_pixel(in_region, iy0, ix0, ic), in_region, y);
                } else {
                    pt_dw_pixel(p, xb, in_region, y, iy0, ix0, fy0, fy1, fx0, fx1);
                }
            }
        }
    }
}

/* One channel's outputs from its staged plane, which holds input rows
 * plane_y.. and columns plane_x.. (plane_h x plane_w, one byte each). Taps
 * outside the image are skipped (or, in a padded plane, read the input zero
 * point, whose product vanishes). */
static void pt_dw_plane(const pt_depthwise_params *p, int32_t c, const int8_t *plane, int32_t plane_y, int32_t plane_x,
                        int32_t plane_w, int8_t *buffer, const pt_operand *out_region,
                        int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->in_ch, kh = p->h.filter, kw = p->w.filter, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t lo_y = plane_y > 0 ? plane_y : 0, lo_x = plane_x > 0 ? plane_x : 0;
    const int32_t hi_y = p->h.in_size, hi_x = p->w.in_size;
    const int32_t span_y = dh * (kh - 1), span_x = dw * (kw - 1), row_step = dh * plane_w;
    const int32_t start = p->full_bias[c];
    const int8_t *f = p->filter + c;
    const int32_t w0 = f[0], w1 = kh * kw > 1 ? f[ch] : 0, w2 = kh * kw > 2 ? f[2 * ch] : 0;
    const int32_t w3 = kh * kw > 3 ? f[3 * ch] : 0, w4 = kh * kw > 4 ? f[4 * ch] : 0, w5 = kh * kw > 5 ? f[5 * ch] : 0;
    const int32_t w6 = kh * kw > 6 ? f[6 * ch] : 0, w7 = kh * kw > 7 ? f[7 * ch] : 0, w8 = kh * kw > 8 ? f[8 * ch] : 0;
    int32_t oy, ox, fy, fx;
    for (oy = row0; oy < row1; oy++) {
        const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
        const int32_t inside_y = iy0 >= lo_y && iy0 + span_y < hi_y;
        for (ox = col0; ox < col1; ox++) {
            const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
            int32_t acc = 0;
            if (inside_y && ix0 >= lo_x && ix0 + span_x < hi_x) {
                /* The window inside the image: every tap read, the offsets
                 * in full_bias. */
                const int8_t *r0 = plane + (iy0 - plane_y) * plane_w + (ix0 - plane_x);
                acc = start;
                if (kh == 3 && kw == 3) {
                    const int8_t *r1 = r0 + row_step, *r2 = r1 + row_step;
                    int32_t sum = w0 * r0[0] + w1 * r0[dw] + w2 * r0[2 * dw];
                    sum += w3 * r1[0] + w4 * r1[dw] + w5 * r1[2 * dw];
                    sum += w6 * r2[0] + w7 * r2[dw] + w8 * r2[2 * dw];
                    acc = pt_wrap_add(acc, sum);
                } else {
                    for (fy = 0; fy < kh; fy++) {
                        for (fx = 0; fx < kw; fx++) acc = pt_wrap_add(acc, f[(fy * kw + fx) * ch] * r0[fy * row_step + fx * dw]);
                    }
                }
                buffer[pt_pixel(out_region, oy, ox, ch) + c] = pt_dw_requantize(p, acc, c);
                continue;
            }
            for (fy = 0; fy < kh; fy++) {
                const int32_t iy = iy0 + dh * fy;
                if (iy < lo_y || iy >= hi_y) continue;
                for (fx = 0; fx < kw; fx++) {
                    const int32_t ix = ix0 + dw * fx;
                    if (ix < lo_x || ix >= hi_x) continue;
                    acc = pt_wrap_add(acc, pt_wrap_mul(p->filter[(fy * kw + fx) * ch + c],
                                                       (int32_t)plane[(iy - plane_y) * plane_w + (ix - plane_x)] + p->in_offset));
                }
            }
            buffer[pt_pixel(out_region, oy, ox, ch) + c] = pt_dw_finish(p, acc, c);
        }
    }
}

/* The output byte through the exporter's fast requantization (rq = {m, base, e}). */
static inline int8_t pt_dw_out(int32_t acc, int32_t m, int32_t base, int32_t e, int32_t lo, int32_t hi) {
    const int32_t v = pt_requantize_fast(acc, m, base, e);
#if defined(PT_DSP)
    if (lo == -128 && hi == 127) return (int8_t)__ssat(v, 8);
#endif
    return (int8_t)pt_clamp(v, lo, hi);
}

#if defined(__GNUC__)
#define PT_DW_INLINE static inline __attribute__((always_inline))
#else
#define PT_DW_INLINE static inline
#endif

/* The assembly blocks' shared steps (4 channels a word, pt_dw_hwc_pixel,
 * pt_dw_hwc5_pixel and pt_dw_tile4's pixel): one tap's multiply-accumulate
 * of the word in t0 into a0..a3 with the next two words of k (doubled
 * sign-extended weights), and one accumulator A's requantization with k's
 * next {m, base, e}, saturated to int8. */
#define PT_DW4_MAC \
    "ldrd %[f0], %[f1], [%[k]], #8\n\t" \
    "sxtb16 %[t1], %[t0]\n\t" \
    "sxtb16 %[t0], %[t0], ror #8\n\t" \
    "smlabb %[a0], %[t1], %[f0], %[a0]\n\t" \
    "smlatt %[a2], %[t1], %[f0], %[a2]\n\t" \
    "smlabb %[a1], %[t0], %[f1], %[a1]\n\t" \
    "smlatt %[a3], %[t0], %[f1], %[a3]\n\t"
#define PT_DW4_RQ(A) \
    "ldrd %[f0], %[f1], [%[k]], #8\n\t" \
    "ldr %[t1], [%[k]], #4\n\t" \
    "add %[t0], %[f1], %[" A "], asr #31\n\t" \
    "smmlar %[" A "], %[" A "], %[f0], %[t0]\n\t" \
    "asr %[" A "], %[" A "], %[t1]\n\t" \
    "ssat %[" A "], #8, %[" A "]\n\t"

/* Rows of kw <= 8 taps (filter f, taps ch apart) as two words a group of
 * four: (w0, w2), (w1, w3), (w4, w6), (w5, w7), zero past the row; kw a
 * constant where inlined, so the loads and packs are straight-line. */
PT_DW_INLINE void pt_dw_pack_rows(int32_t *k, const int8_t *f, int32_t kh, int32_t kw, int32_t ch) {
    int32_t fy, i;
    for (fy = 0; fy < kh; fy++, k += 4, f += kw * ch) {
        int32_t w[8];
        for (i = 0; i < 8; i++) w[i] = i < kw ? f[i * ch] : 0;
        k[0] = (int32_t)((uint16_t)w[0] | ((uint32_t)w[2] << 16));
        k[1] = (int32_t)((uint16_t)w[1] | ((uint32_t)w[3] << 16));
        k[2] = (int32_t)((uint16_t)w[4] | ((uint32_t)w[6] << 16));
        k[3] = (int32_t)((uint16_t)w[5] | ((uint32_t)w[7] << 16));
    }
}

#if defined(PT_DW_ASM14)
/* One row of n outputs of a 3x3 stride-1 window from a plane's rows at x,
 * x + dh, x + 2 dh (k = {a0, b0, c0, a1, b1, c1, a2, b2, c2, start, m, base, e}:
 * per row of taps a = (w0, w2), b = (w1, 0), c = (0, w1)), saturating to
 * int8, outputs ch bytes apart from y. Two outputs per word (bytes x..x+3):
 * output x takes (x, x+2).a + (x+1, x+3).b, output x+1 (x+1, x+3).a +
 * (x, x+2).c. A last odd output is the second of the pair one byte to its
 * left (n >= 2, or x - 1 readable), so no word reaches past a window. */
PT_DW_INLINE void pt_dw3_row(const int8_t *x, int8_t *y, int32_t n, const int32_t *k, int32_t dh, int32_t ch) {
    int32_t pairs = n >> 1;
    const int32_t dh2 = 2 * dh;
    if (pairs > 0) {
        int32_t acc0, acc1, t0, t1, w0, w1;
        __asm__ volatile(
            "1:\n\t"
            "ldr %[a0], [%[k], #36]\n\t"
            "ldr %[t0], [%[x]]\n\t"
            "mov %[a1], %[a0]\n\t"
#define PT_DW3_PAIR_ROW(OA, OC) \
            "ldrd %[w0], %[w1], [%[k], #" #OA "]\n\t" \
            "sxtb16 %[t1], %[t0]\n\t" \
            "sxtb16 %[t0], %[t0], ror #8\n\t" \
            "smlad %[a0], %[t1], %[w0], %[a0]\n\t" \
            "smlad %[a1], %[t0], %[w0], %[a1]\n\t" \
            "ldr %[w0], [%[k], #" #OC "]\n\t" \
            "smlad %[a0], %[t0], %[w1], %[a0]\n\t" \
            "smlad %[a1], %[t1], %[w0], %[a1]\n\t"
            PT_DW3_PAIR_ROW(0, 8)
            "ldr %[t0], [%[x], %[dh]]\n\t"
            PT_DW3_PAIR_ROW(12, 20)
            "ldr %[t0], [%[x], %[dh2]]\n\t"
            PT_DW3_PAIR_ROW(24, 32)
#undef PT_DW3_PAIR_ROW
            "ldrd %[w0], %[w1], [%[k], #40]\n\t"
            "add %[t0], %[w1], %[a0], asr #31\n\t"
            "add %[t1], %[w1], %[a1], asr #31\n\t"
            "lsl %[a0], %[a0], #1\n\t"
            "lsl %[a1], %[a1], #1\n\t"
            "smmlar %[a0], %[a0], %[w0], %[t0]\n\t"
            "smmlar %[a1], %[a1], %[w0], %[t1]\n\t"
            "ldr %[w0], [%[k], #48]\n\t"
            "asr %[a0], %[a0], %[w0]\n\t"
            "asr %[a1], %[a1], %[w0]\n\t"
            "ssat %[a0], #8, %[a0]\n\t"
            "ssat %[a1], #8, %[a1]\n\t"
            "strb %[a1], [%[y], %[ch]]\n\t"
            "strb %[a0], [%[y]]\n\t"
            "add %[y], %[y], %[ch], lsl #1\n\t"
            "add %[x], %[x], #2\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [x] "+r"(x), [y] "+r"(y), [n] "+r"(pairs), [a0] "=&r"(acc0), [a1] "=&r"(acc1), [t0] "=&r"(t0),
              [t1] "=&r"(t1), [w0] "=&r"(w0), [w1] "=&r"(w1)
            : [k] "r"(k), [dh] "r"(dh), [dh2] "r"(dh2), [ch] "r"(ch)
            : "cc", "memory");
    }
    if (n & 1) {
        int32_t v0, v1, v2, acc = k[9];
        x--;
        memcpy(&v0, x, 4); memcpy(&v1, x + dh, 4); memcpy(&v2, x + dh2, 4);
        acc = __smlad(__sxtb16(pt_ror8(v0)), k[0], acc); acc = __smlad(__sxtb16(v0), k[2], acc);
        acc = __smlad(__sxtb16(pt_ror8(v1)), k[3], acc); acc = __smlad(__sxtb16(v1), k[5], acc);
        acc = __smlad(__sxtb16(pt_ror8(v2)), k[6], acc); acc = __smlad(__sxtb16(v2), k[8], acc);
        *y = (int8_t)__ssat(pt_requantize_fast(acc, k[10], k[11], k[12]), 8);
    }
}

/* The 3x3 stride-1 weights of channel c (taps ch apart from f) and its
 * constants as pt_dw3_row's k. */
PT_DW_INLINE void pt_dw3_pack(int32_t *k, const int8_t *f, int32_t ch, int32_t start, const int32_t *rq) {
    const int32_t w0 = f[0], w1 = f[ch], w2 = f[2 * ch], w3 = f[3 * ch], w4 = f[4 * ch];
    const int32_t w5 = f[5 * ch], w6 = f[6 * ch], w7 = f[7 * ch], w8 = f[8 * ch];
    k[0] = (int32_t)((uint16_t)w0 | ((uint32_t)w2 << 16)); k[1] = (uint16_t)w1; k[2] = (int32_t)((uint32_t)w1 << 16);
    k[3] = (int32_t)((uint16_t)w3 | ((uint32_t)w5 << 16)); k[4] = (uint16_t)w4; k[5] = (int32_t)((uint32_t)w4 << 16);
    k[6] = (int32_t)((uint16_t)w6 | ((uint32_t)w8 << 16)); k[7] = (uint16_t)w7; k[8] = (int32_t)((uint32_t)w7 << 16);
    k[9] = start; k[10] = rq[0]; k[11] = rq[1]; k[12] = rq[2];
}

/* A whole in-place 3x3 stride-1 depthwise (fast requantization, int8's
 * full range): per channel the inside of the padded plane (its border
 * already the padding) filled, the weights packed, then pt_dw3_row a row
 * of outputs; everything per op hoisted out of the channel loop. */
static void pt_dw_inplace_3x3s1(const pt_depthwise_params *p, int8_t *buffer, int8_t *staging, int32_t pw,
                                const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size, n = col1 - col0;
    const int32_t dh = p->h.dilation * pw, row_out = out_region->w * ch, skip = pw - in_w, rows = row1 - row0;
    int8_t *const inside = staging + p->h.pad_before * pw + p->w.pad_before;
    const int8_t *const x0 = staging + row0 * pw + col0;
    int8_t *const y0 = buffer + pt_pixel(out_region, row0, col0, ch);
    int32_t c, r, q, k[13];
    for (c = 0; c < ch; c++) {
        const int8_t *from = buffer + c, *x = x0;
        int8_t *to = inside, *y = y0 + c;
        for (r = in_h; r > 0; r--, to += skip) {
            for (q = in_w; q >= 4; q -= 4, to += 4, from += 4 * ch) {
                to[0] = from[0];
                to[1] = from[ch];
                to[2] = from[2 * ch];
                to[3] = from[3 * ch];
            }
            if (q >= 2) { to[0] = from[0]; to[1] = from[ch]; to += 2; from += 2 * ch; q -= 2; }
            if (q) { *to++ = *from; from += ch; }
        }
        pt_dw3_pack(k, p->filter + c, ch, p->full_bias[c], p->rq + 3 * c);
        for (r = rows; r > 0; r--, x += pw, y += row_out) pt_dw3_row(x, y, n, k, dh, ch);
    }
}
#endif

#if defined(PT_DW_ASM14)
/* Whether a whole in-place depthwise (undilated, its windows' rows and
 * columns starting at pad_before) may write each output straight over its
 * own input position in raster order: no output after (oy, ox) reads input
 * pixel oy * out_w + ox (a strided window whose padding before is at most
 * stride - 1 and whose output is the smaller map). */
static int32_t pt_dw_raster_safe(const pt_depthwise_params *p) {
    const int32_t out_h = p->h.out_size, out_w = p->w.out_size, in_w = p->w.in_size;
    const int32_t sh = p->h.stride, sw = p->w.stride, ph = p->h.pad_before, pw = p->w.pad_before;
    int32_t oy, ox;
    if (p->h.dilation != 1 || p->w.dilation != 1) return 0;
    for (oy = 0; oy < out_h; oy++) {
        const int32_t row = oy * sh - ph > 0 ? oy * sh - ph : 0;
        const int32_t next_row = (oy + 1) * sh - ph > 0 ? (oy + 1) * sh - ph : 0;
        for (ox = 0; ox < out_w; ox++) {
            const int32_t q = oy * out_w + ox;
            if (ox + 1 < out_w) {
                const int32_t col = (ox + 1) * sw - pw > 0 ? (ox + 1) * sw - pw : 0;
                if (row * in_w + col <= q) return 0;
            }
            if (oy + 1 < out_h && next_row * in_w <= q) return 0;
        }
    }
    return 1;
}

/* The table of channels c..c+3 the four-channel assembly reads (pt_dw_hwc_pixel,
 * pt_dw_hwc5_pixel, pt_dw_tile4_pixel): the biases doubled, each tap's weights
 * sign-extended and doubled (two words a tap; they stay within a half, -254..254),
 * so the accumulators come out 2x as SMMLAR takes them, then the 4 channels'
 * {m, base, e}. */
PT_DW_INLINE void pt_dw4_table(const pt_depthwise_params *p, int32_t c, int32_t taps, int32_t *k) {
    const int32_t ch = p->in_ch;
    int32_t j, t;
    for (j = 0; j < 4; j++) k[j] = (int32_t)((uint32_t)p->full_bias[c + j] * 2u);
    for (t = 0; t < taps; t++) {
        int32_t wf;
        memcpy(&wf, p->filter + t * ch + c, 4);
        k[4 + 2 * t] = __sadd16(__sxtb16(wf), __sxtb16(wf));
        k[4 + 2 * t + 1] = __sadd16(__sxtb16(pt_ror8(wf)), __sxtb16(pt_ror8(wf)));
    }
    memcpy(k + 4 + 2 * taps, p->rq + 3 * c, 12 * sizeof(int32_t));
}

/* One pixel of pt_dw_inplace_hwc: the 3x3 window's words of 4 channels at
 * x, x + ch, x + 2 ch, one row to the next `row` bytes on; k = the group's
 * table; the 4 outputs to y. */
PT_DW_INLINE void pt_dw_hwc_pixel(const int8_t *x, const int32_t *k, int32_t ch, int32_t row, int8_t *y) {
    const int32_t ch2 = 2 * ch;
    int32_t a0, a1, a2, a3, t0, t1, f0, f1;
#define PT_DW_HWC_TAP(OFF) \
    "ldr %[t0], [%[x]" OFF "]\n\t" \
    PT_DW4_MAC
    __asm__ volatile(
        "ldrd %[a0], %[a1], [%[k]], #8\n\t"
        "ldrd %[a2], %[a3], [%[k]], #8\n\t"
        PT_DW_HWC_TAP("") PT_DW_HWC_TAP(", %[ch]") PT_DW_HWC_TAP(", %[ch2]")
        "add %[x], %[x], %[row]\n\t"
        PT_DW_HWC_TAP("") PT_DW_HWC_TAP(", %[ch]") PT_DW_HWC_TAP(", %[ch2]")
        "add %[x], %[x], %[row]\n\t"
        PT_DW_HWC_TAP("") PT_DW_HWC_TAP(", %[ch]") PT_DW_HWC_TAP(", %[ch2]")
        PT_DW4_RQ("a0") PT_DW4_RQ("a1") PT_DW4_RQ("a2") PT_DW4_RQ("a3")
        "strb %[a0], [%[y]]\n\t"
        "strb %[a1], [%[y], #1]\n\t"
        "strb %[a2], [%[y], #2]\n\t"
        "strb %[a3], [%[y], #3]\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+r"(x), [k] "+r"(k),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [f0] "=&r"(f0), [f1] "=&r"(f1)
        : [ch] "r"(ch), [ch2] "r"(ch2), [row] "r"(row), [y] "r"(y)
        : "cc", "memory");
#undef PT_DW_HWC_TAP
}

/* One output pixel of pt_dw_inplace_hwc whose window crosses the image's
 * edge: its 3x3 words of 4 channels copied into a window of its own, taps
 * outside the image holding -in_offset (their products with the full
 * bias's offset term vanish, as in a padded plane), then pt_dw_hwc_pixel. */
static void pt_dw_hwc_edge(const pt_depthwise_params *p, const int8_t *buffer, const int32_t *k, int32_t c, int32_t iy0,
                           int32_t ix0, int8_t *y) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size;
    const uint32_t pad = 0x01010101u * (uint8_t)(int8_t)(-p->in_offset);
    const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = in_h - iy0 < 3 ? in_h - iy0 : 3;
    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = in_w - ix0 < 3 ? in_w - ix0 : 3;
    int32_t win[9], fy, fx;
    win[0] = win[1] = win[2] = win[3] = win[4] = win[5] = win[6] = win[7] = win[8] = (int32_t)pad;
    for (fy = fy0; fy < fy1; fy++) {
        const int8_t *src = buffer + ((iy0 + fy) * in_w + ix0 + fx0) * ch + c;
        for (fx = fx0; fx < fx1; fx++, src += ch) memcpy(&win[fy * 3 + fx], src, 4);
    }
    pt_dw_hwc_pixel((const int8_t *)win, k, 4, 12, y);
}

/* Output pixels up to which a whole in-place 5x5 depthwise computes each
 * group of 4 channels into a buffer on the stack first (4 bytes a pixel). */
#define PT_DW_HWC_BUFFERED_MAX 16

/* One pixel's 4 channels of a 5x5 window: rows of 5 words of 4 channels,
 * ch bytes apart, `skip` bytes from a row's end to the next; k as in
 * pt_dw_inplace_hwc (biases and weights doubled); the 4 outputs to y. */
PT_DW_INLINE void pt_dw_hwc5_pixel(const int8_t *x, const int32_t *k, int32_t ch, int32_t skip, int8_t *y) {
    int32_t a0, a1, a2, a3, t0, t1, f0, f1, n;
#define PT_DW_HWC_TAPW \
    "ldr %[t0], [%[x]]\n\t" \
    "add %[x], %[x], %[ch]\n\t" \
    PT_DW4_MAC
    __asm__ volatile(
        "ldrd %[a0], %[a1], [%[k]], #8\n\t"
        "ldrd %[a2], %[a3], [%[k]], #8\n\t"
        "mov %[n], #5\n\t"
        "1:\n\t"
        PT_DW_HWC_TAPW PT_DW_HWC_TAPW PT_DW_HWC_TAPW PT_DW_HWC_TAPW PT_DW_HWC_TAPW
        "add %[x], %[x], %[skip]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        PT_DW4_RQ("a0") PT_DW4_RQ("a1") PT_DW4_RQ("a2") PT_DW4_RQ("a3")
        "strb %[a0], [%[y]]\n\t"
        "strb %[a1], [%[y], #1]\n\t"
        "strb %[a2], [%[y], #2]\n\t"
        "strb %[a3], [%[y], #3]\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+r"(x), [k] "+r"(k),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [f0] "=&r"(f0), [f1] "=&r"(f1), [n] "=&r"(n)
        : [ch] "r"(ch), [skip] "r"(skip), [y] "r"(y)
        : "cc", "memory");
#undef PT_DW_HWC_TAPW
}

/* A whole in-place 5x5 depthwise on a small output (at most
 * PT_DW_HWC_BUFFERED_MAX pixels), four channels at a time, nothing staged:
 * the group's outputs computed into a buffer on the stack (its inputs
 * untouched meanwhile, so any stride and padding is safe), then written
 * over the group's bytes. Per pixel one assembly block (pt_dw_hwc5_pixel);
 * a window crossing the image's edge first copied with the padding
 * (-in_offset, as in a padded plane) into a window of its own. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void pt_dw_inplace_hwc5(const pt_depthwise_params *p, int8_t *buffer) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size, out_h = p->h.out_size, out_w = p->w.out_size;
    const int32_t sh = p->h.stride, sw = p->w.stride, ph = p->h.pad_before, pw = p->w.pad_before, row_step = in_w * ch;
    const uint32_t pad = 0x01010101u * (uint8_t)(int8_t)(-p->in_offset);
    int32_t k[4 + 50 + 12], out[PT_DW_HWC_BUFFERED_MAX], win[25];
    int32_t c, t, oy, ox, q;
    for (c = 0; c + 4 <= ch; c += 4) {
        int32_t *o = out;
        pt_dw4_table(p, c, 25, k);
        for (oy = 0; oy < out_h; oy++) {
            const int32_t iy0 = oy * sh - ph;
            for (ox = 0; ox < out_w; ox++, o++) {
                const int32_t ix0 = ox * sw - pw;
                if (iy0 >= 0 && iy0 + 5 <= in_h && ix0 >= 0 && ix0 + 5 <= in_w) {
                    pt_dw_hwc5_pixel(buffer + iy0 * row_step + ix0 * ch + c, k, ch, row_step - 5 * ch, (int8_t *)o);
                } else {
                    const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = in_h - iy0 < 5 ? in_h - iy0 : 5;
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = in_w - ix0 < 5 ? in_w - ix0 : 5;
                    int32_t fy, fx;
                    for (t = 0; t < 25; t++) win[t] = (int32_t)pad;
                    for (fy = fy0; fy < fy1; fy++) {
                        const int8_t *src = buffer + ((iy0 + fy) * in_w + ix0 + fx0) * ch + c;
                        for (fx = fx0; fx < fx1; fx++, src += ch) memcpy(&win[fy * 5 + fx], src, 4);
                    }
                    pt_dw_hwc5_pixel((const int8_t *)win, k, 4, 0, (int8_t *)o);
                }
            }
        }
        for (q = 0; q < out_h * out_w; q++) memcpy(buffer + q * ch + c, &out[q], 4);
    }
}

/* A whole in-place 3x3 depthwise whose outputs may go straight over their
 * own input positions in raster order (pt_dw_raster_safe), four channels at a
 * time (NHWC keeps them side by side in the input, the filter and the
 * output), nothing staged. Per group a table k: the 4 full biases, per tap
 * the 4 weights sign-extended (2 words), both doubled, the 4 channels'
 * {m, base, e};
 * each pixel is then one assembly block (pt_dw_hwc_pixel): per tap a word
 * of the 4 channels, 2 SXTB16, LDRD, 4 multiply-adds; the requantization
 * and stores. Windows crossing the image's edge: pt_dw_hwc_edge. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void pt_dw_inplace_hwc(const pt_depthwise_params *p, int8_t *buffer) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size, out_h = p->h.out_size, out_w = p->w.out_size;
    const int32_t sh = p->h.stride, sw = p->w.stride, ph = p->h.pad_before, pw = p->w.pad_before, row_step = in_w * ch;
    const int32_t x_step = sw * ch;
    int32_t k[4 + 18 + 12];
    int32_t c, oy, ox;
    for (c = 0; c + 4 <= ch; c += 4) {
        int8_t *y = buffer + c;
        pt_dw4_table(p, c, 9, k);
        for (oy = 0; oy < out_h; oy++) {
            const int32_t iy0 = oy * sh - ph;
            /* Columns whose windows lie inside: lo <= ox < hi. */
            int32_t lo = 0, hi = out_w;
            const int8_t *xrow = buffer + iy0 * row_step + c;
            if (iy0 < 0 || iy0 + 3 > in_h) lo = hi = out_w;
            while (lo < hi && lo * sw - pw < 0) lo++;
            while (hi > lo && (hi - 1) * sw - pw + 3 > in_w) hi--;
            for (ox = 0; ox < lo; ox++, y += ch) pt_dw_hwc_edge(p, buffer, k, c, iy0, ox * sw - pw, y);
            if (ox < hi) {
                const int8_t *x = xrow + (ox * sw - pw) * ch;
                int8_t *const end = y + (hi - ox) * ch;
                for (; y != end; y += ch, x += x_step) pt_dw_hwc_pixel(x, k, ch, row_step, y);
                ox = hi;
            }
            for (; ox < out_w; ox++, y += ch) pt_dw_hwc_edge(p, buffer, k, c, iy0, ox * sw - pw, y);
        }
    }
}
#endif

/* Words (4 channels each) of the padded window extent up to which an
 * in-place depthwise runs four channels at a time through a plane on the
 * stack (pt_dw_tile4), and the output pixels up to which a whole
 * tensor does (a tile always does when its extent fits). */
#define PT_DW_TILE_WORDS 256
#define PT_DW_TILE_WHOLE_MAX 25

/* Whether pt_dw_tile4 takes outputs rows row0..row1 x col0..col1:
 * fast requantization, one output channel per input channel in groups of
 * four, undilated windows of at most 8 x 8, padding representable (-in_offset
 * an int8), the window extent on the stack, and every input pixel of it
 * inside the image also inside the stored region. */
static int32_t pt_dw_tile4_fits(const pt_depthwise_params *p, const pt_operand *in_region, int32_t row0, int32_t row1,
                                int32_t col0, int32_t col1, int32_t in_place) {
    const int32_t eh = (row1 - 1 - row0) * p->h.stride + p->h.filter, ew = (col1 - 1 - col0) * p->w.stride + p->w.filter;
    const int32_t y0 = row0 * p->h.stride - p->h.pad_before, x0 = col0 * p->w.stride - p->w.pad_before;
    const int32_t iy0 = y0 > 0 ? y0 : 0, ix0 = x0 > 0 ? x0 : 0;
    const int32_t iy1 = y0 + eh < p->h.in_size ? y0 + eh : p->h.in_size, ix1 = x0 + ew < p->w.in_size ? x0 + ew : p->w.in_size;
    if (p->rq == NULL || p->depth_mult != 1 || (p->in_ch & 3) != 0 || p->h.dilation != 1 || p->w.dilation != 1) return 0;
    if (p->h.filter > 8 || p->w.filter > 8 || p->in_offset < -127 || p->in_offset > 128) return 0;
    if (row1 <= row0 || col1 <= col0 || (in_place && eh * ew > PT_DW_TILE_WORDS)) return 0;
    return iy0 >= in_region->y && iy1 <= in_region->y + in_region->h && ix0 >= in_region->x &&
           ix1 <= in_region->x + in_region->w;
}

/* Four channels' multiply-accumulates of one pixel: kh rows of kw taps, a
 * word of 4 channels a tap (plane rows ew words apart), the group's
 * sign-extended weights 2 words a tap in k. */
PT_DW_INLINE void pt_dw_tile4_pixel(const int32_t *x, const int32_t *k, int32_t kh, int32_t kw, int32_t ew, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], fy, fx;
    for (fy = 0; fy < kh; fy++, x += ew) {
        for (fx = 0; fx < kw; fx++, k += 2) {
            const int32_t v = x[fx];
#if defined(PT_DSP)
            const int32_t v02 = __sxtb16(v), v13 = __sxtb16(pt_ror8(v));
            a0 = __smlabb(v02, k[0], a0);
            a2 = __smlatt(v02, k[0], a2);
            a1 = __smlabb(v13, k[1], a1);
            a3 = __smlatt(v13, k[1], a3);
#else
            a0 = pt_wrap_add(a0, (int32_t)(int8_t)(v & 0xff) * (int32_t)(int16_t)(k[0] & 0xffff));
            a2 = pt_wrap_add(a2, (int32_t)(int8_t)((v >> 16) & 0xff) * (int32_t)(int16_t)((uint32_t)k[0] >> 16));
            a1 = pt_wrap_add(a1, (int32_t)(int8_t)((v >> 8) & 0xff) * (int32_t)(int16_t)(k[1] & 0xffff));
            a3 = pt_wrap_add(a3, (int32_t)(int8_t)((uint32_t)v >> 24) * (int32_t)(int16_t)((uint32_t)k[1] >> 16));
#endif
        }
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

#if defined(PT_DW_ASM14)
/* One pixel of pt_dw_tile4 in assembly (int8's full output range):
 * kh rows of KW taps (a word of the group's 4 channels each, plane rows
 * `skip` bytes apart past the row's taps), k = the group's doubled biases,
 * doubled sign-extended weights (2 words a tap) and 4 x {m, base, e}; the 4
 * outputs to y. */
#define PT_DW_T4_TAP \
    "ldr %[t0], [%[x]], #4\n\t" \
    PT_DW4_MAC
#define PT_DW_T4_PIXEL(TAPS) \
    int32_t a0, a1, a2, a3, t0, t1, f0, f1; \
    __asm__ volatile( \
        "ldrd %[a0], %[a1], [%[k]], #8\n\t" \
        "ldrd %[a2], %[a3], [%[k]], #8\n\t" \
        "1:\n\t" \
        TAPS \
        "add %[x], %[x], %[skip]\n\t" \
        "subs %[n], %[n], #1\n\t" \
        "bne 1b\n\t" \
        PT_DW4_RQ("a0") PT_DW4_RQ("a1") PT_DW4_RQ("a2") PT_DW4_RQ("a3") \
        "strb %[a0], [%[y]]\n\t" \
        "strb %[a1], [%[y], #1]\n\t" \
        "strb %[a2], [%[y], #2]\n\t" \
        "strb %[a3], [%[y], #3]\n\t" \
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+r"(x), [k] "+r"(k), \
          [t0] "=&r"(t0), [t1] "=&r"(t1), [f0] "=&r"(f0), [f1] "=&r"(f1), [n] "+r"(kh) \
        : [skip] "r"(skip), [y] "r"(y) \
        : "cc", "memory")
PT_DW_INLINE void pt_dw_t4_pixel3(const int32_t *x, const int32_t *k, int32_t kh, int32_t skip, int8_t *y) {
    PT_DW_T4_PIXEL(PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP);
}
/* A row of n outputs of a 3x3 window in one assembly loop, its rows
 * straight-line: k = the group's table (pt_dw_tile4) followed by {skip,
 * back, ch}: bytes from a row's third tap to the next row, from a pixel's
 * last tap back to the next pixel's first, between output pixels. */
PT_DW_INLINE void pt_dw_t4_row33(const int32_t *x, const int32_t *k, int32_t n, int8_t *y) {
    int32_t a0, a1, a2, a3, t0, t1, f0, f1;
    __asm__ volatile(
        "1:\n\t"
        "ldrd %[a0], %[a1], [%[k]], #8\n\t"
        "ldrd %[a2], %[a3], [%[k]], #8\n\t"
        PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP
        "ldr %[t0], [%[k], #96]\n\t"
        "add %[x], %[x], %[t0]\n\t"
        PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP
        "ldr %[t0], [%[k], #72]\n\t"
        "add %[x], %[x], %[t0]\n\t"
        PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP
        PT_DW4_RQ("a0") PT_DW4_RQ("a1") PT_DW4_RQ("a2") PT_DW4_RQ("a3")
        "strb %[a0], [%[y]]\n\t"
        "strb %[a1], [%[y], #1]\n\t"
        "strb %[a2], [%[y], #2]\n\t"
        "strb %[a3], [%[y], #3]\n\t"
        "ldrd %[t0], %[t1], [%[k], #4]\n\t"
        "sub %[x], %[x], %[t0]\n\t"
        "add %[y], %[y], %[t1]\n\t"
        "sub %[k], %[k], #136\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+r"(x), [k] "+r"(k),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [f0] "=&r"(f0), [f1] "=&r"(f1), [n] "+r"(n), [y] "+r"(y)
        :
        : "cc", "memory");
}
PT_DW_INLINE void pt_dw_t4_pixel5(const int32_t *x, const int32_t *k, int32_t kh, int32_t skip, int8_t *y) {
    PT_DW_T4_PIXEL(PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP);
}
PT_DW_INLINE void pt_dw_t4_pixel7(const int32_t *x, const int32_t *k, int32_t kh, int32_t skip, int8_t *y) {
    PT_DW_T4_PIXEL(PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP PT_DW_T4_TAP);
}
#undef PT_DW_T4_PIXEL
#undef PT_DW_T4_TAP
#endif

/* Plane rows r0..r1 of a pt_dw_tile4 plane (ew words a row, image row y0 +
 * r, columns x0..): channels c..c+3 of each pixel inside the image from the
 * input region, the padding word elsewhere. */
static void pt_dw_tile4_stage(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region, int32_t c,
                              int32_t *to, int32_t eh, int32_t ew, int32_t y0, int32_t x0, uint32_t pad, int32_t pads) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size;
    /* The extent's columns inside the image: xa..xb of the plane. */
    const int32_t xa = x0 < 0 ? (-x0 < ew ? -x0 : ew) : 0, xb = in_w - x0 < ew ? (in_w - x0 > xa ? in_w - x0 : xa) : ew;
    int32_t r, q;
    for (r = 0; r < eh; r++) {
        const int32_t iy = y0 + r;
        if (iy < 0 || iy >= in_h) {
            if (pads) for (q = 0; q < ew; q++) to[q] = (int32_t)pad;
            to += ew;
            continue;
        }
        if (pads) {
            for (q = 0; q < xa; q++) to[q] = (int32_t)pad;
            for (q = xb; q < ew; q++) to[q] = (int32_t)pad;
        }
        if (xa < xb) {
            const int8_t *from = in + pt_pixel(in_region, iy, x0 + xa, ch) + c;
            int32_t *w = to + xa;
            for (q = xb - xa; q > 0; q--, from += ch) memcpy(w++, from, 4);
        }
        to += ew;
    }
}

/* A depthwise over output rows row0..row1 x col0..col1 (in place: a patch's
 * tile, a fused stage's, or a whole small tensor; or from a separate input),
 * four channels at a time, nothing staged in the arena: per group the
 * weights sign-extended once, then per chunk of outputs (the whole
 * rectangle in place: pt_dw_tile4_fits) the chunk's window extent copied
 * into a plane on the stack (a word of the 4 channels a pixel, -in_offset
 * where it lies outside the image, as in a padded plane) and every output
 * pixel's taps read from it, its 4 bytes written to the output (in place,
 * over the group's bytes: the group's inputs are all on the stack by then,
 * so any stride, padding and region layout is safe). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void pt_dw_tile4(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region, int8_t *out,
                        const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->in_ch, kh = p->h.filter, kw = p->w.filter, sh = p->h.stride, sw = p->w.stride;
    const int32_t taps = kh * kw, lo = p->act_min, hi = p->act_max, row_out = out_region->w * ch;
    const uint32_t pad = 0x01010101u * (uint8_t)(int8_t)(-p->in_offset);
    /* Chunks: cc columns (the extent's rows at most PT_DW_TILE_WORDS / kh
     * words), then cr rows. */
    const int32_t most_cols = (PT_DW_TILE_WORDS / kh - kw) / sw + 1;
    const int32_t cc = col1 - col0 < most_cols ? col1 - col0 : most_cols;
    const int32_t ew = (cc - 1) * sw + kw, most_rows = (PT_DW_TILE_WORDS / ew - kh) / sh + 1;
    const int32_t cr = row1 - row0 < most_rows ? row1 - row0 : most_rows;
    int32_t plane[PT_DW_TILE_WORDS], k[4 + 2 * 64 + 12];
    int32_t c, t, oy, ox, r0, q0;
    for (c = 0; c < ch; c += 4) {
#if defined(PT_DW_ASM14)
        const int32_t fast = lo == -128 && hi == 127 && (kw == 3 || kw == 5 || kw == 7);
        if (fast) {
            /* The assembly pixels: biases and weights doubled (SMMLAR takes 2x). */
            pt_dw4_table(p, c, taps, k);
        } else
#endif
        for (t = 0; t < taps; t++) {
            const int8_t *f = p->filter + t * ch + c;
#if defined(PT_DSP)
            int32_t wf;
            memcpy(&wf, f, 4);
            k[2 * t] = __sxtb16(wf);
            k[2 * t + 1] = __sxtb16(pt_ror8(wf));
#else
            k[2 * t] = (int32_t)((uint16_t)(int16_t)f[0] | ((uint32_t)(uint16_t)(int16_t)f[2] << 16));
            k[2 * t + 1] = (int32_t)((uint16_t)(int16_t)f[1] | ((uint32_t)(uint16_t)(int16_t)f[3] << 16));
#endif
        }
        for (r0 = row0; r0 < row1; r0 += cr) {
            const int32_t r1 = r0 + cr < row1 ? r0 + cr : row1;
            for (q0 = col0; q0 < col1; q0 += cc) {
                const int32_t q1 = q0 + cc < col1 ? q0 + cc : col1;
                const int32_t eh_c = (r1 - 1 - r0) * sh + kh, ew_c = (q1 - 1 - q0) * sw + kw;
                int8_t *yrow = out + pt_pixel(out_region, r0, q0, ch) + c;
                /* One chunk (always so in place): the padding outside the
                 * image is the same for every group, written for the first. */
                pt_dw_tile4_stage(p, in, in_region, c, plane, eh_c, ew_c, r0 * sh - p->h.pad_before,
                                  q0 * sw - p->w.pad_before, pad, c == 0 || cr < row1 - row0 || cc < col1 - col0);
#if defined(PT_DW_ASM14)
                if (fast && kh == 3 && kw == 3) {
                    /* After the table (34 words): skip, back, ch. */
                    k[34] = 4 * (ew_c - 3);
                    k[35] = 8 * ew_c + 12 - 4 * sw;
                    k[36] = ch;
                    for (oy = 0; oy < r1 - r0; oy++, yrow += row_out) pt_dw_t4_row33(plane + oy * sh * ew_c, k, q1 - q0, yrow);
                    continue;
                }
                if (fast) {
                    const int32_t skip = 4 * (ew_c - kw);
                    for (oy = 0; oy < r1 - r0; oy++, yrow += row_out) {
                        const int32_t *x = plane + oy * sh * ew_c;
                        int8_t *y = yrow;
                        for (ox = q0; ox < q1; ox++, x += sw, y += ch) {
                            if (kw == 3) pt_dw_t4_pixel3(x, k, kh, skip, y);
                            else if (kw == 5) pt_dw_t4_pixel5(x, k, kh, skip, y);
                            else pt_dw_t4_pixel7(x, k, kh, skip, y);
                        }
                    }
                    continue;
                }
#endif
                {
                    const int32_t *rq = p->rq + 3 * c;
                    for (oy = 0; oy < r1 - r0; oy++, yrow += row_out) {
                        const int32_t *x = plane + oy * sh * ew_c;
                        int8_t *y = yrow;
                        for (ox = q0; ox < q1; ox++, x += sw, y += ch) {
                            int32_t acc[4];
                            acc[0] = p->full_bias[c]; acc[1] = p->full_bias[c + 1];
                            acc[2] = p->full_bias[c + 2]; acc[3] = p->full_bias[c + 3];
                            if (kh == 3 && kw == 3) pt_dw_tile4_pixel(x, k, 3, 3, ew_c, acc);
                            else if (kh == 5 && kw == 5) pt_dw_tile4_pixel(x, k, 5, 5, ew_c, acc);
                            else if (kh == 7 && kw == 7) pt_dw_tile4_pixel(x, k, 7, 7, ew_c, acc);
                            else pt_dw_tile4_pixel(x, k, kh, kw, ew_c, acc);
                            y[0] = pt_dw_out(acc[0], rq[0], rq[1], rq[2], lo, hi);
                            y[1] = pt_dw_out(acc[1], rq[3], rq[4], rq[5], lo, hi);
                            y[2] = pt_dw_out(acc[2], rq[6], rq[7], rq[8], lo, hi);
                            y[3] = pt_dw_out(acc[3], rq[9], rq[10], rq[11], lo, hi);
                        }
                    }
                }
            }
        }
    }
}

/* pt_dw_padded_plane with the exporter's fast requantization. */
static void pt_dw_padded_plane_fast(const pt_depthwise_params *p, int32_t c, const int8_t *plane, int32_t pw,
                                    const int8_t *begin, const int8_t *end, int8_t *buffer, const pt_operand *out_region,
                                    int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->in_ch, kh = p->h.filter, kw = p->w.filter, sh = p->h.stride, sw = p->w.stride;
    const int32_t dh = p->h.dilation * pw, dw = p->w.dilation;
    const int32_t start = p->full_bias[c], m = p->rq[3 * c], base = p->rq[3 * c + 1], e = p->rq[3 * c + 2];
    const int32_t lo = p->act_min, hi = p->act_max;
    const int8_t *f = p->filter + c;
    int32_t oy, ox, fy, fx;
    (void)begin;
#if defined(PT_DSP)
    if (kh == 3 && kw == 3 && dw == 1) {
        const int32_t a0 = (int32_t)((uint16_t)f[0] | ((uint32_t)(uint16_t)f[2 * ch] << 16)), b0 = (uint16_t)f[ch];
        const int32_t a1 = (int32_t)((uint16_t)f[3 * ch] | ((uint32_t)(uint16_t)f[5 * ch] << 16)), b1 = (uint16_t)f[4 * ch];
        const int32_t a2 = (int32_t)((uint16_t)f[6 * ch] | ((uint32_t)(uint16_t)f[8 * ch] << 16)), b2 = (uint16_t)f[7 * ch];
        /* {a0, b0, a1, b1, a2, b2, start, m, base, e} for the assembly row loop. */
        const int32_t k[10] = { a0, b0, a1, b1, a2, b2, start, m, base, e };
        const int32_t full = lo == -128 && hi == 127;
#if defined(PT_DW_ASM14)
        if (full && sw == 1) {
            /* Stride 1 across: two outputs a word (pt_dw3_row). */
            int32_t kk[13];
            const int32_t n = col1 - col0, row_in = sh * pw, row_out = out_region->w * ch;
            const int8_t *r0 = plane + row0 * row_in + col0;
            int8_t *y = buffer + pt_pixel(out_region, row0, col0, ch) + c;
            pt_dw3_pack(kk, f, ch, start, p->rq + 3 * c);
            for (oy = row0; oy < row1; oy++, r0 += row_in, y += row_out) {
                if (n >= 2 || r0 > begin) pt_dw3_row(r0, y, n, kk, dh, ch);
                else {
                    int32_t acc = start;
                    for (fx = 0; fx < 3; fx++) {
                        acc = pt_wrap_add(acc, f[fx * ch] * r0[fx] + f[(3 + fx) * ch] * r0[dh + fx] + f[(6 + fx) * ch] * r0[2 * dh + fx]);
                    }
                    *y = (int8_t)__ssat(pt_requantize_fast(acc, m, base, e), 8);
                }
            }
            return;
        }
#endif
        for (oy = row0; oy < row1; oy++) {
            const int8_t *r0 = plane + oy * sh * pw + col0 * sw, *r1 = r0 + dh, *r2 = r1 + dh;
            int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
            int32_t n = col1 - col0;
            /* Columns whose last word stays inside the plane. */
            const ptrdiff_t room = end - 4 - r2;
            int32_t safe = room < 0 ? 0 : (int32_t)(room / sw) + 1;
            if (safe > n) safe = n;
            ox = 0;
#if defined(__GNUC__)
            if (full && safe > 0) {
                /* Per output: 3 word loads, 6 SXTB16, 6 SMLAD, the 4-instruction
                 * requantization, SSAT, the store; weights and constants
                 * reloaded from k (LDRD) rather than spilled. */
                const int8_t *x = r0;
                int8_t *yo = y;
                int32_t count = safe, acc, t0, t1, w0, w1;
                const int32_t dh2 = 2 * dh;
                __asm__ volatile(
                    "1:\n\t"
                    "ldr %[t0], [%[x]]\n\t"
                    "ldrd %[w0], %[w1], [%[k]]\n\t"
                    "ldr %[acc], [%[k], #24]\n\t"
                    "sxtb16 %[t1], %[t0]\n\t"
                    "smlad %[acc], %[t1], %[w0], %[acc]\n\t"
                    "sxtb16 %[t1], %[t0], ror #8\n\t"
                    "smlad %[acc], %[t1], %[w1], %[acc]\n\t"
                    "ldr %[t0], [%[x], %[dh]]\n\t"
                    "ldrd %[w0], %[w1], [%[k], #8]\n\t"
                    "sxtb16 %[t1], %[t0]\n\t"
                    "smlad %[acc], %[t1], %[w0], %[acc]\n\t"
                    "sxtb16 %[t1], %[t0], ror #8\n\t"
                    "smlad %[acc], %[t1], %[w1], %[acc]\n\t"
                    "ldr %[t0], [%[x], %[dh2]]\n\t"
                    "ldrd %[w0], %[w1], [%[k], #16]\n\t"
                    "sxtb16 %[t1], %[t0]\n\t"
                    "smlad %[acc], %[t1], %[w0], %[acc]\n\t"
                    "sxtb16 %[t1], %[t0], ror #8\n\t"
                    "smlad %[acc], %[t1], %[w1], %[acc]\n\t"
                    "ldrd %[w0], %[w1], [%[k], #28]\n\t"
                    "add %[w1], %[w1], %[acc], asr #31\n\t"
                    "lsl %[acc], %[acc], #1\n\t"
                    "smmlar %[acc], %[acc], %[w0], %[w1]\n\t"
                    "ldr %[w0], [%[k], #36]\n\t"
                    "asr %[acc], %[acc], %[w0]\n\t"
                    "ssat %[acc], #8, %[acc]\n\t"
                    "strb %[acc], [%[y]]\n\t"
                    "add %[y], %[y], %[ch]\n\t"
                    "add %[x], %[x], %[sw]\n\t"
                    "subs %[n], %[n], #1\n\t"
                    "bne 1b\n\t"
                    : [x] "+r"(x), [y] "+r"(yo), [n] "+r"(count), [acc] "=&r"(acc), [t0] "=&r"(t0), [t1] "=&r"(t1),
                      [w0] "=&r"(w0), [w1] "=&r"(w1)
                    : [k] "r"(k), [dh] "r"(dh), [dh2] "r"(dh2), [ch] "r"(ch), [sw] "r"(sw)
                    : "cc", "memory");
                ox = safe;
                y += safe * ch; r0 += safe * sw; r1 += safe * sw; r2 += safe * sw;
            }
#endif
            for (; ox < safe; ox++, y += ch, r0 += sw, r1 += sw, r2 += sw) {
                int32_t v0, v1, v2, acc = start;
                memcpy(&v0, r0, 4); memcpy(&v1, r1, 4); memcpy(&v2, r2, 4);
                acc = __smlad(__sxtb16(v0), a0, acc); acc = __smlad(__sxtb16(pt_ror8(v0)), b0, acc);
                acc = __smlad(__sxtb16(v1), a1, acc); acc = __smlad(__sxtb16(pt_ror8(v1)), b1, acc);
                acc = __smlad(__sxtb16(v2), a2, acc); acc = __smlad(__sxtb16(pt_ror8(v2)), b2, acc);
                *y = pt_dw_out(acc, m, base, e, lo, hi);
            }
            for (; ox < n; ox++, y += ch, r0 += sw, r1 += sw, r2 += sw) {
                int32_t acc = start;
                for (fx = 0; fx < 3; fx++) {
                    acc = pt_wrap_add(acc, f[fx * ch] * r0[fx] + f[(3 + fx) * ch] * r1[fx] + f[(6 + fx) * ch] * r2[fx]);
                }
                *y = pt_dw_out(acc, m, base, e, lo, hi);
            }
        }
        return;
    }
#if defined(__GNUC__)
    if (dw == 1 && (kh == 5 || kh == 7) && kw >= 5 && kw <= 8 && lo == -128 && hi == 127) {
        /* 5 or 7 rows of 5..8 taps: each row two words (the bytes past kw
         * times zero weights), its weights packed (w0,w2),(w1,w3),(w4,w6),
         * (w5,w7) after {start, m, base, e} in k; one assembly loop a row of
         * outputs, the rows unrolled. */
        int32_t k[4 + 7 * 4];
        const int32_t n = col1 - col0, row_in = sh * pw, row_out = out_region->w * ch;
        const int8_t *window = plane + row0 * row_in + col0 * sw;
        int8_t *y = buffer + pt_pixel(out_region, row0, col0, ch) + c;
        k[0] = start; k[1] = m; k[2] = base; k[3] = e;
        if (kw == 7) pt_dw_pack_rows(k + 4, f, kh, 7, ch);
        else if (kw == 5) pt_dw_pack_rows(k + 4, f, kh, 5, ch);
        else pt_dw_pack_rows(k + 4, f, kh, kw, ch);
        for (oy = row0; oy < row1; oy++, window += row_in, y += row_out) {
            const ptrdiff_t room = end - 8 - (window + (kh - 1) * dh);
            int32_t safe = room >= (ptrdiff_t)(n - 1) * sw ? n : (room < 0 ? 0 : (int32_t)(room / sw) + 1);
            if (safe > 0) {
                const int8_t *x = window;
                int8_t *yo = y;
                int32_t count = safe, acc, t0, t1, w0, w1;
                const int8_t *r;
#define PT_DW_ROW(o0, o1) \
    "ldr %[t0], [%[r]]\n\t" \
    "ldrd %[w0], %[w1], [%[k], #" #o0 "]\n\t" \
    "sxtb16 %[t1], %[t0]\n\t" \
    "smlad %[acc], %[t1], %[w0], %[acc]\n\t" \
    "sxtb16 %[t1], %[t0], ror #8\n\t" \
    "smlad %[acc], %[t1], %[w1], %[acc]\n\t" \
    "ldr %[t0], [%[r], #4]\n\t" \
    "ldrd %[w0], %[w1], [%[k], #" #o1 "]\n\t" \
    "sxtb16 %[t1], %[t0]\n\t" \
    "smlad %[acc], %[t1], %[w0], %[acc]\n\t" \
    "sxtb16 %[t1], %[t0], ror #8\n\t" \
    "smlad %[acc], %[t1], %[w1], %[acc]\n\t" \
    "add %[r], %[r], %[dh]\n\t"
#define PT_DW_TAIL \
    "ldrd %[w0], %[w1], [%[k], #4]\n\t" \
    "add %[w1], %[w1], %[acc], asr #31\n\t" \
    "lsl %[acc], %[acc], #1\n\t" \
    "smmlar %[acc], %[acc], %[w0], %[w1]\n\t" \
    "ldr %[w0], [%[k], #12]\n\t" \
    "asr %[acc], %[acc], %[w0]\n\t" \
    "ssat %[acc], #8, %[acc]\n\t" \
    "strb %[acc], [%[y]]\n\t" \
    "add %[y], %[y], %[ch]\n\t" \
    "add %[x], %[x], %[sw]\n\t" \
    "subs %[n], %[n], #1\n\t" \
    "bne 1b\n\t"
                if (kh == 7) {
                    __asm__ volatile("1:\n\t"
                                     "mov %[r], %[x]\n\t"
                                     "ldr %[acc], [%[k]]\n\t"
                                     PT_DW_ROW(16, 24) PT_DW_ROW(32, 40) PT_DW_ROW(48, 56) PT_DW_ROW(64, 72)
                                     PT_DW_ROW(80, 88) PT_DW_ROW(96, 104) PT_DW_ROW(112, 120) PT_DW_TAIL
                                     : [x] "+r"(x), [y] "+r"(yo), [n] "+r"(count), [acc] "=&r"(acc), [t0] "=&r"(t0),
                                       [t1] "=&r"(t1), [w0] "=&r"(w0), [w1] "=&r"(w1), [r] "=&r"(r)
                                     : [k] "r"(k), [dh] "r"(dh), [ch] "r"(ch), [sw] "r"(sw)
                                     : "cc", "memory");
                } else {
                    __asm__ volatile("1:\n\t"
                                     "mov %[r], %[x]\n\t"
                                     "ldr %[acc], [%[k]]\n\t"
                                     PT_DW_ROW(16, 24) PT_DW_ROW(32, 40) PT_DW_ROW(48, 56) PT_DW_ROW(64, 72)
                                     PT_DW_ROW(80, 88) PT_DW_TAIL
                                     : [x] "+r"(x), [y] "+r"(yo), [n] "+r"(count), [acc] "=&r"(acc), [t0] "=&r"(t0),
                                       [t1] "=&r"(t1), [w0] "=&r"(w0), [w1] "=&r"(w1), [r] "=&r"(r)
                                     : [k] "r"(k), [dh] "r"(dh), [ch] "r"(ch), [sw] "r"(sw)
                                     : "cc", "memory");
                }
#undef PT_DW_ROW
#undef PT_DW_TAIL
            }
            for (ox = safe; ox < n; ox++) {
                /* The window's last row of taps would read its second word
                 * past the plane: the rows above in words (they stay inside
                 * it), that row from a copy padded to 8 bytes. */
                const int8_t *wx = window + ox * sw;
                const int32_t *kr = k + 4;
                int32_t acc = start, v0, v1, last[2] = { 0, 0 };
                for (fy = 0; fy < kh - 1; fy++, wx += dh, kr += 4) {
                    memcpy(&v0, wx, 4); memcpy(&v1, wx + 4, 4);
                    acc = __smlad(__sxtb16(v0), kr[0], acc); acc = __smlad(__sxtb16(pt_ror8(v0)), kr[1], acc);
                    acc = __smlad(__sxtb16(v1), kr[2], acc); acc = __smlad(__sxtb16(pt_ror8(v1)), kr[3], acc);
                }
                memcpy(last, wx, (size_t)kw);
                acc = __smlad(__sxtb16(last[0]), kr[0], acc); acc = __smlad(__sxtb16(pt_ror8(last[0])), kr[1], acc);
                acc = __smlad(__sxtb16(last[1]), kr[2], acc); acc = __smlad(__sxtb16(pt_ror8(last[1])), kr[3], acc);
                y[ox * ch] = pt_dw_out(acc, m, base, e, lo, hi);
            }
        }
        return;
    }
#endif
    if (dw == 1 && kh <= 8 && kw <= 8) {
        const int32_t groups = (kw + 3) / 4;
        int32_t packed[8][2][2], g;
        for (fy = 0; fy < kh; fy++) {
            for (g = 0; g < groups; g++) {
                int32_t w[4], i;
                for (i = 0; i < 4; i++) w[i] = 4 * g + i < kw ? f[(fy * kw + 4 * g + i) * ch] : 0;
                packed[fy][g][0] = (int32_t)((uint16_t)w[0] | ((uint32_t)(uint16_t)w[2] << 16));
                packed[fy][g][1] = (int32_t)((uint16_t)w[1] | ((uint32_t)(uint16_t)w[3] << 16));
            }
        }
        for (oy = row0; oy < row1; oy++) {
            const int8_t *window = plane + oy * sh * pw + col0 * sw;
            int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
            for (ox = col0; ox < col1; ox++, y += ch, window += sw) {
                int32_t acc = start;
                if (window + (kh - 1) * dh + 4 * groups <= end) {
                    const int8_t *r = window;
                    for (fy = 0; fy < kh; fy++, r += dh) {
                        for (g = 0; g < groups; g++) {
                            int32_t v;
                            memcpy(&v, r + 4 * g, 4);
                            acc = __smlad(__sxtb16(v), packed[fy][g][0], acc);
                            acc = __smlad(__sxtb16(pt_ror8(v)), packed[fy][g][1], acc);
                        }
                    }
                } else {
                    for (fy = 0; fy < kh; fy++) {
                        for (fx = 0; fx < kw; fx++) acc = pt_wrap_add(acc, f[(fy * kw + fx) * ch] * window[fy * dh + fx]);
                    }
                }
                *y = pt_dw_out(acc, m, base, e, lo, hi);
            }
        }
        return;
    }
#endif
    (void)end;
    for (oy = row0; oy < row1; oy++) {
        int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
        for (ox = col0; ox < col1; ox++, y += ch) {
            const int8_t *window = plane + oy * sh * pw + ox * sw;
            int32_t acc = start;
            for (fy = 0; fy < kh; fy++) {
                for (fx = 0; fx < kw; fx++) acc = pt_wrap_add(acc, f[(fy * kw + fx) * ch] * window[fy * dh + fx * dw]);
            }
            *y = pt_dw_out(acc, m, base, e, lo, hi);
        }
    }
}

/* Channel c of the whole tensor from its padded plane (padding bytes hold
 * -in_offset, so every tap may be read: a padding tap adds f * (x + off) = 0
 * and full_bias = bias + off * sum(f) covers the offsets of all taps). The
 * channel's requantization constants are fixed for the plane. */
static void pt_dw_padded_plane(const pt_depthwise_params *p, int32_t c, const int8_t *plane, int32_t pw,
                               int8_t *buffer, const pt_operand *out_region,
                               int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->in_ch, kh = p->h.filter, kw = p->w.filter, sh = p->h.stride, sw = p->w.stride;
    const int32_t dh = p->h.dilation * pw, dw = p->w.dilation;
    const int32_t start = p->full_bias[c], out_offset = p->out_offset, lo = p->act_min, hi = p->act_max;
    const int8_t *f = p->filter + c;
    int32_t oy, ox, fy, fx, mult, shift;
    if (p->rq != NULL) {
        pt_dw_padded_plane_fast(p, c, plane, pw, plane, plane + (p->h.in_size + p->h.pad_before + p->h.pad_after) * pw,
                                buffer, out_region, row0, row1, col0, col1);
        return;
    }
    mult = p->mult[c];
    shift = p->shift[c];
#if defined(PT_DSP)
    if (kh == 3 && kw == 3 && dw == 1) {
        /* A row of three taps from one word: SXTB16 splits bytes (0,2) and
         * (1,3); weights packed as (w0,w2) and (w1,0); two SMLADs a row. */
        const int8_t *end = plane + (p->h.in_size + p->h.pad_before + p->h.pad_after) * pw;
        const int32_t a0 = (int32_t)((uint16_t)f[0] | ((uint32_t)(uint16_t)f[2 * ch] << 16)), b0 = (uint16_t)f[ch];
        const int32_t a1 = (int32_t)((uint16_t)f[3 * ch] | ((uint32_t)(uint16_t)f[5 * ch] << 16)), b1 = (uint16_t)f[4 * ch];
        const int32_t a2 = (int32_t)((uint16_t)f[6 * ch] | ((uint32_t)(uint16_t)f[8 * ch] << 16)), b2 = (uint16_t)f[7 * ch];
        for (oy = row0; oy < row1; oy++) {
            const int8_t *r0 = plane + oy * sh * pw + col0 * sw, *r1 = r0 + dh, *r2 = r1 + dh;
            int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
            for (ox = col0; ox < col1; ox++, y += ch, r0 += sw, r1 += sw, r2 += sw) {
                int32_t acc = start;
                if (r2 + 4 <= end) {
                    int32_t v0, v1, v2;
                    memcpy(&v0, r0, 4); memcpy(&v1, r1, 4); memcpy(&v2, r2, 4);
                    acc = __smlad(__sxtb16(v0), a0, acc); acc = __smlad(__sxtb16(pt_ror8(v0)), b0, acc);
                    acc = __smlad(__sxtb16(v1), a1, acc); acc = __smlad(__sxtb16(pt_ror8(v1)), b1, acc);
                    acc = __smlad(__sxtb16(v2), a2, acc); acc = __smlad(__sxtb16(pt_ror8(v2)), b2, acc);
                } else {
                    for (fy = 0; fy < 3; fy++) {
                        const int8_t *r = fy == 0 ? r0 : (fy == 1 ? r1 : r2);
                        for (fx = 0; fx < 3; fx++) acc = pt_wrap_add(acc, f[(fy * 3 + fx) * ch] * r[fx]);
                    }
                }
                *y = (int8_t)pt_clamp(pt_wrap_add(pt_requantize(acc, mult, shift), out_offset), lo, hi);
            }
        }
        return;
    }
    if (dw == 1 && kh <= 8 && kw <= 8) {
        /* Any other undilated window: each row of taps in groups of four,
         * one word each (weights packed (w0,w2), (w1,w3), zero past the row). */
        const int8_t *end = plane + (p->h.in_size + p->h.pad_before + p->h.pad_after) * pw;
        const int32_t groups = (kw + 3) / 4;
        int32_t packed[8][2][2], g;
        for (fy = 0; fy < kh; fy++) {
            for (g = 0; g < groups; g++) {
                int32_t w[4], i;
                for (i = 0; i < 4; i++) w[i] = 4 * g + i < kw ? f[(fy * kw + 4 * g + i) * ch] : 0;
                packed[fy][g][0] = (int32_t)((uint16_t)w[0] | ((uint32_t)(uint16_t)w[2] << 16));
                packed[fy][g][1] = (int32_t)((uint16_t)w[1] | ((uint32_t)(uint16_t)w[3] << 16));
            }
        }
        for (oy = row0; oy < row1; oy++) {
            const int8_t *window = plane + oy * sh * pw + col0 * sw;
            int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
            for (ox = col0; ox < col1; ox++, y += ch, window += sw) {
                int32_t acc = start;
                if (window + (kh - 1) * dh + 4 * groups <= end) {
                    for (fy = 0; fy < kh; fy++) {
                        const int8_t *r = window + fy * dh;
                        for (g = 0; g < groups; g++) {
                            int32_t v;
                            memcpy(&v, r + 4 * g, 4);
                            acc = __smlad(__sxtb16(v), packed[fy][g][0], acc);
                            acc = __smlad(__sxtb16(pt_ror8(v)), packed[fy][g][1], acc);
                        }
                    }
                } else {
                    for (fy = 0; fy < kh; fy++) {
                        for (fx = 0; fx < kw; fx++) acc = pt_wrap_add(acc, f[(fy * kw + fx) * ch] * window[fy * dh + fx]);
                    }
                }
                *y = (int8_t)pt_clamp(pt_wrap_add(pt_requantize(acc, mult, shift), out_offset), lo, hi);
            }
        }
        return;
    }
#endif
    if (kh == 3 && kw == 3) {
        const int32_t w0 = f[0], w1 = f[ch], w2 = f[2 * ch], w3 = f[3 * ch], w4 = f[4 * ch];
        const int32_t w5 = f[5 * ch], w6 = f[6 * ch], w7 = f[7 * ch], w8 = f[8 * ch];
        for (oy = row0; oy < row1; oy++) {
            const int8_t *r0 = plane + oy * sh * pw, *r1 = r0 + dh, *r2 = r1 + dh;
            int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
            for (ox = col0; ox < col1; ox++, y += ch) {
                const int32_t x = ox * sw;
                int32_t sum = w0 * r0[x] + w1 * r0[x + dw] + w2 * r0[x + 2 * dw];
                int32_t acc;
                sum += w3 * r1[x] + w4 * r1[x + dw] + w5 * r1[x + 2 * dw];
                sum += w6 * r2[x] + w7 * r2[x + dw] + w8 * r2[x + 2 * dw];
                acc = pt_wrap_add(start, sum);
                *y = (int8_t)pt_clamp(pt_wrap_add(pt_requantize(acc, mult, shift), out_offset), lo, hi);
            }
        }
        return;
    }
    for (oy = row0; oy < row1; oy++) {
        int8_t *y = buffer + pt_pixel(out_region, oy, col0, ch) + c;
        for (ox = col0; ox < col1; ox++, y += ch) {
            const int8_t *window = plane + oy * sh * pw + ox * sw;
            int32_t acc = start;
            for (fy = 0; fy < kh; fy++) {
                for (fx = 0; fx < kw; fx++) acc = pt_wrap_add(acc, f[(fy * kw + fx) * ch] * window[fy * dh + fx * dw]);
            }
            *y = (int8_t)pt_clamp(pt_wrap_add(pt_requantize(acc, mult, shift), out_offset), lo, hi);
        }
    }
}

/* Bytes of the stack buffer through which pt_dw_rim pads the windows of a
 * tile's outputs at the image's edge. */
#define PT_DW_RIM_BYTES 512

/* Channel c's outputs r0..r1 x q0..q1 of a tile from its staged region
 * plane (rows ry.., columns rx.., rw bytes a row) whose windows may cross
 * the image's edge: chunk by chunk, the chunk's window extent copied from
 * the plane into a buffer on the stack with the padding (-in_offset)
 * outside the image, then the padded-plane kernels (fast requantization,
 * in_offset within int8's range). */
static void pt_dw_rim(const pt_depthwise_params *p, int32_t c, const int8_t *plane, int32_t ry, int32_t rx, int32_t rh,
                      int32_t rw, int8_t *buffer, const pt_operand *out_region, int32_t r0, int32_t r1, int32_t q0,
                      int32_t q1) {
    const int32_t sh = p->h.stride, sw = p->w.stride, top = p->h.pad_before, left = p->w.pad_before;
    const int32_t span_y = p->h.dilation * (p->h.filter - 1), span_x = p->w.dilation * (p->w.filter - 1);
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size;
    const int8_t pad = (int8_t)(-p->in_offset);
    const int32_t most_ew = PT_DW_RIM_BYTES / (span_y + 1);
    int8_t mini[PT_DW_RIM_BYTES];
    int32_t cc, cr, ew, a, b, l, r, y, x;
    if (most_ew < span_x + 1) {
        pt_dw_plane(p, c, plane, ry, rx, rw, buffer, out_region, r0, r1, q0, q1);
        return;
    }
    cc = (most_ew - span_x - 1) / sw + 1;
    if (cc > q1 - q0) cc = q1 - q0;
    ew = (cc - 1) * sw + span_x + 1;
    cr = (PT_DW_RIM_BYTES / ew - span_y - 1) / sh + 1;
    for (a = r0; a < r1; a += cr) {
        const int32_t a1 = a + cr < r1 ? a + cr : r1, eh = (a1 - 1 - a) * sh + span_y + 1, y0 = a * sh - top;
        for (l = q0; l < q1; l += cc) {
            const int32_t l1 = l + cc < q1 ? l + cc : q1, ew_c = (l1 - 1 - l) * sw + span_x + 1, x0 = l * sw - left;
            int8_t *to = mini;
            int32_t ok = 1;
            for (y = y0; y < y0 + eh; y++) {
                if (y < 0 || y >= in_h) {
                    memset(to, pad, (size_t)ew_c);
                    to += ew_c;
                    continue;
                }
                if (y < ry || y >= ry + rh) { ok = 0; break; }
                for (x = x0; x < x0 + ew_c; x++) {
                    if (x < 0 || x >= in_w) *to++ = pad;
                    else if (x < rx || x >= rx + rw) { ok = 0; break; }
                    else *to++ = plane[(y - ry) * rw + (x - rx)];
                }
                if (!ok) break;
            }
            if (!ok) {
                pt_dw_plane(p, c, plane, ry, rx, rw, buffer, out_region, a, a1, l, l1);
                continue;
            }
            b = a * sh * ew_c + l * sw;
            r = eh * ew_c;
            pt_dw_padded_plane_fast(p, c, (const int8_t *)((uintptr_t)mini - (uintptr_t)b), ew_c, mini, mini + r, buffer,
                                    out_region, a, a1, l, l1);
        }
    }
}

/* An in-place depthwise over a region of the tensor (a tile) whose window
 * extent is too large for pt_dw_tile4 (fast requantization only): per
 * channel the region's plane staged as it is stored (rh x rw bytes, within
 * the plan's staging buffer); the outputs whose windows lie inside the image
 * (and so inside the region) through the padded-plane kernels, addressed
 * from the plane's origin in padded coordinates; the others (windows
 * crossing the image's edge: a band of rows above and below, a strip of
 * columns left and right) through pt_dw_rim (tap by tap with bounds checks,
 * pt_dw_plane, when -in_offset is not an int8). */
static void pt_dw_inplace_region(const pt_depthwise_params *p, int8_t *buffer, const pt_operand *in_region,
                                 const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                                 int8_t *staging) {
    const int32_t ch = p->in_ch, ry = in_region->y, rx = in_region->x, rh = in_region->h, rw = in_region->w;
    const int32_t sh = p->h.stride, sw = p->w.stride, top = p->h.pad_before, left = p->w.pad_before;
    const int32_t span_y = p->h.dilation * (p->h.filter - 1), span_x = p->w.dilation * (p->w.filter - 1);
    const int32_t lo_y = ry > 0 ? ry : 0, lo_x = rx > 0 ? rx : 0;
    const int32_t hi_y = ry + rh < p->h.in_size ? ry + rh : p->h.in_size, hi_x = rx + rw < p->w.in_size ? rx + rw : p->w.in_size;
    /* The plane's origin in padded coordinates (output oy, ox reads from
     * origin + oy sh rw + ox sw), as an address computed without forming an
     * out-of-bounds pointer in C. */
    const int8_t *const origin = (const int8_t *)((uintptr_t)staging - (uintptr_t)((ry + top) * rw + rx + left));
    const int32_t padding_ok = p->in_offset >= -127 && p->in_offset <= 128;
    int32_t a = row0, b, l = col0, r, c, x;
    while (a < row1 && a * sh - top < lo_y) a++;
    for (b = a; b < row1 && b * sh - top + span_y < hi_y; b++) {}
    while (l < col1 && l * sw - left < lo_x) l++;
    for (r = l; r < col1 && r * sw - left + span_x < hi_x; r++) {}
    if (a >= b || l >= r) { a = b = row0; l = r = col0; }
    for (c = 0; c < ch; c++) {
        const int8_t *from = buffer + c;
        int8_t *to = staging;
        for (x = rh * rw; x >= 4; x -= 4, to += 4, from += 4 * ch) {
            to[0] = from[0];
            to[1] = from[ch];
            to[2] = from[2 * ch];
            to[3] = from[3 * ch];
        }
        for (; x > 0; x--, from += ch) *to++ = *from;
        if (a < b) pt_dw_padded_plane_fast(p, c, origin, rw, staging, staging + rh * rw, buffer, out_region, a, b, l, r);
        if (!padding_ok) {
            if (row0 < a) pt_dw_plane(p, c, staging, ry, rx, rw, buffer, out_region, row0, a, col0, col1);
            if (b < row1) pt_dw_plane(p, c, staging, ry, rx, rw, buffer, out_region, a < b ? b : row0, row1, col0, col1);
            if (a < b && col0 < l) pt_dw_plane(p, c, staging, ry, rx, rw, buffer, out_region, a, b, col0, l);
            if (a < b && r < col1) pt_dw_plane(p, c, staging, ry, rx, rw, buffer, out_region, a, b, r, col1);
            continue;
        }
        if (row0 < a) pt_dw_rim(p, c, staging, ry, rx, rh, rw, buffer, out_region, row0, a, col0, col1);
        if (b < row1) pt_dw_rim(p, c, staging, ry, rx, rh, rw, buffer, out_region, a < b ? b : row0, row1, col0, col1);
        if (a < b && col0 < l) pt_dw_rim(p, c, staging, ry, rx, rh, rw, buffer, out_region, a, b, col0, l);
        if (a < b && r < col1) pt_dw_rim(p, c, staging, ry, rx, rh, rw, buffer, out_region, a, b, r, col1);
    }
}

void pt_depthwise_inplace_s8(const pt_depthwise_params *p, int8_t *buffer, const pt_operand *in_region,
                             const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                             int8_t *staging, int32_t staging_bytes) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size;
    const int32_t plane = in_region->h * in_region->w;
    const int8_t padding = (int8_t)pt_clamp(-p->in_offset, -128, 127);
    const int32_t whole = in_region->y == 0 && in_region->x == 0 && in_region->h == in_h && in_region->w == in_w;
    int32_t c, k, y, x;
    if (pt_dw_tile4_fits(p, in_region, row0, row1, col0, col1, 1) &&
        (!whole || (row1 - row0) * (col1 - col0) <= PT_DW_TILE_WHOLE_MAX)
#if defined(PT_DW_ASM14)
        && !(whole && p->h.filter == 3 && p->w.filter == 3 && (p->h.stride > 1 || p->w.stride > 1) && row0 == 0 &&
             col0 == 0 && row1 == p->h.out_size && col1 == p->w.out_size && out_region->y == 0 && out_region->x == 0 &&
             out_region->w == p->w.out_size && pt_dw_raster_safe(p))
#endif
    ) {
        pt_dw_tile4(p, buffer, in_region, buffer, out_region, row0, row1, col0, col1);
        return;
    }
    if (!whole && p->rq != NULL && plane <= staging_bytes && row0 < row1 && col0 < col1) {
        pt_dw_inplace_region(p, buffer, in_region, out_region, row0, row1, col0, col1, staging);
        return;
    }
    if (whole && p->in_offset >= -127 && p->in_offset <= 128) {
        /* The whole tensor: each channel staged as its padded plane (as the
         * runtime does, so the same staging bytes are used). */
        const int32_t top = p->h.pad_before, left = p->w.pad_before;
        const int32_t ph = in_h + p->h.pad_before + p->h.pad_after, pw = in_w + p->w.pad_before + p->w.pad_after;
#if defined(PT_DW_ASM14)
        if (p->rq != NULL && p->act_min == -128 && p->act_max == 127 && (ch & 3) == 0 && p->depth_mult == 1 &&
            p->h.filter == 3 && p->w.filter == 3 && (p->h.stride > 1 || p->w.stride > 1) && row0 == 0 && col0 == 0 &&
            row1 == p->h.out_size && col1 == p->w.out_size && out_region->y == 0 && out_region->x == 0 &&
            out_region->w == p->w.out_size && pt_dw_raster_safe(p)) {
            pt_dw_inplace_hwc(p, buffer);
            return;
        }
        if (p->rq != NULL && p->act_min == -128 && p->act_max == 127 && (ch & 3) == 0 && p->depth_mult == 1 &&
            p->h.filter == 5 && p->w.filter == 5 && p->h.dilation == 1 && p->w.dilation == 1 &&
            p->h.out_size * p->w.out_size <= PT_DW_HWC_BUFFERED_MAX && row0 == 0 && col0 == 0 &&
            row1 == p->h.out_size && col1 == p->w.out_size && out_region->y == 0 && out_region->x == 0 &&
            out_region->w == p->w.out_size) {
            pt_dw_inplace_hwc5(p, buffer);
            return;
        }
#endif
        if (ph * pw <= staging_bytes) {
            /* The padding around the plane is the same for every channel:
             * written once, each channel then fills the inside. */
            memset(staging, padding, (size_t)(ph * pw));
#if defined(PT_DW_ASM14)
            if (p->rq != NULL && p->act_min == -128 && p->act_max == 127 && p->h.filter == 3 && p->w.filter == 3 &&
                p->h.stride == 1 && p->w.stride == 1 && p->w.dilation == 1 && (col1 - col0 >= 2 || col0 > 0)) {
                pt_dw_inplace_3x3s1(p, buffer, staging, pw, out_region, row0, row1, col0, col1);
                return;
            }
#endif
            for (c = 0; c < ch; c++) {
                int8_t *row = staging + top * pw + left;
                const int8_t *from = buffer + c;
                for (y = 0; y < in_h; y++, row += pw) {
                    int8_t *to = row;
                    for (x = in_w; x >= 4; x -= 4, to += 4, from += 4 * ch) {
                        to[0] = from[0];
                        to[1] = from[ch];
                        to[2] = from[2 * ch];
                        to[3] = from[3 * ch];
                    }
                    for (; x > 0; x--, from += ch) *to++ = *from;
                }
                pt_dw_padded_plane(p, c, staging, pw, buffer, out_region, row0, row1, col0, col1);
            }
            return;
        }
    }
    for (c = 0; c < ch; c++) {
        memset(staging, padding, (size_t)staging_bytes);
        for (k = 0; k < plane; k++) staging[k] = buffer[k * ch + c];
        pt_dw_plane(p, c, staging, in_region->y, in_region->x, in_region->w, buffer, out_region, row0, row1, col0, col1);
    }
}

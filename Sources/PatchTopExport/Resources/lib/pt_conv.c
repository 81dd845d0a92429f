/* PatchTop firmware library: int8 CONV_2D (TFLite Micro's ConvPerChannel),
 * over any rectangle of the output, the input and output each held as a
 * region of their tensor. Exact: int32 accumulation (wrapping, as the
 * reference does on every real machine), bias, MultiplyByQuantizedMultiplier,
 * output offset, clamp.
 *
 * sum((x + off) * f) = sum(x * f) + off * sum(f) in wrapping int32
 * arithmetic, so the inner loops multiply raw bytes and the offset term is
 * added once per output (over the taps inside the image). */
#include "pt_fixedpoint.h"
#include "pt_runtime.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#include <string.h>
/* Two int8 pairs at once: SXTB16 widens bytes 0,2 and (after ROR 8) 1,3. */
static inline int32_t pt_dot4(const int8_t *a, const int8_t *b, int32_t acc) {
    int32_t wa, wb;
    memcpy(&wa, a, 4);
    memcpy(&wb, b, 4);
    {
        int16x2_t a02 = __sxtb16(wa), a13 = __sxtb16((int32_t)(((uint32_t)wa >> 8) | ((uint32_t)wa << 24)));
        int16x2_t b02 = __sxtb16(wb), b13 = __sxtb16((int32_t)(((uint32_t)wb >> 8) | ((uint32_t)wb << 24)));
        acc = __smlad(a02, b02, acc);
        return __smlad(a13, b13, acc);
    }
}
#define PT_HAVE_DOT4 1
#endif

static int32_t pt_dot(const int8_t *x, const int8_t *f, int32_t n) {
    int32_t acc = 0, c = 0;
#if defined(PT_HAVE_DOT4)
    for (; c + 4 <= n; c += 4) acc = pt_dot4(x + c, f + c, acc);
#else
    for (; c + 4 <= n; c += 4) {
        acc = pt_wrap_add(acc, x[c] * f[c] + x[c + 1] * f[c + 1] + x[c + 2] * f[c + 2] + x[c + 3] * f[c + 3]);
    }
#endif
    for (; c < n; c++) acc = pt_wrap_add(acc, x[c] * f[c]);
    return acc;
}

void pt_conv_s8(const pt_conv_params *p, const int8_t *in, const pt_operand *in_region,
                int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, oc = p->out_ch, kh = p->h.filter, kw = p->w.filter;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    int32_t b, oy, ox, o, fy, fx;
    for (b = 0; b < p->batches; b++) {
        const int8_t *xb = in + b * in_batch;
        int8_t *yb = out + b * out_batch;
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            int32_t fy0 = 0, fy1 = kh;
            while (fy0 < kh && iy0 + dh * fy0 < 0) fy0++;
            while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
            for (ox = col0; ox < col1; ox++) {
                const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
                int32_t fx0 = 0, fx1 = kw;
                int8_t *y = yb + pt_pixel(out_region, oy, ox, oc);
                while (fx0 < kw && ix0 + dw * fx0 < 0) fx0++;
                while (fx1 > fx0 && ix0 + dw * (fx1 - 1) >= in_w) fx1--;
                for (o = 0; o < oc; o++) {
                    int32_t acc = 0, fsum = 0;
                    for (fy = fy0; fy < fy1; fy++) {
                        const int8_t *xrow = xb + pt_pixel(in_region, iy0 + dh * fy, ix0, ic);
                        const int8_t *frow = p->filter + ((o * kh + fy) * kw) * ic;
                        if (dw == 1) {
                            /* The taps of one filter row are contiguous on both sides. */
                            int32_t n = (fx1 - fx0) * ic, c;
                            acc = pt_wrap_add(acc, pt_dot(xrow + fx0 * ic, frow + fx0 * ic, n));
                            for (c = 0; c < n; c++) fsum += frow[fx0 * ic + c];
                        } else {
                            for (fx = fx0; fx < fx1; fx++) {
                                int32_t c;
                                acc = pt_wrap_add(acc, pt_dot(xrow + dw * fx * ic, frow + fx * ic, ic));
                                for (c = 0; c < ic; c++) fsum += frow[fx * ic + c];
                            }
                        }
                    }
                    acc = pt_wrap_add(acc, pt_wrap_mul(fsum, p->in_offset));
                    if (p->bias) acc = pt_wrap_add(acc, p->bias[o]);
                    acc = pt_requantize(acc, p->mult[o], p->shift[o]);
                    acc = pt_wrap_add(acc, p->out_offset);
                    y[o] = (int8_t)pt_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

/* PatchTop firmware library: int8 DEPTHWISE_CONV_2D (TFLite Micro's
 * DepthwiseConvPerChannel), any depth multiplier and dilation, over any
 * rectangle of the output; and the in-place form (output written over the
 * input, one channel at a time through a staging plane), as PatchTop's
 * runtime runs it (DepthwiseConv2D+InPlace.swift). */
#include <string.h>

#include "pt_fixedpoint.h"
#include "pt_runtime.h"

static int8_t pt_dw_finish(const pt_depthwise_params *p, int32_t acc, int32_t o) {
    if (p->bias) acc = pt_wrap_add(acc, p->bias[o]);
    acc = pt_requantize(acc, p->mult[o], p->shift[o]);
    acc = pt_wrap_add(acc, p->out_offset);
    return (int8_t)pt_clamp(acc, p->act_min, p->act_max);
}

void pt_depthwise_s8(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region,
                     int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, dm = p->depth_mult, oc = ic * dm, kh = p->h.filter, kw = p->w.filter;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    int32_t b, oy, ox, c, m, fy, fx;
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
    int32_t oy, ox, fy, fx;
    for (oy = row0; oy < row1; oy++) {
        const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
        for (ox = col0; ox < col1; ox++) {
            const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
            int32_t acc = 0;
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

void pt_depthwise_inplace_s8(const pt_depthwise_params *p, int8_t *buffer, const pt_operand *in_region,
                             const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                             int8_t *staging, int32_t staging_bytes) {
    const int32_t ch = p->in_ch, in_h = p->h.in_size, in_w = p->w.in_size;
    const int32_t plane = in_region->h * in_region->w;
    const int8_t padding = (int8_t)pt_clamp(-p->in_offset, -128, 127);
    int32_t c, k, y, x;
    if (in_region->y == 0 && in_region->x == 0 && in_region->h == in_h && in_region->w == in_w &&
        p->in_offset >= -127 && p->in_offset <= 128) {
        /* The whole tensor: each channel staged as its padded plane (as the
         * runtime does, so the same staging bytes are used). */
        const int32_t top = p->h.pad_before, left = p->w.pad_before;
        const int32_t ph = in_h + p->h.pad_before + p->h.pad_after, pw = in_w + p->w.pad_before + p->w.pad_after;
        if (ph * pw <= staging_bytes) {
            for (c = 0; c < ch; c++) {
                memset(staging, padding, (size_t)(ph * pw));
                for (y = 0; y < in_h; y++) {
                    int8_t *row = staging + (y + top) * pw + left;
                    const int8_t *from = buffer + y * in_w * ch + c;
                    for (x = 0; x < in_w; x++) row[x] = from[x * ch];
                }
                pt_dw_plane(p, c, staging, -top, -left, pw, buffer, out_region, row0, row1, col0, col1);
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

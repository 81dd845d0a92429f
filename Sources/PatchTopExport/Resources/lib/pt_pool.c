/* PatchTop firmware library: int8 AVERAGE_POOL_2D and MAX_POOL_2D
 * (TFLite's reference: padding excluded from the window, the average
 * rounded half away from zero by the in-image count). */
#include "pt_fixedpoint.h"
#include "pt_runtime.h"

void pt_pool_s8(const pt_pool_params *p, const int8_t *in, const pt_operand *in_region,
                int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ch = p->channels, kh = p->h.filter, kw = p->w.filter, in_h = p->h.in_size, in_w = p->w.in_size;
    const int32_t in_batch = in_region->h * in_region->w * ch, out_batch = out_region->h * out_region->w * ch;
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; b++) {
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = kh < in_h - iy0 ? kh : in_h - iy0;
            for (ox = col0; ox < col1; ox++) {
                const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = kw < in_w - ix0 ? kw : in_w - ix0;
                int8_t *y = out + b * out_batch + pt_pixel(out_region, oy, ox, ch);
                const int32_t count = (fy1 > fy0 && fx1 > fx0) ? (fy1 - fy0) * (fx1 - fx0) : 0;
                for (c = 0; c < ch; c++) {
                    int32_t v = p->average ? 0 : -128;
                    for (fy = fy0; fy < fy1; fy++) {
                        for (fx = fx0; fx < fx1; fx++) {
                            int32_t x = in[b * in_batch + pt_pixel(in_region, iy0 + fy, ix0 + fx, ch) + c];
                            if (p->average) v += x; else if (x > v) v = x;
                        }
                    }
                    if (p->average && count > 0) v = v > 0 ? (v + count / 2) / count : (v - count / 2) / count;
                    y[c] = (int8_t)pt_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
}

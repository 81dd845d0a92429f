/* One channel of an in-place DEPTHWISE_CONV_2D (TinyEngine's memory trick:
 * the channel is staged as a plane, then its outputs overwrite it in the
 * shared buffer), eight output pixels at a time; see patchtop_kernels.h. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "avx2_common.h"

/* The reference's arithmetic for one output pixel: in-image taps only. */
static int32_t plane_pixel(const pt_plane_call *call, const int8_t *plane, int32_t sy, int32_t sx) {
    const pt_window *w = call->window;
    int32_t fy0, fy1, fx0, fx1;
    valid_taps(sy, w->dilation_h, w->kernel_h, w->in_h, &fy0, &fy1);
    valid_taps(sx, w->dilation_w, w->kernel_w, w->in_w, &fx0, &fx1);
    int32_t acc = call->bias;
    for (int32_t fy = fy0; fy < fy1; fy++) {
        const int32_t iy = sy + fy * w->dilation_h - call->plane_y;
        for (int32_t fx = fx0; fx < fx1; fx++) {
            const int32_t ix = sx + fx * w->dilation_w - call->plane_x;
            const int64_t v = plane[(ptrdiff_t)iy * call->plane_width + ix];
            /* int32 wrapping, as the reference on every real machine. */
            const int64_t product = (int64_t)call->weights[fy * w->kernel_w + fx] * (int64_t)(int32_t)((uint32_t)v + (uint32_t)w->input_offset);
            acc = (int32_t)((uint32_t)acc + (uint32_t)product);
        }
    }
    return acc;
}

void PT_AVX2 pt_depthwise_plane_avx2(const pt_plane_call *call, const int8_t *plane, int8_t *output) {
    const pt_window *w = call->window;
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, dh = w->dilation_h, dw = w->dilation_w;
    const int32_t sw = w->stride_w, taps = kh * kw;
    const int32_t py = call->plane_y, px = call->plane_x, ph = call->plane_height, pw = call->plane_width;
    const ptrdiff_t plane_bytes = (ptrdiff_t)ph * pw;
    /* This channel's requantization in all eight lanes. */
    int32_t table[8][8];
    const int32_t right = call->shift > 0 ? 0 : -call->shift;
    const int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
    for (int i = 0; i < 8; i++) {
        table[0][i] = call->bias;
        table[1][i] = call->multiplier;
        table[2][i] = call->shift > 0 ? call->shift : 0;
        table[3][i] = right;
        table[4][i] = call->multiplier;
        table[5][i] = mask;
        table[6][i] = mask >> 1;
        table[7][i] = call->bias;
    }
    pt_requant rq = {
        .bias = table[0], .folded_bias = table[7], .multiplier = table[1], .left_shift = table[2],
        .right_shift = table[3], .multiplier_odd = table[4], .remainder_mask = table[5], .half_mask = table[6],
        .has_left_shift = call->shift > 0, .output_offset = call->output_offset,
        .activation_min = call->activation_min, .activation_max = call->activation_max,
    };
    const rq_consts k = rq_load(&rq);
    const __m256i offset = _mm256_set1_epi32(w->input_offset);
    const __m256i bias = _mm256_set1_epi32(call->bias);
    const __m128i evens = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    __m256i wv[64];
    const int vector = taps <= 64 && (sw == 1 || sw == 2);
    if (vector) for (int32_t t = 0; t < taps; t++) wv[t] = _mm256_set1_epi32(call->weights[t]);
    for (int32_t oy = w->row0; oy < w->row1; oy++) {
        const int32_t sy = oy * w->stride_h - w->pad_top;
        const int rows_inside = sy >= py && sy + (kh - 1) * dh < py + ph;
        int8_t *yrow = output + ((ptrdiff_t)(oy - call->out_y) * call->out_width - call->out_x) * call->channels;
        int32_t ox = w->col0;
        while (ox < w->col1) {
            const int32_t sx = ox * sw - w->pad_left;
            /* Up to eight pixels whose windows lie inside the plane (padding
             * staged as bytes whose input plus offset is 0, or a region of
             * the image): no bounds to check. Loads that would run past the
             * plane's end take the bytes they need through a copy. */
            const int32_t group = w->col1 - ox < 8 ? w->col1 - ox : 8;
            const int32_t last = sx + (group - 1) * sw + (kw - 1) * dw;
            if (vector && rows_inside && sx >= px && last < px + pw) {
                const ptrdiff_t span = (ptrdiff_t)(group - 1) * sw + 1;
                const ptrdiff_t width = sw == 1 ? 8 : 16;
                __m256i acc = bias;
                for (int32_t fy = 0; fy < kh; fy++) {
                    const ptrdiff_t row = (ptrdiff_t)(sy + fy * dh - py) * pw + (sx - px);
                    for (int32_t fx = 0; fx < kw; fx++) {
                        const ptrdiff_t at = row + fx * dw;
                        __m128i b;
                        if (at + width <= plane_bytes) {
                            b = width == 8 ? _mm_loadl_epi64((const __m128i *)(plane + at))
                                           : _mm_loadu_si128((const __m128i *)(plane + at));
                        } else {
                            int8_t tmp[16] = {0};
                            memcpy(tmp, plane + at, (size_t)span);
                            b = _mm_loadu_si128((const __m128i *)tmp);
                        }
                        if (sw == 2) b = _mm_shuffle_epi8(b, evens);
                        const __m256i v = _mm256_add_epi32(_mm256_cvtepi8_epi32(b), offset);
                        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(v, wv[fy * kw + fx]));
                    }
                }
                int8_t out[16];
                store8(rq8(acc, &rq, 0, &k), out, 8);
                for (int32_t i = 0; i < group; i++) yrow[(ptrdiff_t)(ox + i) * call->channels] = out[i];
                ox += group;
                continue;
            }
            /* One pixel, as the reference (its window may leave the plane
             * only where it leaves the image). */
            const int32_t acc = plane_pixel(call, plane, sy, sx);
            int8_t out[16];
            store8(rq8(_mm256_set1_epi32(acc), &rq, 0, &k), out, 1);
            yrow[(ptrdiff_t)ox * call->channels] = out[0];
            ox++;
        }
    }
}
#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
void pt_depthwise_plane_avx2(const pt_plane_call *call, const int8_t *plane, int8_t *output) { (void)call; (void)plane; (void)output; PT_UNAVAILABLE(); }
#endif

/* PatchTop firmware library: ops that move elements (TRANSPOSE,
 * STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR), whole tensors. */
#include <string.h>

#include "pt_runtime.h"

void pt_transpose(const pt_transpose_params *p, const uint8_t *in, uint8_t *out) {
    const int32_t *o = p->out_shape, *s = p->in_strides, e = p->element_bytes;
    int32_t a, b, c, d, to = 0;
    for (a = 0; a < o[0]; a++) for (b = 0; b < o[1]; b++) for (c = 0; c < o[2]; c++) {
        int32_t row = a * s[0] + b * s[1] + c * s[2];
        if (e == 1) {
            for (d = 0; d < o[3]; d++) out[to + d] = in[row + d * s[3]];
            to += o[3];
        } else {
            for (d = 0; d < o[3]; d++, to++) memcpy(out + to * e, in + (row + d * s[3]) * e, (size_t)e);
        }
    }
}

void pt_strided_slice(const pt_slice_params *p, const uint8_t *in, uint8_t *out) {
    const int32_t *c = p->count, *s = p->in_strides, e = p->element_bytes;
    int32_t step[4], base = 0, a, b, k, d, to = 0;
    for (d = 0; d < 4; d++) { base += p->start[d] * s[d]; step[d] = p->step[d] * s[d]; }
    for (a = 0; a < c[0]; a++) for (b = 0; b < c[1]; b++) for (k = 0; k < c[2]; k++) {
        int32_t row = base + a * step[0] + b * step[1] + k * step[2];
        for (d = 0; d < c[3]; d++, to++) memcpy(out + to * e, in + (row + d * step[3]) * e, (size_t)e);
    }
}

void pt_resize_nearest(const pt_resize_params *p, const int8_t *in, int8_t *out) {
    const int32_t c = p->channels;
    int32_t b, y, x, to = 0;
    for (b = 0; b < p->batches; b++) {
        const int8_t *batch = in + b * p->in_h * p->in_w * c;
        for (y = 0; y < p->out_h; y++) {
            const int8_t *row = batch + p->src_rows[y] * p->in_w * c;
            for (x = 0; x < p->out_w; x++) {
                memcpy(out + to, row + p->src_cols[x] * c, (size_t)c);
                to += c;
            }
        }
    }
}

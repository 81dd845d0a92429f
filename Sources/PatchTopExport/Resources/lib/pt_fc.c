/* PatchTop firmware library: int8 FULLY_CONNECTED (TFLite Micro's
 * reference: double-rounding requantization, per-tensor or per-channel). */
#include "pt_fixedpoint.h"
#include "pt_runtime.h"

void pt_fc_s8(const pt_fc_params *p, const int8_t *in, int8_t *out) {
    const int32_t depth = p->in_depth;
    int32_t b, o, d;
    for (b = 0; b < p->batches; b++) {
        const int8_t *x = in + b * depth;
        for (o = 0; o < p->out_depth; o++) {
            const int8_t *f = p->filter + o * depth;
            int32_t acc = 0, k = p->per_channel ? o : 0;
            for (d = 0; d < depth; d++) {
                acc = pt_wrap_add(acc, pt_wrap_mul((int32_t)x[d] + p->in_offset, (int32_t)f[d] + p->filter_offset));
            }
            if (p->bias) acc = pt_wrap_add(acc, p->bias[o]);
            acc = pt_requantize(acc, p->mult[k], p->shift[k]);
            acc = pt_wrap_add(acc, p->out_offset);
            out[b * p->out_depth + o] = (int8_t)pt_clamp(acc, p->act_min, p->act_max);
        }
    }
}

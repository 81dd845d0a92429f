/* PatchTop firmware library: the executor. Walks the step table the
 * generated patchtop_model.c holds and calls one function per step kind,
 * as PatchTop's runtime (ArenaSession.step) runs its compiled program:
 * loads and halo-cache reads, the op, halo-cache writes, the stage store.
 *
 * C99, no allocation. Build float code with -ffp-contract=off. */
#include <string.h>

#include "pt_fixedpoint.h"
#include "pt_runtime.h"

static uint8_t *pt_at(const pt_context *ctx, const pt_operand *o) {
    switch (o->space) {
    case PT_ARENA: return ctx->arena + o->offset;
    case PT_CONST: return (uint8_t *)(uintptr_t)(ctx->constants + o->offset);
    case PT_INPUT: return (uint8_t *)(uintptr_t)ctx->inputs[o->offset];
    case PT_OUTPUT: return (uint8_t *)ctx->outputs[o->offset];
    default: return ctx->extras[o->offset];
    }
}

static void pt_load_quantized(const pt_context *ctx, const pt_copy *c);

static void pt_copy_rows(const pt_context *ctx, const pt_copy *c) {
    const uint8_t *from;
    uint8_t *to = pt_at(ctx, &c->to);
    int32_t row, cols = c->col1 - c->col0;
    if (c->quantize != NULL) {
        pt_load_quantized(ctx, c);
        return;
    }
    if (c->from.space == PT_INPUT && ctx->read != NULL) {
        /* Streamed input: the application hands over the region, packed. */
        ctx->read(ctx->read_context, (int)c->from.offset, (int)c->row0, (int)c->col0, (int)(c->row1 - c->row0),
                  (int)cols, to + pt_pixel(&c->to, c->row0, c->col0, c->pixel_bytes));
        return;
    }
    from = pt_at(ctx, &c->from);
    for (row = c->row0; row < c->row1; row++) {
        memmove(to + pt_pixel(&c->to, row, c->col0, c->pixel_bytes),
                from + pt_pixel(&c->from, row, c->col0, c->pixel_bytes), (size_t)(cols * c->pixel_bytes));
    }
}

/* Calls body(from, to, count) for each contiguous run of the step's output
 * positions: the whole tensor layer by layer, one run per row in a patch.
 * Offsets are elements. */
typedef struct { int32_t a, b, to, count; } pt_run_item;

static int32_t pt_runs(const pt_step *s, const pt_operand *a, const pt_operand *b, int32_t index, pt_run_item *item) {
    int32_t row;
    if (s->whole) {
        if (index > 0) return 0;
        item->a = 0; item->b = 0; item->to = 0; item->count = s->out_elements;
        return 1;
    }
    row = s->row0 + index;
    if (row >= s->row1) return 0;
    item->a = pt_pixel(a, row, s->col0, s->out_channels);
    item->b = pt_pixel(b, row, s->col0, s->out_channels);
    item->to = pt_pixel(&s->output, row, s->col0, s->out_channels);
    item->count = (s->col1 - s->col0) * s->out_channels;
    return 1;
}

static void pt_lookup(const pt_context *ctx, const pt_step *s) {
    const pt_lookup_params *p = (const pt_lookup_params *)s->params;
    const uint8_t *x = pt_at(ctx, &s->inputs[0]);
    int8_t *y = (int8_t *)pt_at(ctx, &s->output);
    pt_run_item r;
    int32_t k, i;
    for (k = 0; pt_runs(s, &s->inputs[0], &s->inputs[0], k, &r); k++) {
        const uint8_t *xs = x + r.a;
        int8_t *out = y + r.to;
        for (i = 0; i < r.count; i++) out[i] = p->table[xs[i]];
    }
}

static int32_t pt_same4(const int32_t *a, const int32_t *b) {
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* y[i] = f(a[i * step_a], b[i * step_b]) for i < n; a step of 0 repeats
 * one value. In place (y == a or y == b) is fine. */
static void pt_binary_run(const pt_binary_fn *f, const uint8_t *a, int32_t step_a, const uint8_t *b, int32_t step_b,
                          int8_t *y, int32_t n) {
    const int32_t *la = f->lift_a, *lb = f->lift_b;
    const int32_t m = f->multiplier, shift = f->shift, offset = f->offset, base = f->base, e = f->exponent;
    const int32_t lo = f->act_min, hi = f->act_max;
    int32_t i, v;
    switch (f->combine) {
    case PT_COMBINE_ADD:
        if (f->fast) {
            for (i = 0; i < n; i++) {
                v = pt_requantize_fast(la[a[i * step_a]] + lb[b[i * step_b]], m, base, e);
                y[i] = (int8_t)pt_clamp(v, lo, hi);
            }
        } else {
            for (i = 0; i < n; i++) {
                v = pt_wrap_add(pt_requantize(pt_wrap_add(la[a[i * step_a]], lb[b[i * step_b]]), m, shift), offset);
                y[i] = (int8_t)pt_clamp(v, lo, hi);
            }
        }
        break;
    case PT_COMBINE_MUL:
        if (f->fast) {
            for (i = 0; i < n; i++) {
                v = pt_requantize_fast(la[a[i * step_a]] * lb[b[i * step_b]], m, base, e);
                y[i] = (int8_t)pt_clamp(v, lo, hi);
            }
        } else {
            for (i = 0; i < n; i++) {
                v = pt_wrap_add(pt_requantize(pt_wrap_mul(la[a[i * step_a]], lb[b[i * step_b]]), m, shift), offset);
                y[i] = (int8_t)pt_clamp(v, lo, hi);
            }
        }
        break;
    case PT_COMBINE_MAX:
        for (i = 0; i < n; i++) {
            int32_t x = la[a[i * step_a]], z = lb[b[i * step_b]];
            y[i] = (int8_t)pt_clamp(x > z ? x : z, lo, hi);
        }
        break;
    default:
        for (i = 0; i < n; i++) {
            int32_t x = la[a[i * step_a]], z = lb[b[i * step_b]];
            y[i] = (int8_t)pt_clamp(x < z ? x : z, lo, hi);
        }
        break;
    }
}

static void pt_binary(const pt_context *ctx, const pt_step *s) {
    const pt_binary_params *p = (const pt_binary_params *)s->params;
    const pt_operand *oa = &s->inputs[0], *ob = &s->inputs[1];
    const uint8_t *pa = pt_at(ctx, oa), *pb = pt_at(ctx, ob);
    int8_t *y = (int8_t *)pt_at(ctx, &s->output);
    const int32_t *sa = p->shape_a, *sb = p->shape_b, *so = p->shape_out;
    const pt_binary_fn *f = &p->fn;
    int32_t row, col;
    if (pt_same4(sa, so) && pt_same4(sb, so)) {
        pt_run_item r;
        int32_t k;
        for (k = 0; pt_runs(s, oa, ob, k, &r); k++) pt_binary_run(f, pa + r.a, 1, pb + r.b, 1, y + r.to, r.count);
        return;
    }
    if (s->whole && !(p->rank_a <= 4 && p->rank_b <= 4 && p->rank_out <= 4 && sa[0] == 1 && sb[0] == 1 && so[0] == 1)) {
        /* TFLite's 4-D broadcast. */
        int32_t ta[4], tb[4], acc, d, i0, i1, i2, o = 0;
        if (pt_same4(sa, sb)) {
            pt_binary_run(f, pa, 1, pb, 1, y, s->out_elements);
            return;
        }
        for (acc = 1, d = 3; d >= 0; d--) { ta[d] = sa[d] == 1 ? 0 : acc; acc *= sa[d]; }
        for (acc = 1, d = 3; d >= 0; d--) { tb[d] = sb[d] == 1 ? 0 : acc; acc *= sb[d]; }
        for (i0 = 0; i0 < so[0]; i0++) for (i1 = 0; i1 < so[1]; i1++) for (i2 = 0; i2 < so[2]; i2++) {
            int32_t j1 = i0 * ta[0] + i1 * ta[1] + i2 * ta[2];
            int32_t j2 = i0 * tb[0] + i1 * tb[1] + i2 * tb[2];
            pt_binary_run(f, pa + j1, ta[3], pb + j2, tb[3], y + o, so[3]);
            o += so[3];
        }
        return;
    }
    /* Position by position: an input of one row, column or channel repeats along it. */
    {
        int32_t channels = so[3], step_a = sa[3] == 1 ? 0 : 1, step_b = sb[3] == 1 ? 0 : 1;
        for (row = s->row0; row < s->row1; row++) {
            for (col = s->col0; col < s->col1; col++) {
                int32_t ia = pt_pixel(oa, sa[1] == 1 ? oa->y : row, sa[2] == 1 ? oa->x : col, sa[3]);
                int32_t ib = pt_pixel(ob, sb[1] == 1 ? ob->y : row, sb[2] == 1 ? ob->x : col, sb[3]);
                const uint8_t *xa = pa + ia, *xb = pb + ib;
                int8_t *out = y + pt_pixel(&s->output, row, col, channels);
                pt_binary_run(f, xa, step_a, xb, step_b, out, channels);
            }
        }
    }
}

/* float32 activations, run by run (floats: 4 bytes an element). */
static void pt_unary_f32_step(const pt_context *ctx, const pt_step *s) {
    const pt_unary_f32_params *p = (const pt_unary_f32_params *)s->params;
    const float *x = (const float *)(const void *)pt_at(ctx, &s->inputs[0]);
    float *y = (float *)(void *)pt_at(ctx, &s->output);
    pt_run_item r;
    int32_t k, i;
    for (k = 0; pt_runs(s, &s->inputs[0], &s->inputs[0], k, &r); k++) {
        for (i = 0; i < r.count; i++) y[r.to + i] = pt_unary_f32(p, x[r.a + i]);
    }
}

/* float32 ADD/SUB/MUL/MAXIMUM/MINIMUM as the runtime's floatBinary: runs when
 * the shapes agree; TFLite's 4-D broadcast over whole tensors for batches or
 * ranks other than 4 (or any whole tensor of another rank); else position by
 * position over the step's region. */
static void pt_binary_f32_step(const pt_context *ctx, const pt_step *s) {
    const pt_binary_f32_params *p = (const pt_binary_f32_params *)s->params;
    const pt_operand *oa = &s->inputs[0], *ob = &s->inputs[1];
    const float *pa = (const float *)(const void *)pt_at(ctx, oa), *pb = (const float *)(const void *)pt_at(ctx, ob);
    float *y = (float *)(void *)pt_at(ctx, &s->output);
    const int32_t *sa = p->shape_a, *sb = p->shape_b, *so = p->shape_out;
    int32_t i, row, col, c;
    if (pt_same4(sa, so) && pt_same4(sb, so)) {
        pt_run_item r;
        int32_t k;
        for (k = 0; pt_runs(s, oa, ob, k, &r); k++) {
            for (i = 0; i < r.count; i++) y[r.to + i] = pt_binary_f32(p->kind, pa[r.a + i], pb[r.b + i], p->act_min, p->act_max);
        }
        return;
    }
    if (so[0] != 1 || ((p->rank_a != 4 || p->rank_b != 4 || p->rank_out != 4))) {
        pt_broadcast_f32(p, pa, pb, y);
        return;
    }
    {
        int32_t channels = so[3], step_a = sa[3] == 1 ? 0 : 1, step_b = sb[3] == 1 ? 0 : 1;
        for (row = s->row0; row < s->row1; row++) {
            for (col = s->col0; col < s->col1; col++) {
                int32_t ia = pt_pixel(oa, sa[1] == 1 ? oa->y : row, sa[2] == 1 ? oa->x : col, sa[3]);
                int32_t ib = pt_pixel(ob, sb[1] == 1 ? ob->y : row, sb[2] == 1 ? ob->x : col, sb[3]);
                float *out = y + pt_pixel(&s->output, row, col, channels);
                for (c = 0; c < channels; c++) out[c] = pt_binary_f32(p->kind, pa[ia + c * step_a], pb[ib + c * step_b], p->act_min, p->act_max);
            }
        }
    }
}

/* round(x / scale) half away from zero, in float, plus the zero point,
 * saturated; NaN gives the zero point. Beyond +-1e6 every zero point
 * saturates int8, so the quotient is clamped there and rounded by hand:
 * t = trunc(v) and v - t are exact for |v| < 2^23. */
static int8_t pt_quantize_one(float x, float scale, int32_t zero_point) {
    float v = x / scale, f;
    int32_t t;
    if (v != v) return (int8_t)pt_clamp(zero_point, -128, 127);
    if (v > 1e6f) v = 1e6f;
    if (v < -1e6f) v = -1e6f;
    t = (int32_t)v;
    f = v - (float)t;
    if (f >= 0.5f) t++;
    else if (f <= -0.5f) t--;
    return (int8_t)pt_clamp(t + zero_point, -128, 127);
}

/* A streamed image under --int8-io: the float32 input's region, asked of the
 * application (or read from the caller's buffer) a few pixels of one row at
 * a time, each value quantized into the int8 destination exactly as the
 * QUANTIZE step would have: the int8 image is never held whole. */
static void pt_load_quantized(const pt_context *ctx, const pt_copy *c) {
    float chunk[PT_STREAM_CHUNK];
    const int32_t channels = c->pixel_bytes, per_call = PT_STREAM_CHUNK / c->pixel_bytes;
    int8_t *to = (int8_t *)pt_at(ctx, &c->to);
    int32_t row, col, n, i;
    for (row = c->row0; row < c->row1; row++) {
        for (col = c->col0; col < c->col1; col += n) {
            int8_t *dst = to + pt_pixel(&c->to, row, col, channels);
            n = c->col1 - col < per_call ? c->col1 - col : per_call;
            if (ctx->read != NULL) {
                ctx->read(ctx->read_context, (int)c->from.offset, (int)row, (int)col, 1, (int)n, chunk);
            } else {
                memcpy(chunk, (const uint8_t *)ctx->inputs[c->from.offset] + 4 * pt_pixel(&c->from, row, col, channels),
                       (size_t)(n * channels) * sizeof(float));
            }
            for (i = 0; i < n * channels; i++) dst[i] = pt_quantize_one(chunk[i], c->quantize->scale, c->quantize->zero_point);
        }
    }
}

static void pt_quantize(const pt_context *ctx, const pt_step *s) {
    const pt_quant_params *p = (const pt_quant_params *)s->params;
    const uint8_t *x = pt_at(ctx, &s->inputs[0]);
    int8_t *y = (int8_t *)pt_at(ctx, &s->output);
    pt_run_item r;
    int32_t k, i;
    for (k = 0; pt_runs(s, &s->inputs[0], &s->inputs[0], k, &r); k++) {
        for (i = 0; i < r.count; i++) {
            float v;
            memcpy(&v, x + 4 * (r.a + i), 4);
            y[r.to + i] = pt_quantize_one(v, p->scale, p->zero_point);
        }
    }
}

static void pt_dequantize(const pt_context *ctx, const pt_step *s) {
    const pt_quant_params *p = (const pt_quant_params *)s->params;
    const int8_t *x = (const int8_t *)pt_at(ctx, &s->inputs[0]);
    uint8_t *y = pt_at(ctx, &s->output);
    pt_run_item r;
    int32_t k, i;
    for (k = 0; pt_runs(s, &s->inputs[0], &s->inputs[0], k, &r); k++) {
        for (i = 0; i < r.count; i++) {
            /* scale * (q - zp) in double, then narrowed, as TFLite's reference. */
            float v = (float)((double)p->scale * (double)((int32_t)x[r.a + i] - p->zero_point));
            memcpy(y + 4 * (r.to + i), &v, 4);
        }
    }
}

static void pt_pad_whole(const pt_pad_params *p, const uint8_t *x, uint8_t *y, int32_t out_bytes) {
    const int32_t *s = p->shape, *b = p->before;
    int32_t o[4], d, a, c, e = p->element_bytes, src = 0;
    for (d = 0; d < 4; d++) o[d] = s[d] + p->before[d] + p->after[d];
    memset(y, p->fill, (size_t)out_bytes);
    for (a = 0; a < s[0]; a++) for (d = 0; d < s[1]; d++) {
        if (b[3] == 0 && p->after[3] == 0) {
            int32_t dst = (((a + b[0]) * o[1] + (d + b[1])) * o[2] + b[2]) * o[3];
            memcpy(y + dst * e, x + src * e, (size_t)(s[2] * s[3] * e));
            src += s[2] * s[3];
            continue;
        }
        for (c = 0; c < s[2]; c++) {
            int32_t dst = (((a + b[0]) * o[1] + (d + b[1])) * o[2] + (c + b[2])) * o[3] + b[3];
            memcpy(y + dst * e, x + src * e, (size_t)(s[3] * e));
            src += s[3];
        }
    }
}

/* PAD over the step's rows and columns (a patch's region of a feature map). */
static void pt_pad_region(const pt_pad_params *p, const pt_operand *in, const uint8_t *x, const pt_step *s, uint8_t *y) {
    int32_t e = p->element_bytes, in_ch = p->shape[3], before = p->before[3];
    int32_t out_ch = in_ch + before + p->after[3];
    int32_t pixel_in = in_ch * e, pixel_out = out_ch * e;
    int32_t top = p->before[1], left = p->before[2], row, col;
    int32_t ncols = s->col1 - s->col0;
    for (row = s->row0; row < s->row1; row++) {
        uint8_t *to = y + pt_pixel(&s->output, row, s->col0, out_ch) * e;
        int32_t iy = row - top, low, high;
        if (iy < 0 || iy >= p->shape[1]) {
            memset(to, p->fill, (size_t)(ncols * pixel_out));
            continue;
        }
        low = s->col0 > left ? s->col0 : left;
        if (low > s->col1) low = s->col1;
        high = s->col1 < p->shape[2] + left ? s->col1 : p->shape[2] + left;
        if (high < low) high = low;
        for (col = s->col0; col < s->col1; col++) {
            uint8_t *pixel = to + (col - s->col0) * pixel_out;
            if (col < low || col >= high) { memset(pixel, p->fill, (size_t)pixel_out); continue; }
            if (before != 0 || out_ch != in_ch) memset(pixel, p->fill, (size_t)pixel_out);
            memcpy(pixel + before * e, x + pt_pixel(in, iy, col - left, in_ch) * e, (size_t)pixel_in);
        }
    }
}

static void pt_concat(const pt_context *ctx, const pt_step *s) {
    const pt_concat_params *p = (const pt_concat_params *)s->params;
    uint8_t *y = pt_at(ctx, &s->output);
    int32_t i, k, o = 0, row, col;
    if (s->whole) {
        for (i = 0; i < p->outer; i++) {
            for (k = 0; k < p->count; k++) {
                int32_t chunk = p->chunks[k];
                if (chunk > 0) memcpy(y + o, pt_at(ctx, &s->inputs[k]) + i * chunk, (size_t)chunk);
                o += chunk;
            }
        }
        return;
    }
    /* A pixel of the output is every input's pixel, end to end (bytes: a
     * float32 concatenation moves 4 bytes a channel). */
    for (k = 0; k < p->count; k++) o += p->channels[k];
    for (row = s->row0; row < s->row1; row++) {
        for (col = s->col0; col < s->col1; col++) {
            int32_t to = pt_pixel(&s->output, row, col, o);
            for (k = 0; k < p->count; k++) {
                int32_t n = p->channels[k];
                memcpy(y + to, pt_at(ctx, &s->inputs[k]) + pt_pixel(&s->inputs[k], row, col, n), (size_t)n);
                to += n;
            }
        }
    }
}

/* A conv with its residual ADD fused in: each output row goes to the scratch
 * row, then ADD(conv, skip) in the ADD's operand order overwrites the skip's row. */
static void pt_conv_fused(const pt_context *ctx, const pt_step *s) {
    const pt_fused_params *f = (const pt_fused_params *)s->params;
    int32_t channels = f->conv->out_ch, cols = s->col1 - s->col0, row_bytes = cols * channels, y;
    uint8_t *scratch = pt_at(ctx, &f->scratch), *skip = pt_at(ctx, &f->skip);
    const int8_t *x = (const int8_t *)pt_at(ctx, &s->inputs[0]);
    for (y = s->row0; y < s->row1; y++) {
        pt_operand line;
        uint8_t *bytes;
        line.space = PT_ARENA; line.offset = 0; line.bytes = row_bytes;
        line.y = y; line.x = s->col0; line.h = 1; line.w = cols;
        pt_conv_s8(f->conv, x, &s->inputs[0], (int8_t *)scratch, &line, y, y + 1, s->col0, s->col1);
        bytes = skip + pt_pixel(&f->skip, y, s->col0, channels);
        if (f->conv_first) pt_binary_run(&f->add, scratch, 1, bytes, 1, (int8_t *)bytes, row_bytes);
        else pt_binary_run(&f->add, bytes, 1, scratch, 1, (int8_t *)bytes, row_bytes);
    }
}

static void pt_perform(const pt_context *ctx, const pt_step *s) {
    const pt_operand *in = s->n_inputs > 0 ? &s->inputs[0] : NULL;
    uint8_t *y = pt_at(ctx, &s->output);
    switch (s->kind) {
    case PT_CONV:
        pt_conv_s8((const pt_conv_params *)s->params, (const int8_t *)pt_at(ctx, in), in, (int8_t *)y, &s->output,
                   s->row0, s->row1, s->col0, s->col1);
        break;
    case PT_CONV_FUSED: pt_conv_fused(ctx, s); break;
    case PT_DEPTHWISE:
        pt_depthwise_s8((const pt_depthwise_params *)s->params, (const int8_t *)pt_at(ctx, in), in, (int8_t *)y, &s->output,
                        s->row0, s->row1, s->col0, s->col1);
        break;
    case PT_DEPTHWISE_INPLACE:
        pt_depthwise_inplace_s8((const pt_depthwise_params *)s->params, (int8_t *)y, in, &s->output,
                                s->row0, s->row1, s->col0, s->col1, (int8_t *)pt_at(ctx, s->staging), s->staging->bytes);
        break;
    case PT_FC: pt_fc_s8((const pt_fc_params *)s->params, (const int8_t *)pt_at(ctx, in), (int8_t *)y); break;
    case PT_POOL:
        pt_pool_s8((const pt_pool_params *)s->params, (const int8_t *)pt_at(ctx, in), in, (int8_t *)y, &s->output,
                   s->row0, s->row1, s->col0, s->col1);
        break;
    case PT_BINARY: pt_binary(ctx, s); break;
    case PT_LOOKUP: pt_lookup(ctx, s); break;
    case PT_COPY: {
        int32_t n = in->bytes < s->output.bytes ? in->bytes : s->output.bytes;
        memmove(y, pt_at(ctx, in), (size_t)n);
        break;
    }
    case PT_FILL: {
        const pt_fill_params *p = (const pt_fill_params *)s->params;
        memcpy(y, p->bytes, (size_t)(p->count < s->output.bytes ? p->count : s->output.bytes));
        break;
    }
    case PT_QUANTIZE: pt_quantize(ctx, s); break;
    case PT_DEQUANTIZE: pt_dequantize(ctx, s); break;
    case PT_PAD:
        if (s->whole) pt_pad_whole((const pt_pad_params *)s->params, pt_at(ctx, in), y, s->output.bytes);
        else pt_pad_region((const pt_pad_params *)s->params, in, pt_at(ctx, in), s, y);
        break;
    case PT_CONCAT: pt_concat(ctx, s); break;
    case PT_MEAN: pt_mean_s8((const pt_mean_params *)s->params, (const int8_t *)pt_at(ctx, in), (int8_t *)y); break;
    case PT_MEAN_FLOAT: pt_mean_f32((const pt_mean_params *)s->params, (const float *)(const void *)pt_at(ctx, in), (float *)(void *)y); break;
    case PT_SOFTMAX: pt_softmax_s8((const pt_softmax_params *)s->params, (const int8_t *)pt_at(ctx, in), (int8_t *)y); break;
    case PT_LOG_SOFTMAX: pt_log_softmax_s8((const pt_log_softmax_params *)s->params, (const int8_t *)pt_at(ctx, in), (int8_t *)y); break;
    case PT_TRANSPOSE: pt_transpose((const pt_transpose_params *)s->params, pt_at(ctx, in), y); break;
    case PT_SLICE: pt_strided_slice((const pt_slice_params *)s->params, pt_at(ctx, in), y); break;
    case PT_RESIZE_NEAREST: pt_resize_nearest((const pt_resize_params *)s->params, (const int8_t *)pt_at(ctx, in), (int8_t *)y); break;
    case PT_CONV_F32:
        pt_conv_f32((const pt_conv_f32_params *)s->params, (const float *)(const void *)pt_at(ctx, in), in,
                    (float *)(void *)y, &s->output, s->row0, s->row1, s->col0, s->col1);
        break;
    case PT_DEPTHWISE_INPLACE_F32:
        pt_depthwise_inplace_f32((const pt_conv_f32_params *)s->params, (float *)(void *)y, in, &s->output,
                                 s->row0, s->row1, s->col0, s->col1, (float *)(void *)pt_at(ctx, s->staging), s->staging->bytes / 4);
        break;
    case PT_POOL_F32:
        pt_pool_f32((const pt_pool_f32_params *)s->params, (const float *)(const void *)pt_at(ctx, in), in,
                    (float *)(void *)y, &s->output, s->row0, s->row1, s->col0, s->col1);
        break;
    case PT_FC_F32: pt_fc_f32((const pt_fc_f32_params *)s->params, (const float *)(const void *)pt_at(ctx, in), (float *)(void *)y); break;
    case PT_UNARY_F32: pt_unary_f32_step(ctx, s); break;
    case PT_BINARY_F32: pt_binary_f32_step(ctx, s); break;
    case PT_SOFTMAX_F32:
        pt_softmax_f32((const pt_softmax_f32_params *)s->params, (const float *)(const void *)pt_at(ctx, in), (float *)(void *)y);
        break;
    case PT_LOG_SOFTMAX_F32:
        pt_log_softmax_f32((const pt_softmax_f32_params *)s->params, (const float *)(const void *)pt_at(ctx, in), (float *)(void *)y);
        break;
    default: break;
    }
}

#if defined(PT_PROFILE) && PT_PROFILE
void pt_profile_step(int op, int begin);
#endif

int pt_run(const pt_context *ctx, const pt_step *steps, int count) {
    int i, k;
    for (i = 0; i < count; i++) {
        const pt_step *s = &steps[i];
#if defined(PT_PROFILE) && PT_PROFILE
        pt_profile_step(s->op, 1);
#endif
        for (k = 0; k < s->n_before; k++) pt_copy_rows(ctx, &s->before[k]);
        if (s->kind != PT_NOP && s->row0 < s->row1 && s->col0 < s->col1) pt_perform(ctx, s);
        for (k = 0; k < s->n_after; k++) pt_copy_rows(ctx, &s->after[k]);
#if defined(PT_PROFILE) && PT_PROFILE
        pt_profile_step(s->op, 0);
#endif
    }
    return 0;
}

/* PatchTop firmware library: the float32 kernels (CONV_2D, DEPTHWISE_CONV_2D,
 * pools, FULLY_CONNECTED, activations, ADD/SUB/MUL/MAXIMUM/MINIMUM, SOFTMAX,
 * LOG_SOFTMAX) as TFLite Micro's reference float kernels compute them, and
 * as PatchTop's runtime does: every output's sum adds the same products in
 * the same order, so each float rounds identically.
 *
 * Build with -ffp-contract=off: a fused multiply-add rounds once where the
 * reference rounds twice. LOGISTIC, SOFTMAX and LOG_SOFTMAX use the expf and
 * logf below; TANH calls the C library's tanhf (fdlibm's in glibc and newlib). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pt_runtime.h"
static uint32_t pt_f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float pt_u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static double pt_u2d(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t pt_d2u(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
/* expf and logf as glibc computes them (the generic builds of its single-
 * precision expf/logf, in double; PatchTop's runtime calls glibc's): the
 * C libraries of microcontrollers differ (newlib for cores without a
 * double-precision FPU keeps an older expf), so the library brings its own.
 * Double arithmetic is IEEE on every core (in software without a double
 * FPU), so these agree everywhere. Checked over all 2^32 inputs against
 * glibc 2.36 on x86-64: logf identical; expf identical but for 2 inputs
 * (x = 0x1.04845ep+5 and -0x1.f8cbb2p+5, one unit in the last place),
 * where glibc's build for CPUs with FMA rounds once less.
 *
 * 2^(i/32) as a double, less i << 47 (the exponent added back below). */
static const uint64_t pt_exp2_table[32] = {
0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51, 0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1, 0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d, 0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585, 0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13, 0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d, 0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069, 0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540
};
static float pt_expf(float x) {
    const double shift = 0x1.8p+52, inv_ln2_n = 0x1.71547652b82fep+0 * 32;
    const double c0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32, c1 = 0x1.ebfce50fac4f3p-3 / 32 / 32, c2 = 0x1.62e42ff0c52d6p-1 / 32;
    uint32_t top = (pt_f2u(x) >> 20) & 0x7ff;
    double xd = (double)x, z, kd, r, r2, s, y, p;
    uint64_t ki, t;
    if (top >= 0x42b) {
        if (pt_f2u(x) == 0xff800000u) return 0.0f;
        if (top >= 0x7f8) return x + x;
        if (x > 0x1.62e42ep6f) return pt_u2f(0x7f800000u);
        if (x < -0x1.9fe368p6f) return 0.0f;
    }
    z = inv_ln2_n * xd;
    kd = z + shift;
    ki = pt_d2u(kd);
    kd = kd - shift;
    r = z - kd;
    t = pt_exp2_table[ki % 32] + (ki << 47);
    s = pt_u2d(t);
    p = c0 * r + c1;
    r2 = r * r;
    y = c2 * r + 1.0;
    y = p * r2 + y;
    y = y * s;
    return (float)y;
}
/* logf: 1/c and log(c) for the 16 subintervals the mantissa range is split into. */
static const double pt_logf_table[16][2] = {
  { 0x1.661ec79f8f3bep+0, -0x1.57bf7808caadep-2 }, { 0x1.571ed4aaf883dp+0, -0x1.2bef0a7c06ddbp-2 },
  { 0x1.49539f0f010bp+0, -0x1.01eae7f513a67p-2 }, { 0x1.3c995b0b80385p+0, -0x1.b31d8a68224e9p-3 },
  { 0x1.30d190c8864a5p+0, -0x1.6574f0ac07758p-3 }, { 0x1.25e227b0b8eap+0, -0x1.1aa2bc79c81p-3 },
  { 0x1.1bb4a4a1a343fp+0, -0x1.a4e76ce8c0e5ep-4 }, { 0x1.12358f08ae5bap+0, -0x1.1973c5a611cccp-4 },
  { 0x1.0953f419900a7p+0, -0x1.252f438e10c1ep-5 }, { 0x1p+0, 0x0p+0 },
  { 0x1.e608cfd9a47acp-1, 0x1.aa5aa5df25984p-5 }, { 0x1.ca4b31f026aap-1, 0x1.c5e53aa362eb4p-4 },
  { 0x1.b2036576afce6p-1, 0x1.526e57720db08p-3 }, { 0x1.9c2d163a1aa2dp-1, 0x1.bc2860d22477p-3 },
  { 0x1.886e6037841edp-1, 0x1.1058bc8a07ee1p-2 }, { 0x1.767dcf5534862p-1, 0x1.4043057b6ee09p-2 }
};
static float pt_logf(float x) {
    const double ln2 = 0x1.62e42fefa39efp-1;
    const double a0 = -0x1.00ea348b88334p-2, a1 = 0x1.5575b0be00b6ap-2, a2 = -0x1.ffffef20a4123p-2;
    uint32_t ix = pt_f2u(x), tmp, iz;
    int32_t k, i;
    double z, r, r2, y, y0, invc, logc;
    if (ix == 0x3f800000u) return 0.0f;
    if (ix - 0x00800000u >= 0x7f800000u - 0x00800000u) {
        if (ix * 2 == 0) return pt_u2f(0xff800000u);
        if (ix == 0x7f800000u) return x;
        if ((ix & 0x80000000u) || ix * 2 >= 0xff000000u) return pt_u2f(0x7fc00000u);
        ix = pt_f2u(x * 0x1p23f);
        ix -= 23u << 23;
    }
    tmp = ix - 0x3f330000u;
    i = (int32_t)((tmp >> 19) % 16);
    k = (int32_t)tmp >> 23;
    iz = ix - (tmp & 0xff800000u);
    invc = pt_logf_table[i][0];
    logc = pt_logf_table[i][1];
    z = (double)pt_u2f(iz);
    r = z * invc - 1.0;
    y0 = logc + (double)k * ln2;
    r2 = r * r;
    y = a1 * r + a2;
    y = a0 * r2 + y;
    y = y * r2 + (y0 + r);
    return (float)y;
}

#define PT_FLT_MAX 3.402823466e+38f

static float pt_clamp_f32(float x, float lower, float upper) {
    float a = x < lower ? lower : x;
    return upper < a ? upper : a;
}

void pt_conv_f32(const pt_conv_f32_params *p, const float *in, const pt_operand *in_region,
                 float *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, oc = p->out_ch, m = p->depth_mult;
    const int32_t kh = p->h.filter, kw = p->w.filter, in_h = p->h.in_size, in_w = p->w.in_size;
    const int32_t dh = p->h.dilation, dw = p->w.dilation;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    int32_t b, oy, ox, o, fy, fx, c;
    for (b = 0; b < p->batches; b++) {
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            for (ox = col0; ox < col1; ox++) {
                const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
                float *y = out + b * out_batch + pt_pixel(out_region, oy, ox, oc);
                for (o = 0; o < oc; o++) {
                    float sum = 0.0f;
                    for (fy = 0; fy < kh; fy++) {
                        const int32_t iy = iy0 + dh * fy;
                        if (iy < 0 || iy >= in_h) continue;
                        for (fx = 0; fx < kw; fx++) {
                            const int32_t ix = ix0 + dw * fx;
                            const float *x;
                            if (ix < 0 || ix >= in_w) continue;
                            x = in + b * in_batch + pt_pixel(in_region, iy, ix, ic);
                            if (p->depthwise) {
                                sum = sum + x[o / m] * p->weights[(fy * kw + fx) * oc + o];
                            } else {
                                const float *w = p->weights + (fy * kw + fx) * ic * oc + o;
                                for (c = 0; c < ic; c++) sum = sum + x[c] * w[c * oc];
                            }
                        }
                    }
                    y[o] = pt_clamp_f32(sum + p->bias[o], p->act_min, p->act_max);
                }
            }
        }
    }
}

/* The depthwise conv (one output channel per input channel) written over its
 * input: each channel's plane is staged (the rest of the staging buffer
 * zeroed), then that channel's outputs overwrite it. */
void pt_depthwise_inplace_f32(const pt_conv_f32_params *p, float *buffer, const pt_operand *in_region,
                              const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                              float *staging, int32_t staging_floats) {
    const int32_t channels = p->in_ch, kh = p->h.filter, kw = p->w.filter;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t plane = in_region->h * in_region->w;
    int32_t c, k, oy, ox, fy, fx;
    for (c = 0; c < channels; c++) {
        memset(staging, 0, (size_t)staging_floats * sizeof(float));
        for (k = 0; k < plane; k++) staging[k] = buffer[k * channels + c];
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            for (ox = col0; ox < col1; ox++) {
                const int32_t ix0 = ox * p->w.stride - p->w.pad_before;
                float total = 0.0f;
                for (fy = 0; fy < kh; fy++) {
                    const int32_t iy = iy0 + dh * fy;
                    if (iy < 0 || iy >= in_h) continue;
                    for (fx = 0; fx < kw; fx++) {
                        const int32_t ix = ix0 + dw * fx;
                        if (ix < 0 || ix >= in_w) continue;
                        total = total + staging[(iy - in_region->y) * in_region->w + (ix - in_region->x)] * p->weights[(fy * kw + fx) * channels + c];
                    }
                }
                buffer[pt_pixel(out_region, oy, ox, channels) + c] = pt_clamp_f32(total + p->bias[c], p->act_min, p->act_max);
            }
        }
    }
}

void pt_pool_f32(const pt_pool_f32_params *p, const float *in, const pt_operand *in_region,
                 float *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
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
                float *y = out + b * out_batch + pt_pixel(out_region, oy, ox, ch);
                float count = 0.0f;
                for (c = 0; c < ch; c++) y[c] = p->average ? 0.0f : -PT_FLT_MAX;
                if (fy0 < fy1 && fx0 < fx1) {
                    for (fy = fy0; fy < fy1; fy++) {
                        for (fx = fx0; fx < fx1; fx++) {
                            const float *x = in + b * in_batch + pt_pixel(in_region, iy0 + fy, ix0 + fx, ch);
                            if (p->average) {
                                for (c = 0; c < ch; c++) y[c] = y[c] + x[c];
                            } else {
                                for (c = 0; c < ch; c++) y[c] = y[c] < x[c] ? x[c] : y[c];
                            }
                            count = count + 1.0f;
                        }
                    }
                }
                for (c = 0; c < ch; c++) y[c] = pt_clamp_f32(p->average ? y[c] / count : y[c], p->act_min, p->act_max);
            }
        }
    }
}

void pt_fc_f32(const pt_fc_f32_params *p, const float *in, float *out) {
    const int32_t depth = p->in_depth, oc = p->out_depth;
    int32_t b, o, d;
    for (b = 0; b < p->batches; b++) {
        const float *x = in + b * depth;
        float *y = out + b * oc;
        for (o = 0; o < oc; o++) {
            float sum = 0.0f;
            for (d = 0; d < depth; d++) sum = sum + x[d] * p->weights[d * oc + o];
            y[o] = pt_clamp_f32(sum + p->bias[o], p->act_min, p->act_max);
        }
    }
}

float pt_unary_f32(const pt_unary_f32_params *p, float x) {
    switch (p->kind) {
    case PT_UNARY_RELU: return x < 0.0f ? 0.0f : x;
    case PT_UNARY_RELU6: return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
    case PT_UNARY_RELU_N1_TO_1: return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x);
    case PT_UNARY_LEAKY_RELU: return x > 0.0f ? x : x * p->alpha;
    case PT_UNARY_HARD_SWISH: {
        /* in * min(6, max(0, in + 3)) / 6, with std::min/std::max. */
        float shifted = x + 3.0f;
        float low = 0.0f < shifted ? shifted : 0.0f;
        float clamped = low < 6.0f ? low : 6.0f;
        return x * clamped / 6.0f;
    }
    case PT_UNARY_LOGISTIC:
        if (x > 16.619047164916992188f) return 1.0f;
        if (x < -9.0f) return pt_expf(x);
        return 1.0f / (1.0f + pt_expf(-x));
    default: return tanhf(x);
    }
}

float pt_binary_f32(int32_t kind, float a, float b, float lower, float upper) {
    switch (kind) {
    case PT_BINARY_ADD: return pt_clamp_f32(a + b, lower, upper);
    case PT_BINARY_SUB: return pt_clamp_f32(a - b, lower, upper);
    case PT_BINARY_MUL: return pt_clamp_f32(a * b, lower, upper);
    case PT_BINARY_MAXIMUM: return a > b ? a : b;
    default: return a < b ? a : b;
    }
}

/* TFLite's 4-D broadcast over whole tensors (a dimension of 1 repeats). */
void pt_broadcast_f32(const pt_binary_f32_params *p, const float *a, const float *b, float *y) {
    const int32_t *sa = p->shape_a, *sb = p->shape_b, *so = p->shape_out;
    int32_t ta[4], tb[4], acc, d, i0, i1, i2, i3, o = 0;
    for (acc = 1, d = 3; d >= 0; d--) { ta[d] = sa[d] == 1 ? 0 : acc; acc *= sa[d]; }
    for (acc = 1, d = 3; d >= 0; d--) { tb[d] = sb[d] == 1 ? 0 : acc; acc *= sb[d]; }
    for (i0 = 0; i0 < so[0]; i0++) for (i1 = 0; i1 < so[1]; i1++) for (i2 = 0; i2 < so[2]; i2++) {
        const int32_t ra = i0 * ta[0] + i1 * ta[1] + i2 * ta[2], rb = i0 * tb[0] + i1 * tb[1] + i2 * tb[2];
        for (i3 = 0; i3 < so[3]; i3++) {
            y[o++] = pt_binary_f32(p->kind, a[ra + i3 * ta[3]], b[rb + i3 * tb[3]], p->act_min, p->act_max);
        }
    }
}

void pt_softmax_f32(const pt_softmax_f32_params *p, const float *in, float *out) {
    int32_t r, c;
    for (r = 0; r < p->rows; r++) {
        const float *x = in + r * p->depth;
        float *y = out + r * p->depth;
        float maximum = -PT_FLT_MAX, sum = 0.0f;
        for (c = 0; c < p->depth; c++) if (x[c] > maximum) maximum = x[c];
        for (c = 0; c < p->depth; c++) {
            float e = pt_expf((x[c] - maximum) * p->beta);
            y[c] = e;
            sum = sum + e;
        }
        for (c = 0; c < p->depth; c++) y[c] = y[c] / sum;
    }
}

void pt_log_softmax_f32(const pt_softmax_f32_params *p, const float *in, float *out) {
    int32_t r, c;
    for (r = 0; r < p->rows; r++) {
        const float *x = in + r * p->depth;
        float *y = out + r * p->depth;
        float maximum = -PT_FLT_MAX, sum = 0.0f, log_sum;
        /* Swift's max(maximum, x): x when x >= maximum. */
        for (c = 0; c < p->depth; c++) maximum = x[c] >= maximum ? x[c] : maximum;
        for (c = 0; c < p->depth; c++) sum = sum + pt_expf(x[c] - maximum);
        log_sum = pt_logf(sum);
        for (c = 0; c < p->depth; c++) y[c] = x[c] - maximum - log_sum;
    }
}

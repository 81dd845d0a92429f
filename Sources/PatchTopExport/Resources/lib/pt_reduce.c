/* PatchTop firmware library: MEAN (int8 with TFLite Micro's
 * QuantizedMeanOrSum arithmetic; float32 summed in the reference's order),
 * int8 SOFTMAX and LOG_SOFTMAX (gemmlowp fixed point), as PatchTop's runtime
 * computes them (Mean.swift, Softmax.swift, LogSoftmax.swift). */
#include "pt_fixedpoint.h"
#include "pt_runtime.h"

/* Calls the reduction's inputs of the output starting at `base`, row-major. */
#define PT_FOR_REDUCED(p, base, i, BODY) do { \
    int32_t ra_, rb_, rc_, rd_; \
    for (ra_ = 0; ra_ < (p)->reduced[0]; ra_++) for (rb_ = 0; rb_ < (p)->reduced[1]; rb_++) \
    for (rc_ = 0; rc_ < (p)->reduced[2]; rc_++) { \
        int32_t row_ = (base) + ra_ * (p)->reduced_strides[0] + rb_ * (p)->reduced_strides[1] + rc_ * (p)->reduced_strides[2]; \
        for (rd_ = 0; rd_ < (p)->reduced[3]; rd_++) { int32_t i = row_ + rd_ * (p)->reduced_strides[3]; BODY; } \
    } } while (0)

#define PT_FOR_OUTPUT(p, o, base, BODY) do { \
    int32_t ka_, kb_, kc_, kd_, o = 0; \
    for (ka_ = 0; ka_ < (p)->kept[0]; ka_++) for (kb_ = 0; kb_ < (p)->kept[1]; kb_++) \
    for (kc_ = 0; kc_ < (p)->kept[2]; kc_++) for (kd_ = 0; kd_ < (p)->kept[3]; kd_++) { \
        int32_t base = ka_ * (p)->kept_strides[0] + kb_ * (p)->kept_strides[1] + kc_ * (p)->kept_strides[2] + kd_ * (p)->kept_strides[3]; \
        BODY; o++; \
    } } while (0)

static int8_t pt_mean_result(const pt_mean_params *p, int64_t acc) {
    const int64_t count = p->count;
    int64_t shifted = acc - (int64_t)p->in_zp * count;
    int32_t result;
    if (shifted >= INT32_MIN && shifted <= INT32_MAX) {
        result = pt_wrap_add(pt_requantize((int32_t)shifted, p->mean_mult, p->mean_shift), p->out_zp);
    } else {
        int64_t mean = (shifted + (shifted >= 0 ? count / 2 : -(count / 2))) / count;
        int32_t narrow = mean > INT32_MAX ? INT32_MAX : (mean < INT32_MIN ? INT32_MIN : (int32_t)mean);
        result = pt_wrap_add(pt_requantize(narrow, p->mult, p->shift), p->out_zp);
    }
    return (int8_t)pt_clamp(result, -128, 127);
}

void pt_mean_s8(const pt_mean_params *p, const int8_t *in, int8_t *out) {
    if (p->count <= 0) {
        int32_t i;
        for (i = 0; i < p->outputs; i++) out[i] = 0;
        return;
    }
    PT_FOR_OUTPUT(p, o, base, {
        int64_t acc = 0;
        PT_FOR_REDUCED(p, base, i, acc += in[i]);
        out[o] = pt_mean_result(p, acc);
    });
}

void pt_mean_f32(const pt_mean_params *p, const float *in, float *out) {
    const float count = (float)p->count;
    if (p->count <= 0) {
        int32_t i;
        for (i = 0; i < p->outputs; i++) out[i] = 0;
        return;
    }
    PT_FOR_OUTPUT(p, o, base, {
        float sum = 0;
        PT_FOR_REDUCED(p, base, i, sum = sum + in[i]);
        out[o] = sum / count;
    });
}

/* gemmlowp's exp on [-1/4, 0), Q0.31. */
static int32_t pt_exp_quarter(int32_t a) {
    const int32_t constant_term = 1895147668, one_third = 715827883;
    int32_t x = pt_wrap_add(a, 1 << 28);
    int32_t x2 = pt_srdhm(x, x), x3 = pt_srdhm(x2, x), x4 = pt_srdhm(x2, x2);
    int32_t x4_over_4 = pt_sat_mul_pot(x4, -2);
    int32_t poly = pt_sat_mul_pot(pt_wrap_add(pt_srdhm(pt_wrap_add(x4_over_4, x3), one_third), x2), -1);
    return pt_wrap_add(constant_term, pt_srdhm(constant_term, pt_wrap_add(x, poly)));
}

/* gemmlowp's exp_on_negative_values, `integer_bits` integer bits in, Q0.31 out. */
static int32_t pt_exp_negative(int32_t a, int32_t integer_bits) {
    static const int32_t barrel_exp[7] = { -2, -1, 0, 1, 2, 3, 4 };
    static const int32_t barrel_mult[7] = { 1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242 };
    const int32_t fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod = pt_wrap_sub(a & mask, one_quarter);
    int32_t result = pt_exp_quarter(pt_sat_mul_pot(a_mod, integer_bits));
    const int32_t remainder = pt_wrap_sub(a_mod, a);
    int k;
    for (k = 0; k < 7; k++) {
        if (integer_bits > barrel_exp[k]) {
            int32_t shift = fractional_bits + barrel_exp[k];
            if (remainder & (int32_t)((uint32_t)1 << shift)) result = pt_srdhm(result, barrel_mult[k]);
        }
    }
    if (integer_bits > 5) {
        int32_t clamp = -((int32_t)1 << (36 - integer_bits));
        if (a < clamp) result = 0;
    }
    if (a == 0) result = INT32_MAX;
    return result;
}

static int32_t pt_rounding_half_sum(int32_t a, int32_t b) {
    int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

static int32_t pt_one_over_one_plus_x(int32_t a) {
    int32_t half_denominator = pt_rounding_half_sum(a, INT32_MAX);
    int32_t x = pt_wrap_add(1515870810, pt_srdhm(half_denominator, -1010580540));
    int k;
    for (k = 0; k < 3; k++) {
        int32_t one_minus = pt_wrap_sub(1 << 29, pt_srdhm(half_denominator, x));
        x = pt_wrap_add(x, pt_sat_mul_pot(pt_srdhm(x, one_minus), 2));
    }
    return pt_sat_mul_pot(x, 1);
}

static int32_t pt_clz32(uint32_t v) {
    int32_t n = 0;
    if (v == 0) return 32;
    while (!(v & 0x80000000u)) { v <<= 1; n++; }
    return n;
}

void pt_softmax_s8(const pt_softmax_params *p, const int8_t *in, int8_t *out) {
    const int32_t depth = p->depth;
    int32_t r, c;
    for (r = 0; r < p->rows; r++) {
        const int8_t *x = in + r * depth;
        int8_t *y = out + r * depth;
        int32_t max_in_row = -128, sum = 0, headroom, over_unit, shifted_scale;
        for (c = 0; c < depth; c++) if (x[c] > max_in_row) max_in_row = x[c];
        for (c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff >= p->diff_min) {
                int32_t d = pt_srdhm(pt_wrap_mul(diff, (int32_t)((uint32_t)1 << p->input_left_shift)), p->input_multiplier);
                int32_t e = pt_sat_mul_pot(pt_exp_negative(d, 5), -12);
                int64_t s = (int64_t)sum + e;
                sum = s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MAX : (int32_t)s);
            }
        }
        headroom = pt_clz32((uint32_t)sum);
        over_unit = 12 - headroom;
        shifted_scale = pt_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
        for (c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff >= p->diff_min) {
                int32_t d = pt_srdhm(pt_wrap_mul(diff, (int32_t)((uint32_t)1 << p->input_left_shift)), p->input_multiplier);
                int32_t e = pt_exp_negative(d, 5);
                int32_t unsat = pt_rdbpot(pt_srdhm(shifted_scale, e), over_unit + 31 - 8);
                y[c] = (int8_t)pt_clamp(unsat - 128, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}

static int32_t pt_sat_add(int32_t a, int32_t b) {
    int64_t s = (int64_t)a + b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

static int32_t pt_sat_sub(int32_t a, int32_t b) {
    int64_t s = (int64_t)a - b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/* gemmlowp's log_x_for_x_greater_than_or_equal_to_1. */
static int32_t pt_log_x(int32_t x, int32_t input_integer_bits, int32_t output_integer_bits) {
    const int32_t accum = output_integer_bits + 1;
    const int32_t log2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250, one_quarter = 536870912;
    const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
    int32_t shifted_quarter = pt_sat_mul_pot(one_quarter, -accum);
    int32_t za = x, za_headroom = pt_clz32((uint32_t)za);
    int32_t ra = pt_sat_mul_pot(pt_srdhm(pt_sat_mul_pot(za, za_headroom - 1), sqrt_half), 1);
    int32_t za_adj = pt_sat_add(pt_sat_mul_pot(input_integer_bits - za_headroom, 31 - accum), shifted_quarter);
    int32_t zb = pt_srdhm(za, sqrt_half), zb_headroom = pt_clz32((uint32_t)zb) - 1;
    int32_t rb = pt_sat_mul_pot(za, zb_headroom);
    int32_t zb_adj = pt_sat_sub(pt_sat_mul_pot(input_integer_bits - zb_headroom, 31 - accum), shifted_quarter);
    int32_t r = ra < rb ? ra : rb, z_adj = za_adj > zb_adj ? za_adj : zb_adj;
    int32_t pp = pt_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = pt_wrap_sub(r, sqrt_sqrt_half), common, num, den, recip, num_scaled, sum;
    q = pt_wrap_add(q, q);
    common = pt_srdhm(q, q);
    num = pt_wrap_add(pt_srdhm(q, r), pt_srdhm(pt_srdhm(q, common), alpha_n));
    den = pt_wrap_add(pt_srdhm(pp, pt_wrap_add(pt_wrap_add(alpha_i, q), pt_srdhm(alpha_d, common))), pt_srdhm(alpha_f, q));
    recip = pt_one_over_one_plus_x(den);
    num_scaled = pt_sat_mul_pot(num, -accum);
    sum = pt_wrap_add(pt_srdhm(z_adj, log2), pt_srdhm(num_scaled, recip));
    return pt_sat_mul_pot(sum, accum - output_integer_bits);
}

void pt_log_softmax_s8(const pt_log_softmax_params *p, const int8_t *in, int8_t *out) {
    const int32_t depth = p->depth;
    int32_t r, c;
    for (r = 0; r < p->rows; r++) {
        const int8_t *x = in + r * depth;
        int8_t *y = out + r * depth;
        int32_t max_in_row = -128, sum = 0, log_sum, adjusted, scaled_log;
        for (c = 0; c < depth; c++) if (x[c] > max_in_row) max_in_row = x[c];
        for (c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff >= p->diff_min) {
                int32_t scaled = pt_requantize(diff, p->input_multiplier, p->input_left_shift);
                sum = pt_wrap_add(sum, pt_sat_mul_pot(pt_exp_negative(scaled, 5), -12));
            }
        }
        log_sum = pt_log_x(sum, 12, 5);
        scaled_log = pt_requantize(pt_wrap_add(log_sum, INT32_MIN), p->reverse_divisor, p->reverse_shift);
        adjusted = p->diff_min - 1 > scaled_log ? p->diff_min - 1 : scaled_log;
        for (c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff > adjusted) {
                int32_t scaled = pt_requantize(diff, p->input_multiplier, p->input_left_shift);
                int32_t value = pt_wrap_add(pt_rdbpot(pt_wrap_sub(scaled, log_sum), 31 - 5 - 4), 127);
                y[c] = (int8_t)pt_clamp(value, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}

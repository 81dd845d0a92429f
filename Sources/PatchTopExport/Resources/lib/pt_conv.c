/* PatchTop firmware library: int8 CONV_2D (TFLite Micro's ConvPerChannel),
 * over any rectangle of the output, the input and output each held as a
 * region of their tensor. Exact: int32 accumulation (wrapping, as the
 * reference does on every real machine), bias, MultiplyByQuantizedMultiplier,
 * output offset, clamp.
 *
 * sum((x + off) * f) = sum(x * f) + off * sum(f) in wrapping int32
 * arithmetic, so the loops multiply raw bytes: an output whose window lies
 * inside the image starts from full_bias = bias + off * sum(f) (computed by
 * the exporter), one at the image's edge adds off * sum(f) over its taps.
 * Inside the image, two output pixels and two output channels are computed
 * together (each input word feeds two channels, each filter word two
 * pixels); on cores with the DSP extension through SXTB16 + SMLAD, two MACs
 * an instruction. */
#include <string.h>

#include "pt_fixedpoint.h"
#include "pt_runtime.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define PT_DSP 1
/* The 1x1 loops' inline assembly takes 14 registers, so no frame pointer
 * may hold one: GCC optimizing (which omits it unless told
 * -fno-omit-frame-pointer); Clang and GCC -O0 get the portable C. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#define PT_ASM14 1
#endif
static inline int32_t pt_ror8(int32_t v) { return (int32_t)(((uint32_t)v >> 8) | ((uint32_t)v << 24)); }
#endif

#if defined(__GNUC__)
#define PT_INLINE static inline __attribute__((always_inline))
#else
#define PT_INLINE static inline
#endif

PT_INLINE int32_t pt_load32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* acc += x . f over n bytes. */
static int32_t pt_dot(const int8_t *x, const int8_t *f, int32_t n, int32_t acc) {
    int32_t c = 0;
#if defined(PT_DSP)
    for (; c + 4 <= n; c += 4) {
        int32_t wx = pt_load32(x + c), wf = pt_load32(f + c);
        acc = __smlad(__sxtb16(wx), __sxtb16(wf), acc);
        acc = __smlad(__sxtb16(pt_ror8(wx)), __sxtb16(pt_ror8(wf)), acc);
    }
#endif
    for (; c < n; c++) acc = pt_wrap_add(acc, x[c] * f[c]);
    return acc;
}

/* acc[0] += xa.fa, acc[1] += xa.fb, acc[2] += xb.fa, acc[3] += xb.fb over n bytes. */
PT_INLINE void pt_dot_2x2(const int8_t *xa, const int8_t *xb, const int8_t *fa, const int8_t *fb, int32_t n, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], c = 0;
#if defined(PT_DSP)
    for (; c + 4 <= n; c += 4) {
        int32_t wa = pt_load32(xa + c), wb = pt_load32(xb + c);
        int32_t ga = pt_load32(fa + c), gb = pt_load32(fb + c);
        int32_t xa0 = __sxtb16(wa), xa1 = __sxtb16(pt_ror8(wa));
        int32_t xb0 = __sxtb16(wb), xb1 = __sxtb16(pt_ror8(wb));
        int32_t fa0 = __sxtb16(ga), fa1 = __sxtb16(pt_ror8(ga));
        int32_t fb0 = __sxtb16(gb), fb1 = __sxtb16(pt_ror8(gb));
        a0 = __smlad(xa0, fa0, a0); a0 = __smlad(xa1, fa1, a0);
        a1 = __smlad(xa0, fb0, a1); a1 = __smlad(xa1, fb1, a1);
        a2 = __smlad(xb0, fa0, a2); a2 = __smlad(xb1, fa1, a2);
        a3 = __smlad(xb0, fb0, a3); a3 = __smlad(xb1, fb1, a3);
    }
#endif
    for (; c < n; c++) {
        int32_t va = xa[c], vb = xb[c], ka = fa[c], kb = fb[c];
        a0 = pt_wrap_add(a0, va * ka);
        a1 = pt_wrap_add(a1, va * kb);
        a2 = pt_wrap_add(a2, vb * ka);
        a3 = pt_wrap_add(a3, vb * kb);
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

PT_INLINE int8_t pt_conv_finish(const pt_conv_params *p, int32_t acc, int32_t o) {
    if (p->rq != NULL) {
        /* The exporter's bound covers accumulators at the image's edge too. */
        return (int8_t)pt_clamp(pt_requantize_fast(acc, p->rq[3 * o], p->rq[3 * o + 1], p->rq[3 * o + 2]), p->act_min, p->act_max);
    }
    acc = pt_wrap_add(pt_requantize(acc, p->mult[o], p->shift[o]), p->out_offset);
    return (int8_t)pt_clamp(acc, p->act_min, p->act_max);
}

/* One output pixel whose window may leave the image: taps fy0..fy1, fx0..fx1. */
static void pt_conv_edge(const pt_conv_params *p, const int8_t *xb, const pt_operand *in_region, int8_t *y,
                         int32_t iy0, int32_t ix0, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1) {
    const int32_t ic = p->in_ch, kh = p->h.filter, kw = p->w.filter, dh = p->h.dilation, dw = p->w.dilation;
    int32_t o, fy, fx, c;
    for (o = 0; o < p->out_ch; o++) {
        int32_t acc = 0, fsum = 0;
        for (fy = fy0; fy < fy1; fy++) {
            const int8_t *xrow = xb + pt_pixel(in_region, iy0 + dh * fy, ix0, ic);
            const int8_t *frow = p->filter + ((o * kh + fy) * kw) * ic;
            for (fx = fx0; fx < fx1; fx++) {
                acc = pt_dot(xrow + dw * fx * ic, frow + fx * ic, ic, acc);
                for (c = 0; c < ic; c++) fsum += frow[fx * ic + c];
            }
        }
        acc = pt_wrap_add(acc, pt_wrap_mul(fsum, p->in_offset));
        if (p->bias) acc = pt_wrap_add(acc, p->bias[o]);
        y[o] = pt_conv_finish(p, acc, o);
    }
}

/* The requantized output byte (the exporter's fast form, pt_fixedpoint.h);
 * `full`: the activation range is all of int8, a saturation. */
PT_INLINE int8_t pt_rq_out(int32_t acc, const int32_t *rq, int32_t full, int32_t lo, int32_t hi) {
    const int32_t v = pt_requantize_fast(acc, rq[0], rq[1], rq[2]);
#if defined(PT_DSP)
    if (full) return (int8_t)__ssat(v, 8);
#endif
    return (int8_t)pt_clamp(v, full ? -128 : lo, full ? 127 : hi);
}

#if defined(PT_ASM14)
/* One step of the paired 1x1 loop: 4 input channels of pixels a ([pa]) and
 * b ([pa + step]) against the next two filter words (channels o and o+1). */
#define PT_1X1_STEP \
    "ldr %[t1], [%[pa], %[step]]\n\t" \
    "ldr %[t0], [%[pa]], #4\n\t" \
    "ldr %[t4], [%[pf]], #4\n\t" \
    "sxtb16 %[t2], %[t0]\n\t" \
    "sxtb16 %[t0], %[t0], ror #8\n\t" \
    "sxtb16 %[t3], %[t1]\n\t" \
    "sxtb16 %[t1], %[t1], ror #8\n\t" \
    "sxtb16 %[t5], %[t4]\n\t" \
    "sxtb16 %[t4], %[t4], ror #8\n\t" \
    "smlad %[a0], %[t2], %[t5], %[a0]\n\t" \
    "smlad %[a2], %[t3], %[t5], %[a2]\n\t" \
    "smlad %[a0], %[t0], %[t4], %[a0]\n\t" \
    "smlad %[a2], %[t1], %[t4], %[a2]\n\t" \
    "ldr %[t4], [%[pf]], #4\n\t" \
    "sxtb16 %[t5], %[t4]\n\t" \
    "sxtb16 %[t4], %[t4], ror #8\n\t" \
    "smlad %[a1], %[t2], %[t5], %[a1]\n\t" \
    "smlad %[a3], %[t3], %[t5], %[a3]\n\t" \
    "smlad %[a1], %[t0], %[t4], %[a1]\n\t" \
    "smlad %[a3], %[t1], %[t4], %[a3]\n\t"
#endif

/* acc[0..3] += (pixel a, ch o), (a, o+1), (b, o), (b, o+1) over ic input
 * channels (a multiple of 4): pixel a at xa, b at xa + step, the pair's
 * filter interleaved a word of each channel at a time from f. */
PT_INLINE void pt_1x1_block(const int8_t *xa, int32_t step, const int8_t *f, int32_t ic, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#if defined(PT_ASM14)
    const int8_t *pa = xa, *pf = f, *end = xa + ic;
    int32_t t0, t1, t2, t3, t4, t5;
    if ((ic & 7) == 0) {
        __asm__("1:\n\t" PT_1X1_STEP PT_1X1_STEP
                "cmp %[pa], %[end]\n\t"
                "bne 1b\n\t"
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [pa] "+r"(pa), [pf] "+r"(pf),
                  [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
                : [step] "r"(step), [end] "r"(end)
                : "cc", "memory");
    } else {
        __asm__("1:\n\t" PT_1X1_STEP
                "cmp %[pa], %[end]\n\t"
                "bne 1b\n\t"
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [pa] "+r"(pa), [pf] "+r"(pf),
                  [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
                : [step] "r"(step), [end] "r"(end)
                : "cc", "memory");
    }
#else
    const int8_t *xb = xa + step;
    int32_t c, j;
    for (c = 0; c < ic; c += 4, f += 8) {
        for (j = 0; j < 4; j++) {
            const int32_t va = xa[c + j], vb = xb[c + j], ka = f[j], kb = f[4 + j];
            a0 = pt_wrap_add(a0, va * ka); a1 = pt_wrap_add(a1, va * kb);
            a2 = pt_wrap_add(a2, vb * ka); a3 = pt_wrap_add(a3, vb * kb);
        }
    }
#endif
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

#if defined(PT_ASM14)
/* Two pixels (a at xa, b at xa + step) against every channel pair of a
 * paired filter, saturating to int8 (the activation range is all of int8):
 * one assembly loop over the pairs, its accumulators, requantization and
 * stores in registers; the per-pair pointers in a small context in memory
 * (14 registers are the MAC loop's). */
static void pt_1x1_pairs(const int8_t *xa, int32_t step, const int8_t *f, int32_t ic, int8_t *y, int32_t oc,
                         const int32_t *rq, const int32_t *fb) {
    /* {xa, end, y, oc, rq, fb, pairs} */
    int32_t ctx[7];
    int32_t a0, a1, a2, a3, t0, t1, t2, t3, t4, t5;
    const int8_t *pa, *pf = f;
    ctx[0] = (int32_t)(intptr_t)xa;
    ctx[1] = (int32_t)(intptr_t)(xa + ic);
    ctx[2] = (int32_t)(intptr_t)y;
    ctx[3] = oc;
    ctx[4] = (int32_t)(intptr_t)rq;
    ctx[5] = (int32_t)(intptr_t)fb;
    ctx[6] = oc >> 1;
#define PT_1X1_PAIRS(LOOP) \
        __asm__ volatile( \
            "2:\n\t" \
            "ldr %[t0], [%[c], #20]\n\t" \
            "ldrd %[a0], %[a1], [%[t0]], #8\n\t" \
            "str %[t0], [%[c], #20]\n\t" \
            "mov %[a2], %[a0]\n\t" \
            "mov %[a3], %[a1]\n\t" \
            "ldr %[pa], [%[c]]\n\t" \
            "1:\n\t" LOOP \
            "ldr %[t0], [%[c], #4]\n\t" \
            "cmp %[pa], %[t0]\n\t" \
            "bne 1b\n\t" \
            "ldr %[t5], [%[c], #16]\n\t" \
            "ldrd %[t0], %[t1], [%[t5]]\n\t" \
            "ldr %[t2], [%[t5], #8]\n\t" \
            "add %[t3], %[t1], %[a2], asr #31\n\t" \
            "add %[t1], %[t1], %[a0], asr #31\n\t" \
            "lsl %[a0], %[a0], #1\n\t" \
            "lsl %[a2], %[a2], #1\n\t" \
            "smmlar %[a0], %[a0], %[t0], %[t1]\n\t" \
            "smmlar %[a2], %[a2], %[t0], %[t3]\n\t" \
            "asr %[a0], %[a0], %[t2]\n\t" \
            "asr %[a2], %[a2], %[t2]\n\t" \
            "ssat %[a0], #8, %[a0]\n\t" \
            "ssat %[a2], #8, %[a2]\n\t" \
            "ldr %[t0], [%[t5], #12]\n\t" \
            "ldrd %[t1], %[t2], [%[t5], #16]\n\t" \
            "add %[t5], %[t5], #24\n\t" \
            "str %[t5], [%[c], #16]\n\t" \
            "add %[t3], %[t1], %[a3], asr #31\n\t" \
            "add %[t1], %[t1], %[a1], asr #31\n\t" \
            "lsl %[a1], %[a1], #1\n\t" \
            "lsl %[a3], %[a3], #1\n\t" \
            "smmlar %[a1], %[a1], %[t0], %[t1]\n\t" \
            "smmlar %[a3], %[a3], %[t0], %[t3]\n\t" \
            "asr %[a1], %[a1], %[t2]\n\t" \
            "asr %[a3], %[a3], %[t2]\n\t" \
            "ssat %[a1], #8, %[a1]\n\t" \
            "ssat %[a3], #8, %[a3]\n\t" \
            "ldrd %[t0], %[t1], [%[c], #8]\n\t" \
            "strb %[a0], [%[t0]]\n\t" \
            "strb %[a1], [%[t0], #1]\n\t" \
            "add %[t2], %[t0], %[t1]\n\t" \
            "strb %[a2], [%[t2]]\n\t" \
            "strb %[a3], [%[t2], #1]\n\t" \
            "add %[t0], %[t0], #2\n\t" \
            "str %[t0], [%[c], #8]\n\t" \
            "ldr %[t0], [%[c], #24]\n\t" \
            "subs %[t0], %[t0], #1\n\t" \
            "str %[t0], [%[c], #24]\n\t" \
            "bne 2b\n\t" \
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [pa] "=&r"(pa), [pf] "+&r"(pf), \
              [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5) \
            : [c] "r"(ctx), [step] "r"(step) \
            : "cc", "memory")
    if ((ic & 7) == 0) PT_1X1_PAIRS(PT_1X1_STEP PT_1X1_STEP);
    else PT_1X1_PAIRS(PT_1X1_STEP);
#undef PT_1X1_PAIRS
    (void)a0; (void)a1; (void)a2; (void)a3; (void)t0; (void)t1; (void)t2; (void)t3; (void)t4; (void)t5; (void)pa;
}
#endif

#if defined(PT_ASM14)
/* Input channels up to which a 1x1 conv's pixel pair is sign-extended
 * once into a buffer on the stack (4 bytes an input channel). */
#ifndef PT_1X1_EXT_MAX
#define PT_1X1_EXT_MAX 512
#endif

/* One word of four channels of both pixels, extended (and doubled with
 * SADD16 when D is "sadd16": -256..254 stays in a half; "@" skips it). */
#define PT_1X1_EXT_CHUNK(D) \
    "ldr %[t1], [%[xa], %[step]]\n\t" \
    "ldr %[t3], [%[xa]], #4\n\t" \
    "sxtb16 %[t0], %[t3]\n\t" \
    "sxtb16 %[t3], %[t3], ror #8\n\t" \
    "sxtb16 %[t2], %[t1]\n\t" \
    "sxtb16 %[t1], %[t1], ror #8\n\t" \
    D " %[t0], %[t0], %[t0]\n\t" \
    D " %[t3], %[t3], %[t3]\n\t" \
    D " %[t2], %[t2], %[t2]\n\t" \
    D " %[t1], %[t1], %[t1]\n\t" \
    "strd %[t0], %[t3], [%[ext]], #16\n\t" \
    "strd %[t2], %[t1], [%[ext], #-8]\n\t"
#define PT_1X1_EXT(PRE, LOOP) \
    __asm__ volatile( \
        PRE \
        "cmp %[xa], %[end]\n\t" \
        "beq 2f\n\t" \
        "1:\n\t" LOOP \
        "cmp %[xa], %[end]\n\t" \
        "bne 1b\n\t" \
        "2:\n\t" \
        : [xa] "+r"(xa), [ext] "+r"(ext), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3) \
        : [step] "r"(step), [end] "r"(end) \
        : "cc", "memory")

/* Pixels a (xa) and b (xa + step), ic bytes each (a multiple of 4),
 * sign-extended (doubled with `twice`): per 4 channels {SXTB16(a),
 * SXTB16(a ror 8), SXTB16(b), SXTB16(b ror 8)}, the halves in the order
 * SXTB16 gives the filter's. */
PT_INLINE void pt_1x1_extend(const int8_t *xa, int32_t step, int32_t ic, int32_t *ext, int32_t twice) {
    const int8_t *end = xa + ic;
    int32_t t0, t1, t2, t3;
    /* An odd word first, then two an iteration. */
    if (twice) {
        if (ic & 4) PT_1X1_EXT(PT_1X1_EXT_CHUNK("sadd16"), PT_1X1_EXT_CHUNK("sadd16") PT_1X1_EXT_CHUNK("sadd16"));
        else PT_1X1_EXT("", PT_1X1_EXT_CHUNK("sadd16") PT_1X1_EXT_CHUNK("sadd16"));
    } else {
        if (ic & 4) PT_1X1_EXT(PT_1X1_EXT_CHUNK("@"), PT_1X1_EXT_CHUNK("@") PT_1X1_EXT_CHUNK("@"));
        else PT_1X1_EXT("", PT_1X1_EXT_CHUNK("@") PT_1X1_EXT_CHUNK("@"));
    }
}
#undef PT_1X1_EXT
#undef PT_1X1_EXT_CHUNK

/* One step of the extended 1x1 loop: 4 input channels of both pixels
 * (already extended, [pa]) against the next two filter words (channels o
 * and o+1): 2 LDRD, 2 LDR, 4 SXTB16 and 8 SMLAD for 16 MACs. */
#define PT_1X1X_STEP \
    "ldrd %[x0], %[x1], [%[pa]], #16\n\t" \
    "ldrd %[x2], %[x3], [%[pa], #-8]\n\t" \
    "ldr %[t1], [%[pf]], #4\n\t" \
    "sxtb16 %[t0], %[t1]\n\t" \
    "sxtb16 %[t1], %[t1], ror #8\n\t" \
    "smlad %[a0], %[x0], %[t0], %[a0]\n\t" \
    "smlad %[a2], %[x2], %[t0], %[a2]\n\t" \
    "smlad %[a0], %[x1], %[t1], %[a0]\n\t" \
    "smlad %[a2], %[x3], %[t1], %[a2]\n\t" \
    "ldr %[t1], [%[pf]], #4\n\t" \
    "sxtb16 %[t0], %[t1]\n\t" \
    "sxtb16 %[t1], %[t1], ror #8\n\t" \
    "smlad %[a1], %[x0], %[t0], %[a1]\n\t" \
    "smlad %[a3], %[x2], %[t0], %[a3]\n\t" \
    "smlad %[a1], %[x1], %[t1], %[a1]\n\t" \
    "smlad %[a3], %[x3], %[t1], %[a3]\n\t"

/* Two pixels (a at xa, b at xa + step) against every channel pair of a
 * paired filter, saturating to int8, the pixels sign-extended once
 * (pt_1x1_extend): one assembly loop over the pairs, accumulators,
 * requantization and stores in registers, the per-pair pointers in a small
 * context in memory. */
/* The same against sign-extended weights (pt_conv_params.wide): 2 LDRD of
 * the pixels, 2 LDRD of the weights, 8 SMLAD for 16 MACs. */
#define PT_1X1W_STEP \
    "ldrd %[x0], %[x1], [%[pa]], #16\n\t" \
    "ldrd %[x2], %[x3], [%[pa], #-8]\n\t" \
    "ldrd %[t0], %[t1], [%[pf]], #8\n\t" \
    "smlad %[a0], %[x0], %[t0], %[a0]\n\t" \
    "smlad %[a2], %[x2], %[t0], %[a2]\n\t" \
    "smlad %[a0], %[x1], %[t1], %[a0]\n\t" \
    "smlad %[a2], %[x3], %[t1], %[a2]\n\t" \
    "ldrd %[t0], %[t1], [%[pf]], #8\n\t" \
    "smlad %[a1], %[x0], %[t0], %[a1]\n\t" \
    "smlad %[a3], %[x2], %[t0], %[a3]\n\t" \
    "smlad %[a1], %[x1], %[t1], %[a1]\n\t" \
    "smlad %[a3], %[x3], %[t1], %[a3]\n\t"

static void pt_1x1_pairs_ext(const int8_t *xa, int32_t step, const int8_t *f, const int32_t *wide, int32_t ic, int8_t *y,
                             int32_t oc, const int32_t *rq, const int32_t *fb) {
    int32_t ext[PT_1X1_EXT_MAX];
    /* {ext, y, oc, rq, fb, f_end} */
    int32_t ctx[6];
    int32_t a0, a1, a2, a3, x0, x1, x2, x3, t0, t1;
    const int8_t *pa, *pf = wide != NULL ? (const int8_t *)wide : f, *end = (const int8_t *)ext + 4 * ic;
    pt_1x1_extend(xa, step, ic, ext, wide != NULL);
    ctx[0] = (int32_t)(intptr_t)ext;
    ctx[1] = (int32_t)(intptr_t)y;
    ctx[2] = oc;
    ctx[3] = (int32_t)(intptr_t)rq;
    ctx[4] = (int32_t)(intptr_t)fb;
    ctx[5] = (int32_t)(intptr_t)(pf + (oc >> 1) * (wide != NULL ? 4 * ic + 32 : 2 * ic));
#define PT_1X1X_PAIRS(LOOP) PT_1X1X_PAIRS2("", LOOP)
#define PT_1X1X_PAIRS2(PRE, LOOP) \
        __asm__ volatile( \
            "2:\n\t" \
            "ldr %[t0], [%[c], #16]\n\t" \
            "ldrd %[a0], %[a1], [%[t0]], #8\n\t" \
            "str %[t0], [%[c], #16]\n\t" \
            "mov %[a2], %[a0]\n\t" \
            "mov %[a3], %[a1]\n\t" \
            "ldr %[pa], [%[c]]\n\t" \
            PRE "1:\n\t" LOOP \
            "cmp %[pa], %[end]\n\t" \
            "bne 1b\n\t" \
            "ldr %[pa], [%[c], #12]\n\t" \
            "ldrd %[x0], %[x1], [%[pa]]\n\t" \
            "ldr %[x2], [%[pa], #8]\n\t" \
            "add %[t0], %[x1], %[a0], asr #31\n\t" \
            "add %[t1], %[x1], %[a2], asr #31\n\t" \
            "lsl %[a0], %[a0], #1\n\t" \
            "lsl %[a2], %[a2], #1\n\t" \
            "smmlar %[a0], %[a0], %[x0], %[t0]\n\t" \
            "smmlar %[a2], %[a2], %[x0], %[t1]\n\t" \
            "asr %[a0], %[a0], %[x2]\n\t" \
            "asr %[a2], %[a2], %[x2]\n\t" \
            "ssat %[a0], #8, %[a0]\n\t" \
            "ssat %[a2], #8, %[a2]\n\t" \
            "ldr %[x0], [%[pa], #12]\n\t" \
            "ldrd %[x1], %[x2], [%[pa], #16]\n\t" \
            "add %[pa], %[pa], #24\n\t" \
            "str %[pa], [%[c], #12]\n\t" \
            "add %[t0], %[x1], %[a1], asr #31\n\t" \
            "add %[t1], %[x1], %[a3], asr #31\n\t" \
            "lsl %[a1], %[a1], #1\n\t" \
            "lsl %[a3], %[a3], #1\n\t" \
            "smmlar %[a1], %[a1], %[x0], %[t0]\n\t" \
            "smmlar %[a3], %[a3], %[x0], %[t1]\n\t" \
            "asr %[a1], %[a1], %[x2]\n\t" \
            "asr %[a3], %[a3], %[x2]\n\t" \
            "ssat %[a1], #8, %[a1]\n\t" \
            "ssat %[a3], #8, %[a3]\n\t" \
            "ldrd %[t0], %[t1], [%[c], #4]\n\t" \
            "strb %[a2], [%[t0], %[t1]]\n\t" \
            "strb %[a0], [%[t0]], #1\n\t" \
            "strb %[a3], [%[t0], %[t1]]\n\t" \
            "strb %[a1], [%[t0]], #1\n\t" \
            "str %[t0], [%[c], #4]\n\t" \
            "ldr %[t0], [%[c], #20]\n\t" \
            "cmp %[pf], %[t0]\n\t" \
            "bne 2b\n\t" \
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [pa] "=&r"(pa), [pf] "+&r"(pf), \
              [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [t0] "=&r"(t0), [t1] "=&r"(t1) \
            : [c] "r"(ctx), [end] "r"(end) \
            : "cc", "memory")
/* The wide records: per channel pair {2 full_bias(o), 2 full_bias(o+1)},
 * the pair's extended weights, {m, base, e} of o and of o+1, read in one
 * stream; the pixels doubled (pt_1x1_extend), so the accumulators are
 * already 2x for SMMLAR. */
#define PT_1X1W_PAIRS(LOOP) PT_1X1W_PAIRS2("", LOOP)
#define PT_1X1W_PAIRS2(PRE, LOOP) \
        __asm__ volatile( \
            "2:\n\t" \
            "ldrd %[a0], %[a1], [%[pf]], #8\n\t" \
            "mov %[a2], %[a0]\n\t" \
            "mov %[a3], %[a1]\n\t" \
            "ldr %[pa], [%[c]]\n\t" \
            PRE "1:\n\t" LOOP \
            "cmp %[pa], %[end]\n\t" \
            "bne 1b\n\t" \
            "ldrd %[x0], %[x1], [%[pf]], #8\n\t" \
            "ldr %[x2], [%[pf]], #4\n\t" \
            "add %[t0], %[x1], %[a0], asr #31\n\t" \
            "add %[t1], %[x1], %[a2], asr #31\n\t" \
            "smmlar %[a0], %[a0], %[x0], %[t0]\n\t" \
            "smmlar %[a2], %[a2], %[x0], %[t1]\n\t" \
            "asr %[a0], %[a0], %[x2]\n\t" \
            "asr %[a2], %[a2], %[x2]\n\t" \
            "ssat %[a0], #8, %[a0]\n\t" \
            "ssat %[a2], #8, %[a2]\n\t" \
            "ldr %[x0], [%[pf]], #4\n\t" \
            "ldrd %[x1], %[x2], [%[pf]], #8\n\t" \
            "add %[t0], %[x1], %[a1], asr #31\n\t" \
            "add %[t1], %[x1], %[a3], asr #31\n\t" \
            "smmlar %[a1], %[a1], %[x0], %[t0]\n\t" \
            "smmlar %[a3], %[a3], %[x0], %[t1]\n\t" \
            "asr %[a1], %[a1], %[x2]\n\t" \
            "asr %[a3], %[a3], %[x2]\n\t" \
            "ssat %[a1], #8, %[a1]\n\t" \
            "ssat %[a3], #8, %[a3]\n\t" \
            "ldrd %[t0], %[t1], [%[c], #4]\n\t" \
            "strb %[a2], [%[t0], %[t1]]\n\t" \
            "strb %[a0], [%[t0]], #1\n\t" \
            "strb %[a3], [%[t0], %[t1]]\n\t" \
            "strb %[a1], [%[t0]], #1\n\t" \
            "str %[t0], [%[c], #4]\n\t" \
            "ldr %[t0], [%[c], #20]\n\t" \
            "cmp %[pf], %[t0]\n\t" \
            "bne 2b\n\t" \
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [pa] "=&r"(pa), [pf] "+&r"(pf), \
              [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [t0] "=&r"(t0), [t1] "=&r"(t1) \
            : [c] "r"(ctx), [end] "r"(end) \
            : "cc", "memory")
    /* n = ic / 4 steps: 4 a loop iteration, after 2 (n = 4k + 2 >= 6) or 1
     * (n odd >= 3, then 2 an iteration) before the loop. */
    if (wide != NULL) {
        if ((ic & 15) == 0) PT_1X1W_PAIRS(PT_1X1W_STEP PT_1X1W_STEP PT_1X1W_STEP PT_1X1W_STEP);
        else if ((ic & 15) == 8 && ic >= 24)
            PT_1X1W_PAIRS2(PT_1X1W_STEP PT_1X1W_STEP, PT_1X1W_STEP PT_1X1W_STEP PT_1X1W_STEP PT_1X1W_STEP);
        else if ((ic & 7) == 0) PT_1X1W_PAIRS(PT_1X1W_STEP PT_1X1W_STEP);
        else if (ic >= 12) PT_1X1W_PAIRS2(PT_1X1W_STEP, PT_1X1W_STEP PT_1X1W_STEP);
        else PT_1X1W_PAIRS(PT_1X1W_STEP);
    } else if ((ic & 15) == 0) PT_1X1X_PAIRS(PT_1X1X_STEP PT_1X1X_STEP PT_1X1X_STEP PT_1X1X_STEP);
    else if ((ic & 15) == 8 && ic >= 24)
        PT_1X1X_PAIRS2(PT_1X1X_STEP PT_1X1X_STEP, PT_1X1X_STEP PT_1X1X_STEP PT_1X1X_STEP PT_1X1X_STEP);
    else if ((ic & 7) == 0) PT_1X1X_PAIRS(PT_1X1X_STEP PT_1X1X_STEP);
    else if (ic >= 12) PT_1X1X_PAIRS2(PT_1X1X_STEP, PT_1X1X_STEP PT_1X1X_STEP);
    else PT_1X1X_PAIRS(PT_1X1X_STEP);
#undef PT_1X1X_PAIRS
#undef PT_1X1X_PAIRS2
#undef PT_1X1W_PAIRS
#undef PT_1X1W_PAIRS2
    (void)a0; (void)a1; (void)a2; (void)a3; (void)x0; (void)x1; (void)x2; (void)x3; (void)t0; (void)t1; (void)pa;
}
#endif

/* A 1x1 conv with the exporter's paired filter layout (p->paired: input
 * channels a multiple of 4; output channels 2k, 2k+1 interleaved a word
 * each at k * 2 * ic; an odd last channel plain) over `count` output
 * pixels: pixel k reads xa + k * step, writes y + k * oc. Two pixels and two
 * output channels a block: on DSP cores 4 word loads, 8 SXTB16 and 8 SMLAD
 * for 16 MACs. A last odd pixel is computed as a pair with itself. */
PT_INLINE void pt_conv_1x1_body(const pt_conv_params *p, int32_t ic, const int8_t *xa, int32_t step, int8_t *y, int32_t count,
                                int32_t full) {
    const int32_t oc = p->out_ch, lo = p->act_min, hi = p->act_max;
    const int32_t *fb = p->full_bias;
    int32_t k, o;
    for (k = 0; k < count; k += 2, xa += 2 * step, y += 2 * oc) {
        const int32_t pair = k + 1 < count, b_step = pair ? step : 0;
        const int8_t *f = p->filter;
        const int32_t *rq = p->rq;
        o = 0;
#if defined(PT_ASM14)
        if (full && pair && oc >= 2) {
            if (ic <= PT_1X1_EXT_MAX) pt_1x1_pairs_ext(xa, step, f, p->wide, ic, y, oc, rq, fb);
            else pt_1x1_pairs(xa, step, f, ic, y, oc, rq, fb);
            o = oc & ~1;
            f += o * ic;
            rq += 3 * o;
        }
#endif
        for (; o + 2 <= oc; o += 2, f += 2 * ic, rq += 6) {
            int32_t acc[4];
            acc[0] = acc[2] = fb[o];
            acc[1] = acc[3] = fb[o + 1];
            pt_1x1_block(xa, b_step, f, ic, acc);
            y[o] = pt_rq_out(acc[0], rq, full, lo, hi);
            y[o + 1] = pt_rq_out(acc[1], rq + 3, full, lo, hi);
            if (pair) {
                y[oc + o] = pt_rq_out(acc[2], rq, full, lo, hi);
                y[oc + o + 1] = pt_rq_out(acc[3], rq + 3, full, lo, hi);
            }
        }
        if (o < oc) {
            y[o] = pt_rq_out(pt_dot(xa, f, ic, fb[o]), rq, full, lo, hi);
            if (pair) y[oc + o] = pt_rq_out(pt_dot(xa + step, f, ic, fb[o]), rq, full, lo, hi);
        }
    }
}

static void pt_conv_1x1_run(const pt_conv_params *p, const int8_t *xa, int32_t step, int8_t *y, int32_t count) {
    if (p->act_min == -128 && p->act_max == 127) pt_conv_1x1_body(p, p->in_ch, xa, step, y, count, 1);
    else pt_conv_1x1_body(p, p->in_ch, xa, step, y, count, 0);
}

/* Largest patch (row_bytes) of the im2col layout: the exporter's limit. */
#define PT_IM2COL_MAX 64

/* n > 0 bytes from src to dst, a word at a time (unaligned words are fine
 * on the cores with the DSP extension); assembly there, so no compiler turns
 * the loop into a memcpy call. */
PT_INLINE void pt_copy_run(int8_t *dst, const int8_t *src, int32_t n) {
#if defined(PT_DSP) && defined(__GNUC__)
    int32_t t;
    __asm__ volatile(
        "subs %[n], %[n], #4\n\t"
        "blt 2f\n\t"
        "1:\n\t"
        "ldr %[t], [%[s]], #4\n\t"
        "str %[t], [%[d]], #4\n\t"
        "subs %[n], %[n], #4\n\t"
        "bge 1b\n\t"
        "2:\n\t"
        "adds %[n], %[n], #4\n\t"
        "beq 4f\n\t"
        "3:\n\t"
        "ldrb %[t], [%[s]], #1\n\t"
        "strb %[t], [%[d]], #1\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 3b\n\t"
        "4:\n\t"
        : [d] "+r"(dst), [s] "+r"(src), [n] "+r"(n), [t] "=&r"(t)
        :
        : "cc", "memory");
#else
    memcpy(dst, src, (size_t)n);
#endif
}

/* The window of output (oy, ox) as one run of kh * kw * ic bytes at dst,
 * taps outside the image holding -in_offset (whose product with the full
 * bias's offset term vanishes, as in a padded plane), zeros up to
 * row_bytes. */
static void pt_im2col_gather(const pt_conv_params *p, const int8_t *xb, const pt_operand *in_region, int32_t oy, int32_t ox,
                             int8_t *dst) {
    const int32_t ic = p->in_ch, kh = p->h.filter, kw = p->w.filter, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t iy0 = oy * p->h.stride - p->h.pad_before, ix0 = ox * p->w.stride - p->w.pad_before;
    const int32_t run = kw * ic, pad = -p->in_offset;
    int8_t *const end = dst + p->row_bytes;
    int32_t fy, fx, i;
    /* The zero bytes past the window first (row_bytes >= 4; the window's
     * bytes then overwrite the word's start): no loop for a compiler to
     * turn into a memset call. */
    memset(end - 4, 0, 4);
    if (dw == 1 && ix0 >= 0 && ix0 + kw <= p->w.in_size && iy0 >= 0 && iy0 + dh * (kh - 1) < p->h.in_size) {
        /* Inside the image: kh runs of kw * ic bytes, a word at a time. */
        const int32_t row_step = dh * in_region->w * ic;
        const int8_t *src = xb + pt_pixel(in_region, iy0, ix0, ic);
        for (fy = 0; fy < kh; fy++, src += row_step) {
            for (i = 0; i + 4 <= run; i += 4, dst += 4) memcpy(dst, src + i, 4);
            if (i < run) {
                dst[0] = src[i];
                if (i + 1 < run) dst[1] = src[i + 1];
                if (i + 2 < run) dst[2] = src[i + 2];
                dst += run - i;
            }
        }
        return;
    }
    if (dw == 1 && ix0 >= 0 && ix0 + kw <= p->w.in_size) {
        for (fy = 0; fy < kh; fy++, dst += run) {
            const int32_t iy = iy0 + dh * fy;
            if (iy < 0 || iy >= p->h.in_size) {
                for (i = 0; i < run; i++) dst[i] = (int8_t)pad;
                continue;
            }
            {
                const int8_t *src = xb + pt_pixel(in_region, iy, ix0, ic);
                for (i = 0; i + 4 <= run; i += 4) {
                    int32_t v;
                    memcpy(&v, src + i, 4);
                    memcpy(dst + i, &v, 4);
                }
                for (; i < run; i++) dst[i] = src[i];
            }
        }
        return;
    } else {
        for (fy = 0; fy < kh; fy++) {
            const int32_t iy = iy0 + dh * fy;
            for (fx = 0; fx < kw; fx++, dst += ic) {
                const int32_t ix = ix0 + dw * fx;
                if (iy < 0 || iy >= p->h.in_size || ix < 0 || ix >= p->w.in_size) {
                    for (i = 0; i < ic; i++) dst[i] = (int8_t)pad;
                } else {
                    const int8_t *src = xb + pt_pixel(in_region, iy, ix, ic);
                    for (i = 0; i < ic; i++) dst[i] = src[i];
                }
            }
        }
    }
}

/* A conv in the im2col layout (p->paired == 2: the exporter's paired layout
 * of one filter row, the whole kh x kw x ic window, padded with zero
 * weights to row_bytes): each pair of output pixels gathered as two runs of
 * row_bytes (pt_im2col_gather), then the paired 1x1 loop over them. Every
 * window, at the image's edge too, starts from full_bias. */
static void pt_conv_im2col(const pt_conv_params *p, const int8_t *in, const pt_operand *in_region,
                           int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, oc = p->out_ch, pb = p->row_bytes;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    const int32_t full = p->act_min == -128 && p->act_max == 127;
    const int32_t kh = p->h.filter, kw = p->w.filter, sw = p->w.stride, run = kw * ic, pair_step = sw * ic;
    const int32_t row_step = p->h.dilation * in_region->w * ic, in_w = p->w.in_size;
    int32_t patch[2 * PT_IM2COL_MAX / 4];
    int8_t *const pa = (int8_t *)patch;
    int32_t b, oy, ox, fy, i;
    /* The bytes past each window stay zero: only the windows' bytes are
     * written below. */
    memset(patch, 0, sizeof patch);
    for (b = 0; b < p->batches; b++) {
        const int8_t *xb = in + b * in_batch;
        int8_t *yb = out + b * out_batch;
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            const int32_t rows_inside = iy0 >= 0 && iy0 + p->h.dilation * (kh - 1) < p->h.in_size && p->w.dilation == 1;
            for (ox = col0; ox < col1; ox += 2) {
                const int32_t count = ox + 1 < col1 ? 2 : 1, ix0 = ox * sw - p->w.pad_before;
                if (count == 2 && rows_inside && ix0 >= 0 && ix0 + sw + kw <= in_w) {
                    /* Both windows inside the image: kh runs of kw * ic
                     * bytes each, a word at a time. */
                    const int8_t *src = xb + pt_pixel(in_region, iy0, ix0, ic);
                    int8_t *da = pa, *db = pa + pb;
                    if (run == 9) {
                        /* 3 taps of 3 channels (an RGB first conv): two words and a byte a row. */
                        for (fy = 0; fy < kh; fy++, src += row_step, da += 9, db += 9) {
                            const int8_t *sb = src + pair_step;
                            int32_t w0, w1, w2, w3;
                            memcpy(&w0, src, 4); memcpy(&w1, src + 4, 4);
                            memcpy(&w2, sb, 4); memcpy(&w3, sb + 4, 4);
                            memcpy(da, &w0, 4); memcpy(da + 4, &w1, 4); da[8] = src[8];
                            memcpy(db, &w2, 4); memcpy(db + 4, &w3, 4); db[8] = sb[8];
                        }
                    } else {
                        for (fy = 0; fy < kh; fy++, src += row_step, da += run, db += run) {
                            pt_copy_run(da, src, run);
                            pt_copy_run(db, src + pair_step, run);
                        }
                    }
                    (void)i;
                } else {
                    pt_im2col_gather(p, xb, in_region, oy, ox, pa);
                    if (count == 2) pt_im2col_gather(p, xb, in_region, oy, ox + 1, pa + pb);
                }
#if defined(PT_ASM14)
                if (full && count == 2 && (oc & 1) == 0) {
                    /* Every channel a pair: straight to the assembly loop. */
                    pt_1x1_pairs_ext(pa, pb, p->filter, p->wide, pb, yb + pt_pixel(out_region, oy, ox, oc), oc, p->rq,
                                     p->full_bias);
                    continue;
                }
#endif
                if (full) pt_conv_1x1_body(p, pb, pa, pb, yb + pt_pixel(out_region, oy, ox, oc), count, 1);
                else pt_conv_1x1_body(p, pb, pa, pb, yb + pt_pixel(out_region, oy, ox, oc), count, 0);
            }
        }
    }
}

/* Weight (o, row fy, byte i of the row's kw * ic) in the paired layout. */
static int32_t pt_paired_weight(const pt_conv_params *p, int32_t o, int32_t fy, int32_t i) {
    const int32_t rowb = p->row_bytes, kh = p->h.filter;
    if ((p->out_ch & 1) && o == p->out_ch - 1) return p->filter[(o * kh + fy) * rowb + i];
    return p->filter[(o & ~1) * kh * rowb + fy * 2 * rowb + (i >> 2) * 8 + (o & 1) * 4 + (i & 3)];
}

/* Any conv in the paired layout (p->paired, undilated across: each filter
 * row one run of kw * ic bytes, padded with zero weights to row_bytes, a
 * multiple of 4; channels 2k, 2k+1 interleaved a word at a time within each
 * row, rows of pair k at k * 2 * kh * row_bytes; an odd last channel plain).
 * Windows inside the image: two pixels and two channels a block through
 * pt_1x1_block per filter row; reading a padded row's extra bytes (times a
 * zero weight) only where they stay inside the input buffer. Windows at the
 * image's edge: tap by tap with the offsets, TFLite's requantization. */
static void pt_conv_paired_kxk(const pt_conv_params *p, const int8_t *in, const pt_operand *in_region,
                               int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, oc = p->out_ch, kh = p->h.filter, kw = p->w.filter, rowb = p->row_bytes;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, sw = p->w.stride;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    const int32_t row_step = dh * in_region->w * ic, run = kw * ic, full = p->act_min == -128 && p->act_max == 127;
    const int32_t *fb = p->full_bias;
    int32_t b, oy, ox, o, fy;
    for (b = 0; b < p->batches; b++) {
        const int8_t *xb = in + b * in_batch, *xend = xb + in_batch;
        int8_t *yb = out + b * out_batch;
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            int32_t fy0 = 0, fy1 = kh;
            while (fy0 < kh && iy0 + dh * fy0 < 0) fy0++;
            while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
            ox = col0;
            while (ox < col1) {
                const int32_t ix0 = ox * sw - p->w.pad_before;
                int8_t *y = yb + pt_pixel(out_region, oy, ox, oc);
                const int32_t inside = fy0 == 0 && fy1 == kh && ix0 >= 0 && ix0 + kw - 1 < in_w;
                const int8_t *xa = inside ? xb + pt_pixel(in_region, iy0, ix0, ic) : xb;
                const int32_t pair = inside && ox + 1 < col1 && ix0 + sw + kw - 1 < in_w;
                const int32_t step = pair ? sw * ic : 0;
                if (inside && xa + step + (kh - 1) * row_step + rowb <= xend) {
                    const int8_t *f = p->filter;
                    const int32_t *rq = p->rq;
                    for (o = 0; o + 2 <= oc; o += 2, f += 2 * kh * rowb, rq += 6) {
                        int32_t acc[4];
                        acc[0] = acc[2] = fb[o];
                        acc[1] = acc[3] = fb[o + 1];
                        for (fy = 0; fy < kh; fy++) pt_1x1_block(xa + fy * row_step, step, f + fy * 2 * rowb, rowb, acc);
                        y[o] = pt_rq_out(acc[0], rq, full, p->act_min, p->act_max);
                        y[o + 1] = pt_rq_out(acc[1], rq + 3, full, p->act_min, p->act_max);
                        if (pair) {
                            y[oc + o] = pt_rq_out(acc[2], rq, full, p->act_min, p->act_max);
                            y[oc + o + 1] = pt_rq_out(acc[3], rq + 3, full, p->act_min, p->act_max);
                        }
                    }
                    if (o < oc) {
                        int32_t a0 = fb[o], a2 = fb[o];
                        for (fy = 0; fy < kh; fy++) {
                            a0 = pt_dot(xa + fy * row_step, f + fy * rowb, run, a0);
                            if (pair) a2 = pt_dot(xa + step + fy * row_step, f + fy * rowb, run, a2);
                        }
                        y[o] = pt_rq_out(a0, rq, full, p->act_min, p->act_max);
                        if (pair) y[oc + o] = pt_rq_out(a2, rq, full, p->act_min, p->act_max);
                    }
                    ox += pair ? 2 : 1;
                    continue;
                }
                {
                    /* Taps fy0..fy1, fx0..fx1 inside the image, with the offsets. */
                    int32_t fx0 = 0, fx1 = kw, fx, c;
                    while (fx0 < kw && ix0 + fx0 < 0) fx0++;
                    while (fx1 > fx0 && ix0 + fx1 - 1 >= in_w) fx1--;
                    for (o = 0; o < oc; o++) {
                        int32_t acc = p->bias ? p->bias[o] : 0;
                        for (fy = fy0; fy < fy1; fy++) {
                            const int8_t *xrow = xb + pt_pixel(in_region, iy0 + dh * fy, ix0, ic);
                            for (fx = fx0; fx < fx1; fx++) {
                                for (c = 0; c < ic; c++) {
                                    acc = pt_wrap_add(acc, pt_wrap_mul((int32_t)xrow[fx * ic + c] + p->in_offset,
                                                                       pt_paired_weight(p, o, fy, fx * ic + c)));
                                }
                            }
                        }
                        y[o] = pt_conv_finish(p, acc, o);
                    }
                    (void)run;
                }
                ox++;
            }
        }
    }
}

void pt_conv_s8(const pt_conv_params *p, const int8_t *in, const pt_operand *in_region,
                int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1) {
    const int32_t ic = p->in_ch, oc = p->out_ch, kh = p->h.filter, kw = p->w.filter;
    const int32_t in_h = p->h.in_size, in_w = p->w.in_size, dh = p->h.dilation, dw = p->w.dilation;
    const int32_t in_batch = in_region->h * in_region->w * ic, out_batch = out_region->h * out_region->w * oc;
    const int32_t filter_bytes = kh * kw * ic, sw = p->w.stride;
    /* A row of taps is one run of bytes when the filter is not dilated across. */
    const int32_t run = dw == 1 ? kw * ic : ic, runs = dw == 1 ? 1 : kw;
    int32_t b, oy, ox, o, fy, r;
    if (p->paired == 2 && p->row_bytes <= PT_IM2COL_MAX) {
        pt_conv_im2col(p, in, in_region, out, out_region, row0, row1, col0, col1);
        return;
    }
    if (p->paired && (kh != 1 || kw != 1 || p->row_bytes != ic || p->h.pad_before != 0 || p->w.pad_before != 0)) {
        pt_conv_paired_kxk(p, in, in_region, out, out_region, row0, row1, col0, col1);
        return;
    }
    if (p->paired) {
        /* 1x1 without padding (the exporter's paired filter layout): each
         * output row a run of pixels (the whole batch one run when rows
         * follow one another in both buffers). */
        const int32_t cols = col1 - col0;
        const int32_t one_run = p->h.stride == 1 && sw == 1 && cols == in_region->w && cols == out_region->w;
        for (b = 0; b < p->batches; b++) {
            const int8_t *xb = in + b * in_batch;
            int8_t *yb = out + b * out_batch;
            if (one_run) {
                pt_conv_1x1_run(p, xb + pt_pixel(in_region, row0, col0, ic), ic, yb + pt_pixel(out_region, row0, col0, oc),
                                (row1 - row0) * cols);
                continue;
            }
            for (oy = row0; oy < row1; oy++) {
                pt_conv_1x1_run(p, xb + pt_pixel(in_region, oy * p->h.stride, col0 * sw, ic), sw * ic,
                                yb + pt_pixel(out_region, oy, col0, oc), cols);
            }
        }
        return;
    }
    for (b = 0; b < p->batches; b++) {
        const int8_t *xb = in + b * in_batch;
        int8_t *yb = out + b * out_batch;
        for (oy = row0; oy < row1; oy++) {
            const int32_t iy0 = oy * p->h.stride - p->h.pad_before;
            int32_t fy0 = 0, fy1 = kh;
            while (fy0 < kh && iy0 + dh * fy0 < 0) fy0++;
            while (fy1 > fy0 && iy0 + dh * (fy1 - 1) >= in_h) fy1--;
            ox = col0;
            while (ox < col1) {
                const int32_t ix0 = ox * sw - p->w.pad_before;
                int32_t fx0 = 0, fx1 = kw;
                int8_t *y = yb + pt_pixel(out_region, oy, ox, oc);
                while (fx0 < kw && ix0 + dw * fx0 < 0) fx0++;
                while (fx1 > fx0 && ix0 + dw * (fx1 - 1) >= in_w) fx1--;
                if (fy0 != 0 || fy1 != kh || fx0 != 0 || fx1 != kw) {
                    pt_conv_edge(p, xb, in_region, y, iy0, ix0, fy0, fy1, fx0, fx1);
                    ox++;
                    continue;
                }
                if (ox + 1 < col1 && ix0 + sw + dw * (kw - 1) < in_w) {
                    /* Two pixels inside the image, two channels at a time. */
                    int8_t *y2 = y + oc;
                    const int8_t *xa = xb + pt_pixel(in_region, iy0, ix0, ic);
                    const int8_t *xc = xa + sw * ic;
                    const int32_t row_step = dh * in_region->w * ic;
                    for (o = 0; o + 2 <= oc; o += 2) {
                        int32_t acc[4];
                        const int8_t *fa = p->filter + o * filter_bytes, *fb = fa + filter_bytes;
                        acc[0] = acc[2] = p->full_bias[o];
                        acc[1] = acc[3] = p->full_bias[o + 1];
                        for (fy = 0; fy < kh; fy++) {
                            for (r = 0; r < runs; r++) {
                                const int32_t xo = fy * row_step + r * dw * ic, fo = fy * kw * ic + r * ic;
                                pt_dot_2x2(xa + xo, xc + xo, fa + fo, fb + fo, run, acc);
                            }
                        }
                        y[o] = pt_conv_finish(p, acc[0], o);
                        y[o + 1] = pt_conv_finish(p, acc[1], o + 1);
                        y2[o] = pt_conv_finish(p, acc[2], o);
                        y2[o + 1] = pt_conv_finish(p, acc[3], o + 1);
                    }
                    for (; o < oc; o++) {
                        int32_t acc[4];
                        const int8_t *fa = p->filter + o * filter_bytes;
                        acc[0] = acc[1] = acc[2] = acc[3] = p->full_bias[o];
                        for (fy = 0; fy < kh; fy++) {
                            for (r = 0; r < runs; r++) {
                                const int32_t xo = fy * row_step + r * dw * ic, fo = fy * kw * ic + r * ic;
                                pt_dot_2x2(xa + xo, xc + xo, fa + fo, fa + fo, run, acc);
                            }
                        }
                        y[o] = pt_conv_finish(p, acc[0], o);
                        y2[o] = pt_conv_finish(p, acc[2], o);
                    }
                    ox += 2;
                    continue;
                }
                {
                    const int8_t *xa = xb + pt_pixel(in_region, iy0, ix0, ic);
                    const int32_t row_step = dh * in_region->w * ic;
                    for (o = 0; o < oc; o++) {
                        int32_t acc = p->full_bias[o];
                        const int8_t *fa = p->filter + o * filter_bytes;
                        for (fy = 0; fy < kh; fy++) {
                            for (r = 0; r < runs; r++) {
                                acc = pt_dot(xa + fy * row_step + r * dw * ic, fa + fy * kw * ic + r * ic, run, acc);
                            }
                        }
                        y[o] = pt_conv_finish(p, acc, o);
                    }
                }
                ox++;
            }
        }
    }
}

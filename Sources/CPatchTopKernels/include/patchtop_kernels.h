/* PatchTop's vector kernels for x86-64, chosen at run time from the CPU's
 * features. Each function here is bit-exact with the reference loops in
 * PatchTopRuntime (Conv2D.swift, DepthwiseConv2D.swift): integer
 * accumulation wraps modulo 2^32 (order-independent), and requantization is
 * TFLite Micro's MultiplyByQuantizedMultiplier, lane by lane.
 *
 * The AVX2 functions are compiled with a per-function target attribute, so
 * the library (and the binary) runs on any x86-64 CPU; callers must only
 * call them when pt_cpu_features() reports AVX2. On other architectures
 * they are absent (pt_cpu_features() returns 0).
 */
#ifndef PATCHTOP_KERNELS_H
#define PATCHTOP_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define PT_CPU_AVX2 1u
#define PT_CPU_AVX512_VNNI 2u
#define PT_CPU_AVX_VNNI 4u

/* The features of this CPU that the OS has enabled (XGETBV), PT_CPU_* bits. */
uint32_t pt_cpu_features(void);

/* Per-output-channel requantization, `lanes` entries each (channels rounded
 * up to a multiple of 8, zero past the last channel). `right_shift` is the
 * positive right shift (-shift when shift <= 0), `left_shift` the positive
 * left shift; `folded_bias` is bias + input_offset * sum(filter taps), used
 * by depthwise windows entirely inside the image. */
typedef struct {
    const int32_t *bias;
    const int32_t *folded_bias;
    const int32_t *multiplier;
    const int32_t *left_shift;
    const int32_t *right_shift;
    /* Precomputed so the vector code need not derive them: the multiplier
     * of lane 2i+1 at lane 2i (for vpmuldq on odd lanes), the right shift's
     * remainder mask (2^right - 1) and half of it (mask >> 1). */
    const int32_t *multiplier_odd;
    const int32_t *remainder_mask;
    const int32_t *half_mask;
    /* Whether any channel shifts left (most models: none). */
    int32_t has_left_shift;
    int32_t output_offset;
    int32_t activation_min;
    int32_t activation_max;
} pt_requant;

/* The geometry of one call: a window op over the full input tensor
 * (in_h x in_w, padding decided against it), computing output rows
 * [row0, row1) x columns [col0, col1) in full-tensor coordinates. The
 * input buffer holds rows [in_y, in_y + in_rows) x columns
 * [in_x, in_x + in_cols); the output buffer likewise (out_*). */
typedef struct {
    int32_t batches;
    int32_t in_channels, out_channels;
    int32_t in_h, in_w;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;
    int32_t in_y, in_x, in_rows, in_cols;
    int32_t out_y, out_x, out_rows, out_cols;
    int32_t row0, row1, col0, col1;
} pt_window;

/* --- CONV_2D, AVX2 (vpmaddwd on int16 pairs) ---------------------------
 * Weights repacked by pt_conv_pack_avx2 into blocks of 8 output channels,
 * [block][tap][ic pair][8 lanes][2] int16 (ic rounded up to even, zeros
 * past the end). */
size_t pt_conv_packed_count_avx2(int32_t out_channels, int32_t taps, int32_t in_channels);
void pt_conv_pack_avx2(const int8_t *filter, int32_t out_channels, int32_t taps, int32_t in_channels,
                       int16_t *packed);
/* int16 scratch the call needs (pass at least this many elements). */
size_t pt_conv_scratch_count_avx2(const pt_window *w);
void pt_conv_avx2(const pt_window *w, const int8_t *input, const int16_t *packed, const pt_requant *rq,
                  int8_t *output, int16_t *scratch);

/* --- CONV_2D, VNNI (vpdpbusd on u8 x s8 quads) --------------------------
 * Weights repacked by pt_conv_pack_vnni into blocks of 8 output channels,
 * [block][tap][ic quad][8 lanes][4] int8 (ic rounded up to 4, zeros past
 * the end); `sums` receives each output channel's sum of weights, for the
 * bias correction: the caller's requantization bias must be
 * bias + (input_offset - 128) * sums[o] (int32, wrapping). The input
 * offset must lie in [-127, 128] (a real zero point's range). Three forms
 * of one kernel: AVX-VNNI (VEX), AVX-512 VNNI on 256-bit vectors, and an
 * exact AVX2 emulation of the instruction that the tests run anywhere. */
size_t pt_conv_packed_count_vnni(int32_t out_channels, int32_t taps, int32_t in_channels);
void pt_conv_pack_vnni(const int8_t *filter, int32_t out_channels, int32_t taps, int32_t in_channels,
                       int8_t *packed, int32_t *sums);
/* Bytes of scratch one call needs. */
size_t pt_conv_scratch_bytes_vnni(const pt_window *w);
void pt_conv_avxvnni(const pt_window *w, const int8_t *input, const int8_t *packed, const pt_requant *rq,
                     int8_t *output, uint8_t *scratch);
void pt_conv_avx512vnni(const pt_window *w, const int8_t *input, const int8_t *packed, const pt_requant *rq,
                        int8_t *output, uint8_t *scratch);
void pt_conv_vnni_emulated(const pt_window *w, const int8_t *input, const int8_t *packed, const pt_requant *rq,
                           int8_t *output, uint8_t *scratch);

/* --- DEPTHWISE_CONV_2D (depth multiplier 1), AVX2 ----------------------
 * Weights as int32, [tap][channel] with channels rounded up to 8, for
 * windows cut by the padding and the last channels; and as int16 tap
 * pairs for vpmaddwd on windows inside the image, packed by
 * pt_depthwise_pack_avx2: [16-channel block][tap pair][2][16] (the odd
 * last tap paired with zero), in the lane order of vpunpck{l,h}wd. */
size_t pt_depthwise_packed_count_avx2(int32_t channels, int32_t taps);
void pt_depthwise_pack_avx2(const int8_t *filter, int32_t channels, int32_t taps, int16_t *packed);
void pt_depthwise_avx2(const pt_window *w, const int8_t *input, const int32_t *weights, const int16_t *pairs,
                       const pt_requant *rq, int8_t *output);

/* --- one channel of an in-place DEPTHWISE_CONV_2D, AVX2 ------------------
 * The channel is staged as a plane covering input rows [plane_y, +height)
 * and columns [plane_x, +width): a region of the image, or the whole image
 * with its padding (bytes whose input plus offset is 0). Computes output
 * rows [row0, row1) x columns [col0, col1) of `window` (its in/out region
 * fields unused) into `output` at channel stride `channels`, relative to
 * output position (out_y, out_x) of a buffer `out_width` wide: eight
 * pixels at a time where their windows lie inside the plane, one at a time
 * (skipping taps outside the image) elsewhere. */
typedef struct {
    const pt_window *window;
    int32_t plane_y, plane_x, plane_height, plane_width;
    const int32_t *weights;
    int32_t bias, multiplier, shift;
    int32_t output_offset, activation_min, activation_max;
    int32_t out_y, out_x, out_width, channels;
} pt_plane_call;
void pt_depthwise_plane_avx2(const pt_plane_call *call, const int8_t *plane, int8_t *output);

/* --- FULLY_CONNECTED accumulation, AVX2 ---------------------------------
 * acc[o] = sum_d (x[d] + input_offset) * (w[o][d] + filter_offset) for one
 * input row, int32 wrapping. Weights stay int8 (half the bytes to stream),
 * as rows `stride` long (depth rounded up to 16, zero past the end: the
 * widened input is zero there); `scratch` holds `stride` int16. */
void pt_fc_accumulate_avx2(const int8_t *x, int32_t depth, int32_t input_offset, const int8_t *weights,
                           int32_t filter_offset, int32_t outputs, int32_t stride, int16_t *scratch, int32_t *acc);

/* --- float32, AVX2 (separate multiply and add, never fused) --------------
 * Bit-identical to TFLite Micro's reference float kernels: every output
 * sums input x filter over filter rows, columns, input channels in order
 * (taps outside the image skipped), then adds the bias, then clamps with
 * max(lower, x) then min(upper, x) as std::max/std::min do (NaN passes).
 * Lanes are output channels, so each lane keeps the reference order.
 *
 * CONV_2D weights: [tap][ic][oc rounded up to 8], zero past oc.
 * Depthwise (multiplier 1) weights: [tap][channels rounded up to 8].
 * `bias` has oc (channels) rounded up to 8 entries. */
void pt_conv_f32_avx2(const pt_window *w, const float *input, const float *weights, const float *bias,
                      float lower, float upper, float *output, ptrdiff_t *scratch);
/* CONV_2D with the window's columns in the padding read as 0.0 from a
 * copied row, so every pixel of a row shares its taps: exact only when
 * every weight is finite (then 0 x w is a signed zero, and adding one to a
 * sum that started at +0 never changes it). `rows` holds
 * pt_conv_f32_scratch_floats(w) floats, `taps` 2 x kh x kw. */
size_t pt_conv_f32_scratch_floats(const pt_window *w);
void pt_conv_f32_padded_avx2(const pt_window *w, const float *input, const float *weights, const float *bias,
                             float lower, float upper, float *output, float *rows, ptrdiff_t *taps);
void pt_depthwise_f32_avx2(const pt_window *w, const float *input, const float *weights, const float *bias,
                           float lower, float upper, float *output);
/* FULLY_CONNECTED: weights [d][outputs rounded up to 8]; one input row. */
void pt_fc_f32_avx2(const float *x, int32_t depth, const float *weights, const float *bias, int32_t outputs,
                    float lower, float upper, float *y);

/* QUANTIZE float32 -> int8 as TFLite: round(x / scale) half away from
 * zero, plus the zero point, clamped to int8; NaN gives the zero point. */
void pt_quantize_f32_avx2(const float *x, size_t count, float scale, int32_t zero_point, int8_t *y);

/* --- the machine's limits -------------------------------------------------
 * Tight loops of independent vpmaddwd + vpaddd chains (192 int8 MACs per
 * iteration) and of vmulps + vaddps chains (96 float MACs per iteration),
 * for `iterations` iterations; the result only defeats dead-code removal. */
int32_t pt_int8_throughput_avx2(uint64_t iterations);
float pt_f32_throughput_avx2(uint64_t iterations);

#endif

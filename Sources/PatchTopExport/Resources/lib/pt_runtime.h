/* PatchTop firmware library: the executor's types and the kernels' entry points.
 *
 * Fixed source, copied verbatim into every export. C99, the C library only,
 * no dynamic allocation. The generated patchtop_model.c fills a table of
 * pt_step values (one per instruction of the compiled plan) and calls pt_run.
 *
 * Required compiler flags: none for the integer kernels. The float32 ones
 * (QUANTIZE, DEQUANTIZE, pt_float.c's kernels, float MEAN) must not fuse a
 * multiply and an add: build with -ffp-contract=off (GCC, Clang), as the
 * generated Makefile does. They round each operation as TFLite Micro's
 * reference kernels do.
 */
#ifndef PT_RUNTIME_H
#define PT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* Where an operand's bytes are. */
enum {
    PT_ARENA = 0,  /* offset into the arena */
    PT_CONST = 1,  /* offset into the constant pool */
    PT_INPUT = 2,  /* the caller's input buffer number `offset` */
    PT_OUTPUT = 3, /* the caller's output buffer number `offset` */
    PT_EXTRA = 4   /* a tensor the plan keeps outside the arena (the int8 image
                      under --int8-io with a streamed input): buffer `offset` */
};

/* One tensor as one step sees it: its buffer holds rows y..y+h-1 and
 * columns x..x+w-1 of the tensor (1x1 for tensors that are not feature maps). */
typedef struct {
    uint8_t space;
    int32_t offset;
    int32_t bytes;
    int32_t y, x, h, w;
} pt_operand;

/* Element offset of pixel (row, col) in a buffer holding `o`'s region. */
static inline int32_t pt_pixel(const pt_operand *o, int32_t row, int32_t col, int32_t channels) {
    return ((row - o->y) * o->w + (col - o->x)) * channels;
}

typedef struct { float scale; int32_t zero_point; } pt_quant_params;

/* Rows x cols, pixel_bytes each, between two buffers of one tensor. With
 * `quantize`, the source is the caller's float32 input (a streamed image
 * under --int8-io) and each value is quantized into the int8 destination,
 * pixel_bytes (= channels) a pixel: the int8 image is never held whole. */
typedef struct {
    pt_operand from, to;
    int32_t row0, row1, col0, col1;
    int32_t pixel_bytes;
    const pt_quant_params *quantize;
} pt_copy;

/* Floats a streamed --int8-io load asks for at once (a few pixels of one row). */
#define PT_STREAM_CHUNK 16

/* One window dimension (height or width), decided against the full tensor. */
typedef struct {
    int32_t in_size, filter, stride, dilation, pad_before, pad_after, out_size;
} pt_window;

typedef struct {
    int32_t batches, in_ch, out_ch;
    pt_window h, w;
    int32_t in_offset, out_offset, act_min, act_max;
    const int32_t *mult, *shift;   /* NULL when rq is set */
    const int8_t *filter;          /* [out][kh][kw][in], or the paired layout */
    const int32_t *bias;           /* NULL: none */
    const int32_t *full_bias;      /* bias + in_offset * sum(filter[o]), wrapping */
    const int32_t *rq;             /* {mult, 2^(e-1) + out_offset 2^e, e} per channel when the
                                      exporter proved pt_requantize_fast exact for this op; else NULL */
    int32_t paired;                /* 1: rq set, not dilated across, the filter in the paired
                                      layout (pt_conv.c: pt_conv_paired_kxk); 2: the im2col
                                      layout, one row of kh * kw * in_ch (pt_conv_im2col) */
    int32_t row_bytes;             /* paired: bytes per filter row, kw * in_ch (im2col: kh * kw * in_ch)
                                      rounded up to 4 */
    const int32_t *wide;           /* NULL, or (a paired 1x1 or im2col conv) per channel pair
                                      {2 full_bias(o), 2 full_bias(o+1)}, its weights
                                      sign-extended (per word w of the paired layout SXTB16(w),
                                      SXTB16(w ror 8)), rq of o and o+1 (pt_conv.c: pt_1x1_pairs_ext) */
} pt_conv_params;

typedef struct {
    int32_t batches, in_ch, depth_mult;
    pt_window h, w;
    int32_t in_offset, out_offset, act_min, act_max;
    const int32_t *mult, *shift;   /* NULL when rq is set */
    const int8_t *filter;          /* [kh][kw][in*depth_mult] */
    const int32_t *bias;
    const int32_t *full_bias;      /* bias + in_offset * sum over taps of filter[o], wrapping */
    const int32_t *rq;             /* as pt_conv_params.rq */
} pt_depthwise_params;

typedef struct {
    int32_t batches, in_depth, out_depth;
    int32_t in_offset, filter_offset, out_offset, act_min, act_max;
    int32_t per_channel;           /* 1: mult/shift per output row */
    const int32_t *mult, *shift;
    const int8_t *filter;          /* [out][in] */
    const int32_t *bias;
} pt_fc_params;

typedef struct {
    int32_t average, batches, channels;
    pt_window h, w;
    int32_t act_min, act_max;
} pt_pool_params;

typedef struct {
    const int8_t *table;           /* 65536 entries, [a*256 + b], unsigned bytes */
    int32_t shape_a[4], shape_b[4], shape_out[4];   /* padded to rank 4 */
    int32_t rank_a, rank_b, rank_out;
} pt_binary_params;

typedef struct { const int8_t *table; } pt_lookup_params;   /* 256 entries */

typedef struct {
    int32_t shape[4], before[4], after[4];   /* padded to rank 4 */
    uint8_t fill;
    int32_t element_bytes;
} pt_pad_params;

typedef struct {
    int32_t count, outer;
    const int32_t *chunks;         /* bytes per input per outer index (whole) */
    const int32_t *channels;       /* channels per input (patch regions) */
} pt_concat_params;

typedef struct { const int8_t *bytes; int32_t count; } pt_fill_params;

typedef struct {
    int32_t kept[4], kept_strides[4], reduced[4], reduced_strides[4];
    int32_t count, outputs;
    int32_t in_zp, out_zp, mean_mult, mean_shift, mult, shift;
} pt_mean_params;

typedef struct {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift, diff_min;
} pt_softmax_params;

typedef struct {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift, reverse_divisor, reverse_shift, diff_min;
} pt_log_softmax_params;

typedef struct {
    int32_t out_shape[4], in_strides[4];
    int32_t element_bytes;
} pt_transpose_params;

typedef struct {
    int32_t start[4], step[4], count[4], in_strides[4];
    int32_t element_bytes;
} pt_slice_params;

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    const int32_t *src_rows, *src_cols;
} pt_resize_params;

/* A conv with its residual ADD fused in (writes ADD(conv, skip) over skip). */
typedef struct {
    const pt_conv_params *conv;
    const int8_t *table;
    int32_t conv_first;
    pt_operand skip, scratch;
} pt_fused_params;

/* float32 kernels (pt_float.c). */
typedef struct {
    int32_t depthwise, batches, in_ch, out_ch, depth_mult;
    pt_window h, w;
    float act_min, act_max;
    const float *weights;          /* CONV_2D [kh][kw][in][out]; depthwise [kh][kw][out] */
    const float *bias;             /* one per output channel (0 without a bias) */
} pt_conv_f32_params;

typedef struct {
    int32_t average, batches, channels;
    pt_window h, w;
    float act_min, act_max;
} pt_pool_f32_params;

typedef struct {
    int32_t batches, in_depth, out_depth;
    float act_min, act_max;
    const float *weights;          /* [in][out] */
    const float *bias;
} pt_fc_f32_params;

enum {
    PT_UNARY_RELU = 0, PT_UNARY_RELU6, PT_UNARY_RELU_N1_TO_1, PT_UNARY_LEAKY_RELU, PT_UNARY_HARD_SWISH,
    PT_UNARY_LOGISTIC, PT_UNARY_TANH
};
typedef struct { int32_t kind; float alpha; } pt_unary_f32_params;

enum { PT_BINARY_ADD = 0, PT_BINARY_SUB, PT_BINARY_MUL, PT_BINARY_MAXIMUM, PT_BINARY_MINIMUM };
typedef struct {
    int32_t kind;
    float act_min, act_max;        /* ADD, SUB, MUL */
    int32_t shape_a[4], shape_b[4], shape_out[4];   /* padded to rank 4 */
    int32_t rank_a, rank_b, rank_out;
} pt_binary_f32_params;

typedef struct { int32_t rows, depth; float beta; } pt_softmax_f32_params;

enum {
    PT_NOP = 0,
    PT_CONV, PT_CONV_FUSED, PT_DEPTHWISE, PT_DEPTHWISE_INPLACE, PT_FC, PT_POOL,
    PT_BINARY, PT_LOOKUP, PT_COPY, PT_FILL, PT_QUANTIZE, PT_DEQUANTIZE,
    PT_PAD, PT_CONCAT, PT_MEAN, PT_MEAN_FLOAT, PT_SOFTMAX, PT_LOG_SOFTMAX,
    PT_TRANSPOSE, PT_SLICE, PT_RESIZE_NEAREST,
    PT_CONV_F32, PT_DEPTHWISE_INPLACE_F32, PT_POOL_F32, PT_FC_F32, PT_UNARY_F32, PT_BINARY_F32,
    PT_SOFTMAX_F32, PT_LOG_SOFTMAX_F32
};

/* One instruction of the compiled plan. */
typedef struct {
    uint8_t kind;
    uint8_t whole;                 /* 1: layer by layer (the whole tensor) */
    int16_t op;                    /* the TFLite op index */
    int32_t row0, row1, col0, col1;   /* output positions computed */
    int32_t out_elements, out_channels;
    const void *params;
    const pt_operand *inputs;
    int32_t n_inputs;
    pt_operand output;
    const pt_operand *staging;     /* in-place depthwise: its staging buffer */
    const pt_copy *before;         /* streamed loads, then halo-cache reads */
    int32_t n_before;
    const pt_copy *after;          /* halo-cache writes, then the stage store */
    int32_t n_after;
} pt_step;

typedef void (*pt_region_reader)(void *context, int input, int row, int col, int rows, int cols, void *dst);

/* Where the step table's operands point during one invocation. */
typedef struct {
    uint8_t *arena;
    const uint8_t *constants;
    const void *const *inputs;
    void *const *outputs;
    uint8_t *const *extras;        /* PT_EXTRA buffers */
    pt_region_reader read;         /* streamed input: asked for each load */
    void *read_context;
} pt_context;

int pt_run(const pt_context *ctx, const pt_step *steps, int count);

/* Kernels (one file each kind). `in`/`out` hold the operand's region. */
void pt_conv_s8(const pt_conv_params *p, const int8_t *in, const pt_operand *in_region,
                int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);
void pt_depthwise_s8(const pt_depthwise_params *p, const int8_t *in, const pt_operand *in_region,
                     int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);
void pt_depthwise_inplace_s8(const pt_depthwise_params *p, int8_t *buffer, const pt_operand *in_region,
                             const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                             int8_t *staging, int32_t staging_bytes);
void pt_fc_s8(const pt_fc_params *p, const int8_t *in, int8_t *out);
void pt_pool_s8(const pt_pool_params *p, const int8_t *in, const pt_operand *in_region,
                int8_t *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);
void pt_mean_s8(const pt_mean_params *p, const int8_t *in, int8_t *out);
void pt_mean_f32(const pt_mean_params *p, const float *in, float *out);
void pt_softmax_s8(const pt_softmax_params *p, const int8_t *in, int8_t *out);
void pt_log_softmax_s8(const pt_log_softmax_params *p, const int8_t *in, int8_t *out);
void pt_transpose(const pt_transpose_params *p, const uint8_t *in, uint8_t *out);
void pt_strided_slice(const pt_slice_params *p, const uint8_t *in, uint8_t *out);
void pt_resize_nearest(const pt_resize_params *p, const int8_t *in, int8_t *out);
void pt_conv_f32(const pt_conv_f32_params *p, const float *in, const pt_operand *in_region,
                 float *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);
void pt_depthwise_inplace_f32(const pt_conv_f32_params *p, float *buffer, const pt_operand *in_region,
                              const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1,
                              float *staging, int32_t staging_floats);
void pt_pool_f32(const pt_pool_f32_params *p, const float *in, const pt_operand *in_region,
                 float *out, const pt_operand *out_region, int32_t row0, int32_t row1, int32_t col0, int32_t col1);
void pt_fc_f32(const pt_fc_f32_params *p, const float *in, float *out);
float pt_unary_f32(const pt_unary_f32_params *p, float x);
float pt_binary_f32(int32_t kind, float a, float b, float lower, float upper);
void pt_broadcast_f32(const pt_binary_f32_params *p, const float *a, const float *b, float *y);
void pt_softmax_f32(const pt_softmax_f32_params *p, const float *in, float *out);
void pt_log_softmax_f32(const pt_softmax_f32_params *p, const float *in, float *out);

#endif

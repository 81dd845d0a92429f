/* The int8 CONV_2D, one body for every instruction that sums a group of
 * input channels against a group of weights per int32 lane. Included once
 * per form (conv_avx2.c: vpmaddwd on int16 pairs; conv_vnni.c: vpdpbusd on
 * unsigned-byte quads, real or emulated) with
 *   VNNI_NAME(x)        the name of each function for this form
 *   VNNI_TARGET         its target attribute
 *   VNNI_DPBUSD(a,u,w)  a + the sum of each lane's group of products
 *   CONV_ELEM           the element of a prepared row (int16_t, uint8_t)
 *   CONV_GROUP          input channels per lane group (2, 4)
 *   CONV_PREPARE(src, pixels, ic, icg, dst, offset)
 *                       input bytes to prepared elements (offset added, or
 *                       made unsigned), channels past ic zero
 *   CONV_PAD(offset)    the element a padding position holds: one whose
 *                       product with any weight adds what skipping it adds
 *   CONV_FILL(dst, count, pad)  count elements of pad
 *   CONV_ALL_ROWS       1: rows outside the image are padding too (every
 *                       pixel has every tap, as a bias correction needs);
 *                       0: they are skipped.
 * Packed weights: [block of 8 channels][tap][group][8 lanes][CONV_GROUP],
 * 32 bytes per group step and block in both forms; a prepared pixel's
 * group is 4 bytes, broadcast to every lane. */

/* M pixels (`pstep` bytes apart in the widened input) x NB blocks of 8
 * channels (`bstride` bytes apart in the packed weights), over n taps of
 * `quads` groups of 4 input channels each. */
static inline __attribute__((always_inline)) VNNI_TARGET void VNNI_NAME(tile)(
    const int M, const int NB, const CONV_ELEM *x, ptrdiff_t pstep, const ptrdiff_t *in_off, const ptrdiff_t *w_off,
    int32_t n, int32_t quads, const CONV_WEIGHT *wb, ptrdiff_t bstride, const pt_requant *rq, int32_t ch,
    const rq_consts *k, int8_t *y, ptrdiff_t ystep, int32_t oc) {
    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(rq->bias + ch));
    const __m256i b1 = NB > 1 ? _mm256_loadu_si256((const __m256i *)(rq->bias + ch + 8)) : b0;
    __m256i a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0;
    __m256i c0 = b1, c1 = b1, c2 = b1, c3 = b1, c4 = b1, c5 = b1;
    for (int32_t t = 0; t < n; t++) {
        const CONV_ELEM *xp = x + in_off[t];
        const CONV_WEIGHT *wp = wb + w_off[t];
        for (int32_t q = 0; q < quads; q++) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wp + 8 * CONV_GROUP * q));
            const __m256i w1 = NB > 1 ? _mm256_loadu_si256((const __m256i *)(wp + bstride + 8 * CONV_GROUP * q)) : w0;
#define PT_VSTEP(m, A, C)                                               \
    if (M > m) {                                                        \
        int32_t quad;                                                   \
        memcpy(&quad, xp + (m) * pstep + CONV_GROUP * q, sizeof quad);           \
        const __m256i v = _mm256_set1_epi32(quad);                      \
        A = VNNI_DPBUSD(A, v, w0);                                      \
        if (NB > 1) C = VNNI_DPBUSD(C, v, w1);                          \
    }
            PT_VSTEP(0, a0, c0)
            PT_VSTEP(1, a1, c1)
            PT_VSTEP(2, a2, c2)
            PT_VSTEP(3, a3, c3)
            PT_VSTEP(4, a4, c4)
            PT_VSTEP(5, a5, c5)
#undef PT_VSTEP
        }
    }
    const int32_t count = oc - ch;
#define PT_VOUT(m, A, C)                                                                        \
    if (M > m) {                                                                                \
        if (NB > 1) store16(rq8(A, rq, ch, k), rq8(C, rq, ch + 8, k), y + (m) * ystep, count);    \
        else store8(rq8(A, rq, ch, k), y + (m) * ystep, count);                                 \
    }
    PT_VOUT(0, a0, c0)
    PT_VOUT(1, a1, c1)
    PT_VOUT(2, a2, c2)
    PT_VOUT(3, a3, c3)
    PT_VOUT(4, a4, c4)
    PT_VOUT(5, a5, c5)
#undef PT_VOUT
}

static inline __attribute__((always_inline)) VNNI_TARGET void VNNI_NAME(pixels)(
    const int M, const CONV_ELEM *x, ptrdiff_t pstep, const ptrdiff_t *in_off, const ptrdiff_t *w_off, int32_t n,
    int32_t quads, const CONV_WEIGHT *W, ptrdiff_t bstride, int32_t blocks, const pt_requant *rq, const rq_consts *k,
    int8_t *y, int32_t oc) {
    int32_t ob = 0;
    for (; ob + 1 < blocks; ob += 2)
        VNNI_NAME(tile)(M, 2, x, pstep, in_off, w_off, n, quads, W + ob * bstride, bstride, rq, ob * 8, k, y + ob * 8, oc, oc);
    if (ob < blocks)
        VNNI_NAME(tile)(M, 1, x, pstep, in_off, w_off, n, quads, W + ob * bstride, bstride, rq, ob * 8, k, y + ob * 8, oc, oc);
}

static VNNI_TARGET void VNNI_NAME(run)(int32_t count, const CONV_ELEM *x, ptrdiff_t pstep, const ptrdiff_t *in_off,
                                       const ptrdiff_t *w_off, int32_t n, int32_t quads, const CONV_WEIGHT *W,
                                       ptrdiff_t bstride, int32_t blocks, const pt_requant *rq, const rq_consts *k,
                                       int8_t *y, int32_t oc) {
    int32_t i = 0;
    for (; i + 6 <= count; i += 6)
        VNNI_NAME(pixels)(6, x + i * pstep, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y + (ptrdiff_t)i * oc, oc);
    x += i * pstep;
    y += (ptrdiff_t)i * oc;
    switch (count - i) {
    case 5: VNNI_NAME(pixels)(5, x, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y, oc); break;
    case 4: VNNI_NAME(pixels)(4, x, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y, oc); break;
    case 3: VNNI_NAME(pixels)(3, x, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y, oc); break;
    case 2: VNNI_NAME(pixels)(2, x, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y, oc); break;
    case 1: VNNI_NAME(pixels)(1, x, pstep, in_off, w_off, n, quads, W, bstride, blocks, rq, k, y, oc); break;
    default: break;
    }
}

void VNNI_TARGET VNNI_NAME(pt_conv)(const pt_window *w, const int8_t *X, const CONV_WEIGHT *W, const pt_requant *rq,
                                    int8_t *Y, CONV_ELEM *scratch) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ic = w->in_channels, oc = w->out_channels;
    const int32_t icq = (ic + CONV_GROUP - 1) / CONV_GROUP * CONV_GROUP, quads = icq / CONV_GROUP;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, taps = kh * kw;
    const int32_t dh = w->dilation_h, dw = w->dilation_w;
    const int32_t blocks = (oc + 7) / 8;
    const ptrdiff_t bstride = (ptrdiff_t)taps * quads * 8 * CONV_GROUP;
    const CONV_ELEM pad = CONV_PAD(w->input_offset);
    const rq_consts k = rq_load(rq);
    const size_t width = conv_row_width(w);
    size_t rows_count = (size_t)kh * width * (size_t)icq;
    if ((size_t)CONV_FLAT_CHUNK * (size_t)icq > rows_count) rows_count = (size_t)CONV_FLAT_CHUNK * (size_t)icq;
    CONV_ELEM *rows = scratch;
    /* The tap lists after the rows, 64 bytes on and 32-byte aligned. */
    ptrdiff_t *in_off = (ptrdiff_t *)(void *)((((uintptr_t)(scratch + rows_count)) + 64 + 31) & ~(uintptr_t)31);
    ptrdiff_t *w_off = in_off + taps;

    const int contiguous = w->col0 == w->out_x && w->col1 == w->out_x + w->out_cols &&
                           w->col0 - w->pad_left == w->in_x && w->in_cols == w->out_cols;
    if (taps == 1 && w->stride_h == 1 && w->stride_w == 1 && w->pad_top == 0 && w->pad_left == 0 && contiguous) {
        in_off[0] = 0;
        w_off[0] = 0;
        for (int32_t b = 0; b < w->batches; b++) {
            const size_t pixels = (size_t)(w->row1 - w->row0) * (size_t)w->out_cols;
            const int8_t *src = X + (((size_t)b * w->in_rows + (size_t)(w->row0 - w->in_y)) * w->in_cols) * (size_t)ic;
            int8_t *dst = Y + (((size_t)b * w->out_rows + (size_t)(w->row0 - w->out_y)) * w->out_cols) * (size_t)oc;
            for (size_t p = 0; p < pixels; p += CONV_FLAT_CHUNK) {
                const int32_t count = (int32_t)(pixels - p < CONV_FLAT_CHUNK ? pixels - p : CONV_FLAT_CHUNK);
                CONV_PREPARE(src + p * (size_t)ic, count, ic, icq, rows, w->input_offset);
                VNNI_NAME(run)(count, rows, icq, in_off, w_off, 1, quads, W, bstride, blocks, rq, &k, dst + p * (size_t)oc, oc);
            }
        }
        return;
    }

    /* Each output row prepares the input rows its windows read, from the
     * first tap of column col0 to the last tap of column col1 - 1, with the
     * pad element where the window lies in the padding, so every pixel of
     * the row shares one tap list and the row is one run of tiles. Without
     * dilation along x a filter row's taps are contiguous in the prepared
     * row and in the packed weights: one tap of kw x icq values. */
    const ptrdiff_t row_stride = (ptrdiff_t)width * icq;
    const ptrdiff_t pstep = (ptrdiff_t)w->stride_w * icq;
    const int32_t xbase = w->col0 * w->stride_w - w->pad_left;
    const int32_t lo_col = xbase > 0 ? xbase : 0;
    const int32_t hi_col = xbase + (int32_t)width < w->in_w ? xbase + (int32_t)width : w->in_w;
    const int32_t pre = lo_col - xbase < (int32_t)width ? lo_col - xbase : (int32_t)width;
    const int32_t done = hi_col > lo_col ? hi_col - xbase : pre;
    const int merged = dw == 1;
    const int32_t tap_quads = merged ? kw * quads : quads;
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            int32_t fy0 = 0, fy1 = kh;
            if (!CONV_ALL_ROWS) valid_taps(sy, dh, kh, w->in_h, &fy0, &fy1);
            int32_t n = 0;
            for (int32_t fy = fy0; fy < fy1; fy++) {
                const int32_t iy = sy + fy * dh;
                CONV_ELEM *dst = rows + fy * row_stride;
                if (iy < 0 || iy >= w->in_h) {
                    CONV_FILL(dst, (size_t)width * (size_t)icq, pad);
                } else {
                    if (pre > 0) CONV_FILL(dst, (size_t)pre * (size_t)icq, pad);
                    if (hi_col > lo_col) {
                        const int8_t *src = X + (((size_t)b * w->in_rows + (size_t)(iy - w->in_y)) * w->in_cols +
                                                 (size_t)(lo_col - w->in_x)) * (size_t)ic;
                        CONV_PREPARE(src, hi_col - lo_col, ic, icq, dst + (ptrdiff_t)(lo_col - xbase) * icq, w->input_offset);
                    }
                    if ((int32_t)width > done) CONV_FILL(dst + (ptrdiff_t)done * icq, ((size_t)width - (size_t)done) * (size_t)icq, pad);
                }
                if (merged) {
                    in_off[n] = fy * row_stride;
                    w_off[n] = (ptrdiff_t)fy * kw * quads * 8 * CONV_GROUP;
                    n++;
                } else {
                    for (int32_t fx = 0; fx < kw; fx++) {
                        in_off[n] = fy * row_stride + (ptrdiff_t)fx * dw * icq;
                        w_off[n] = (ptrdiff_t)(fy * kw + fx) * quads * 8 * CONV_GROUP;
                        n++;
                    }
                }
            }
            int8_t *yrow = Y + (((size_t)b * w->out_rows + (size_t)(oy - w->out_y)) * w->out_cols +
                                (size_t)(w->col0 - w->out_x)) * (size_t)oc;
            VNNI_NAME(run)(w->col1 - w->col0, rows, pstep, in_off, w_off, n, tap_quads, W, bstride, blocks, rq, &k, yrow, oc);
        }
    }
}

/* The VNNI CONV_2D, included once per instruction form by conv_vnni.c with
 *   VNNI_NAME(x)  the name of each function for this form
 *   VNNI_TARGET   its target attribute
 *   VNNI_DPBUSD(acc, u, w)   acc + sum of four u8 x s8 products per lane
 * (the real vpdpbusd, VEX or EVEX, or an exact AVX2 emulation that lets
 * the tests check this code on a machine without VNNI). */

/* M pixels (`pstep` bytes apart in the widened input) x NB blocks of 8
 * channels (`bstride` bytes apart in the packed weights), over n taps of
 * `quads` groups of 4 input channels each. */
static inline __attribute__((always_inline)) VNNI_TARGET void VNNI_NAME(tile)(
    const int M, const int NB, const uint8_t *x, ptrdiff_t pstep, const ptrdiff_t *in_off, const ptrdiff_t *w_off,
    int32_t n, int32_t quads, const int8_t *wb, ptrdiff_t bstride, const pt_requant *rq, int32_t ch,
    const rq_consts *k, int8_t *y, ptrdiff_t ystep, int32_t oc) {
    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(rq->bias + ch));
    const __m256i b1 = NB > 1 ? _mm256_loadu_si256((const __m256i *)(rq->bias + ch + 8)) : b0;
    __m256i a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0;
    __m256i c0 = b1, c1 = b1, c2 = b1, c3 = b1, c4 = b1, c5 = b1;
    for (int32_t t = 0; t < n; t++) {
        const uint8_t *xp = x + in_off[t];
        const int8_t *wp = wb + w_off[t];
        for (int32_t q = 0; q < quads; q++) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wp + 32 * q));
            const __m256i w1 = NB > 1 ? _mm256_loadu_si256((const __m256i *)(wp + bstride + 32 * q)) : w0;
#define PT_VSTEP(m, A, C)                                               \
    if (M > m) {                                                        \
        int32_t quad;                                                   \
        memcpy(&quad, xp + (m) * pstep + 4 * q, sizeof quad);           \
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
    const int M, const uint8_t *x, ptrdiff_t pstep, const ptrdiff_t *in_off, const ptrdiff_t *w_off, int32_t n,
    int32_t quads, const int8_t *W, ptrdiff_t bstride, int32_t blocks, const pt_requant *rq, const rq_consts *k,
    int8_t *y, int32_t oc) {
    int32_t ob = 0;
    for (; ob + 1 < blocks; ob += 2)
        VNNI_NAME(tile)(M, 2, x, pstep, in_off, w_off, n, quads, W + ob * bstride, bstride, rq, ob * 8, k, y + ob * 8, oc, oc);
    if (ob < blocks)
        VNNI_NAME(tile)(M, 1, x, pstep, in_off, w_off, n, quads, W + ob * bstride, bstride, rq, ob * 8, k, y + ob * 8, oc, oc);
}

static VNNI_TARGET void VNNI_NAME(run)(int32_t count, const uint8_t *x, ptrdiff_t pstep, const ptrdiff_t *in_off,
                                       const ptrdiff_t *w_off, int32_t n, int32_t quads, const int8_t *W,
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

void VNNI_TARGET VNNI_NAME(pt_conv)(const pt_window *w, const int8_t *X, const int8_t *W, const pt_requant *rq,
                                    int8_t *Y, uint8_t *scratch) {
    if (w->row0 >= w->row1 || w->col0 >= w->col1) return;
    const int32_t ic = w->in_channels, oc = w->out_channels, icq = quad_up(ic), quads = icq / 4;
    const int32_t kh = w->kernel_h, kw = w->kernel_w, taps = kh * kw;
    const int32_t dh = w->dilation_h, dw = w->dilation_w;
    const int32_t blocks = (oc + 7) / 8;
    const ptrdiff_t bstride = (ptrdiff_t)taps * quads * 32;
    /* x + offset = 0 in the padding: the unsigned byte of x = -offset. */
    const uint8_t pad = (uint8_t)(128 - w->input_offset);
    const rq_consts k = rq_load(rq);
    const size_t width = vnni_row_width(w);
    size_t rows_count = (size_t)kh * width * (size_t)icq;
    if ((size_t)VNNI_FLAT_CHUNK * (size_t)icq > rows_count) rows_count = (size_t)VNNI_FLAT_CHUNK * (size_t)icq;
    uint8_t *rows = scratch;
    ptrdiff_t *in_off = (ptrdiff_t *)(void *)(scratch + ((rows_count + 64 + 31) & ~(size_t)31));
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
            for (size_t p = 0; p < pixels; p += VNNI_FLAT_CHUNK) {
                const int32_t count = (int32_t)(pixels - p < VNNI_FLAT_CHUNK ? pixels - p : VNNI_FLAT_CHUNK);
                to_unsigned(src + p * (size_t)ic, count, ic, icq, rows);
                VNNI_NAME(run)(count, rows, icq, in_off, w_off, 1, quads, W, bstride, blocks, rq, &k, dst + p * (size_t)oc, oc);
            }
        }
        return;
    }

    /* Every filter row of every output row is present: rows above or below
     * the image are all padding, so the bias correction (which counts every
     * tap) holds for every pixel. */
    const ptrdiff_t row_stride = (ptrdiff_t)width * icq;
    const ptrdiff_t pstep = (ptrdiff_t)w->stride_w * icq;
    const int32_t xbase = w->col0 * w->stride_w - w->pad_left;
    const int32_t lo_col = xbase > 0 ? xbase : 0;
    const int32_t hi_col = xbase + (int32_t)width < w->in_w ? xbase + (int32_t)width : w->in_w;
    const int merged = dw == 1;
    const int32_t tap_quads = merged ? kw * quads : quads;
    int32_t n = 0;
    for (int32_t fy = 0; fy < kh; fy++) {
        if (merged) {
            in_off[n] = fy * row_stride;
            w_off[n] = (ptrdiff_t)fy * kw * quads * 32;
            n++;
        } else {
            for (int32_t fx = 0; fx < kw; fx++) {
                in_off[n] = fy * row_stride + (ptrdiff_t)fx * dw * icq;
                w_off[n] = (ptrdiff_t)(fy * kw + fx) * quads * 32;
                n++;
            }
        }
    }
    for (int32_t b = 0; b < w->batches; b++) {
        for (int32_t oy = w->row0; oy < w->row1; oy++) {
            const int32_t sy = oy * w->stride_h - w->pad_top;
            for (int32_t fy = 0; fy < kh; fy++) {
                const int32_t iy = sy + fy * dh;
                uint8_t *dst = rows + fy * row_stride;
                if (iy < 0 || iy >= w->in_h) {
                    fill_pad(dst, (int32_t)width, ic, icq, pad);
                    continue;
                }
                const int32_t pre = lo_col - xbase < (int32_t)width ? lo_col - xbase : (int32_t)width;
                if (pre > 0) fill_pad(dst, pre, ic, icq, pad);
                if (hi_col > lo_col) {
                    const int8_t *src = X + (((size_t)b * w->in_rows + (size_t)(iy - w->in_y)) * w->in_cols +
                                             (size_t)(lo_col - w->in_x)) * (size_t)ic;
                    to_unsigned(src, hi_col - lo_col, ic, icq, dst + (ptrdiff_t)(lo_col - xbase) * icq);
                }
                const int32_t done = hi_col > lo_col ? hi_col - xbase : pre;
                if ((int32_t)width > done) fill_pad(dst + (ptrdiff_t)done * icq, (int32_t)width - done, ic, icq, pad);
            }
            int8_t *yrow = Y + (((size_t)b * w->out_rows + (size_t)(oy - w->out_y)) * w->out_cols +
                                (size_t)(w->col0 - w->out_x)) * (size_t)oc;
            VNNI_NAME(run)(w->col1 - w->col0, rows, pstep, in_off, w_off, n, tap_quads, W, bstride, blocks, rq, &k, yrow, oc);
        }
    }
}

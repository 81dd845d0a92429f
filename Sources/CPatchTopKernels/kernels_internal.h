/* Helpers shared by the C kernels (not part of the public header). */
#ifndef PATCHTOP_KERNELS_INTERNAL_H
#define PATCHTOP_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "patchtop_kernels.h"

/* AVX2 functions carry their own target attribute: the library is built for
 * the architecture's baseline and calls them only after CPUID says so. */
#define PT_AVX2 __attribute__((target("avx2")))
#define PT_INLINE static inline __attribute__((always_inline))

#if !(defined(__x86_64__) || defined(_M_X64))
#include <stdio.h>
#include <stdlib.h>
/* The body of every vector kernel on a CPU that is not x86-64. They are
 * never called there: pt_cpu_features() is 0, so the runtime takes its
 * portable Swift kernels. Should a call reach one all the same, it stops
 * the process naming the kernel instead of returning without computing. */
#define PT_UNAVAILABLE() \
    do { \
        fprintf(stderr, "patchtop: %s is an x86-64 kernel and was called on another CPU\n", __func__); \
        abort(); \
    } while (0)
#endif

/* The taps [*f0, *f1) of a window axis that land inside the input (size
 * `size`) for a window whose tap 0 reads coordinate `start`: tap f reads
 * start + dilation * f. */
static inline void valid_taps(int32_t start, int32_t dilation, int32_t filter, int32_t size, int32_t *f0, int32_t *f1) {
    int32_t a = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int32_t room = size - start;
    int32_t b = room <= 0 ? 0 : (room + dilation - 1) / dilation;
    if (b > filter) b = filter;
    if (a > b) a = b;
    *f0 = a;
    *f1 = b;
}

/* Pixels one call of the int8 conv prepares at once on its 1x1 path. */
enum { CONV_FLAT_CHUNK = 240 };

/* Columns of one prepared row of the int8 conv: from the first tap of
 * output column col0 to the last tap of column col1 - 1, padding included. */
static inline size_t conv_row_width(const pt_window *w) {
    if (w->col1 <= w->col0) return 0;
    return (size_t)(w->col1 - w->col0 - 1) * (size_t)w->stride_w + (size_t)(w->kernel_w - 1) * (size_t)w->dilation_w + 1;
}

#endif

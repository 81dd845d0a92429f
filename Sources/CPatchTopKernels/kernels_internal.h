/* Helpers shared by the C kernels (not part of the public header). */
#ifndef PATCHTOP_KERNELS_INTERNAL_H
#define PATCHTOP_KERNELS_INTERNAL_H

#include <stdint.h>

/* AVX2 functions carry their own target attribute: the library is built for
 * the architecture's baseline and calls them only after CPUID says so. */
#define PT_AVX2 __attribute__((target("avx2")))
#define PT_INLINE static inline __attribute__((always_inline))

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

#endif

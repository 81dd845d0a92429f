#include "patchtop_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static uint32_t detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6) != 0x6) return 0; /* the OS saves XMM and YMM state */
    uint32_t features = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if ((b >> 5) & 1) features |= PT_CPU_AVX2;
        /* 256-bit EVEX vpdpbusd needs AVX512F, AVX512VL and AVX512_VNNI,
         * and the OS saving the opmask and upper ZMM state. */
        const unsigned avx512f = (b >> 16) & 1, avx512vl = (b >> 31) & 1, vnni512 = (c >> 11) & 1;
        if (avx512f && avx512vl && vnni512 && (lo & 0xE6) == 0xE6) features |= PT_CPU_AVX512_VNNI;
    }
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) {
        if ((a >> 4) & 1) features |= PT_CPU_AVX_VNNI;
    }
    return features;
}

uint32_t pt_cpu_features(void) {
    static uint32_t cached = 0xFFFFFFFFu;
    uint32_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == 0xFFFFFFFFu) {
        f = detect();
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f;
}
#else
uint32_t pt_cpu_features(void) { return 0; }
#endif

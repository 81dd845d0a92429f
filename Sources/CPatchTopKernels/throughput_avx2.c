/* The machine's arithmetic limits for the instructions the AVX2 kernels
 * use; see patchtop_kernels.h. */
#include "patchtop_kernels.h"
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

int32_t PT_AVX2 pt_int8_throughput_avx2(uint64_t iterations) {
    __m256i a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_epi32(i);
    __m256i y = _mm256_set1_epi16(1);
    for (uint64_t n = 0; n < iterations; n++) {
        /* y is opaque to the compiler: the loop stays as written. */
        __asm__ volatile("" : "+x"(y));
        a[0] = _mm256_add_epi32(a[0], _mm256_madd_epi16(a[0], y));
        a[1] = _mm256_add_epi32(a[1], _mm256_madd_epi16(a[1], y));
        a[2] = _mm256_add_epi32(a[2], _mm256_madd_epi16(a[2], y));
        a[3] = _mm256_add_epi32(a[3], _mm256_madd_epi16(a[3], y));
        a[4] = _mm256_add_epi32(a[4], _mm256_madd_epi16(a[4], y));
        a[5] = _mm256_add_epi32(a[5], _mm256_madd_epi16(a[5], y));
        a[6] = _mm256_add_epi32(a[6], _mm256_madd_epi16(a[6], y));
        a[7] = _mm256_add_epi32(a[7], _mm256_madd_epi16(a[7], y));
        a[8] = _mm256_add_epi32(a[8], _mm256_madd_epi16(a[8], y));
        a[9] = _mm256_add_epi32(a[9], _mm256_madd_epi16(a[9], y));
        a[10] = _mm256_add_epi32(a[10], _mm256_madd_epi16(a[10], y));
        a[11] = _mm256_add_epi32(a[11], _mm256_madd_epi16(a[11], y));
    }
    __m256i s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_epi32(s, a[i]);
    return _mm256_extract_epi32(s, 0);
}

float PT_AVX2 pt_f32_throughput_avx2(uint64_t iterations) {
    __m256 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
    __m256 y = _mm256_set1_ps(0.0f);
    for (uint64_t n = 0; n < iterations; n++) {
        __asm__ volatile("" : "+x"(y));
        a[0] = _mm256_add_ps(a[0], _mm256_mul_ps(a[0], y));
        a[1] = _mm256_add_ps(a[1], _mm256_mul_ps(a[1], y));
        a[2] = _mm256_add_ps(a[2], _mm256_mul_ps(a[2], y));
        a[3] = _mm256_add_ps(a[3], _mm256_mul_ps(a[3], y));
        a[4] = _mm256_add_ps(a[4], _mm256_mul_ps(a[4], y));
        a[5] = _mm256_add_ps(a[5], _mm256_mul_ps(a[5], y));
        a[6] = _mm256_add_ps(a[6], _mm256_mul_ps(a[6], y));
        a[7] = _mm256_add_ps(a[7], _mm256_mul_ps(a[7], y));
        a[8] = _mm256_add_ps(a[8], _mm256_mul_ps(a[8], y));
        a[9] = _mm256_add_ps(a[9], _mm256_mul_ps(a[9], y));
        a[10] = _mm256_add_ps(a[10], _mm256_mul_ps(a[10], y));
        a[11] = _mm256_add_ps(a[11], _mm256_mul_ps(a[11], y));
    }
    __m256 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, a[i]);
    return _mm256_cvtss_f32(s);
}
#else
/* Not x86-64: these kernels do not exist (see PT_UNAVAILABLE). */
int32_t pt_int8_throughput_avx2(uint64_t iterations) { (void)iterations; PT_UNAVAILABLE(); }
float pt_f32_throughput_avx2(uint64_t iterations) { (void)iterations; PT_UNAVAILABLE(); }
#endif

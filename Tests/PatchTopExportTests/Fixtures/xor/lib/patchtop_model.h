/* Test fixture: a stand-in library implementing the export's C API.
 * Input 0: 6x5x3 int8. Output 0: the input XOR 0x5A (through the arena);
 * output 1: four bytes, the input's bytes summed as a little-endian uint32.
 * "Op" 0 is the XOR, "op" 2 the sum (op 1 does nothing: it is detached). */
#ifndef PATCHTOP_MODEL_H
#define PATCHTOP_MODEL_H
#include <stdint.h>
#include <stddef.h>
#define PT_ARENA_BYTES   96
#define PT_NUM_INPUTS    1
#define PT_NUM_OUTPUTS   2
#ifndef PT_STREAMED_INPUT
#define PT_STREAMED_INPUT 0
#endif
extern const uint32_t pt_input_bytes[PT_NUM_INPUTS];
extern const uint32_t pt_output_bytes[PT_NUM_OUTPUTS];
extern const uint8_t  pt_input_is_float[PT_NUM_INPUTS];
extern const uint8_t  pt_output_is_float[PT_NUM_OUTPUTS];
int pt_init(void);
int pt_invoke(const void *const inputs[], void *const outputs[]);
typedef void (*pt_input_region_fn)(void *context, int input, int row, int col, int rows, int cols, void *dst);
int pt_invoke_streamed(pt_input_region_fn read, void *context, void *const outputs[]);
#if defined(PT_PROFILE) && PT_PROFILE
void pt_profile_step(int op, int begin);
#endif
#endif

/* Test fixture: see patchtop_model.h. */
#include "patchtop_model.h"

const uint32_t pt_input_bytes[PT_NUM_INPUTS] = { 90 };
const uint32_t pt_output_bytes[PT_NUM_OUTPUTS] = { 90, 4 };
const uint8_t pt_input_is_float[PT_NUM_INPUTS] = { 0 };
const uint8_t pt_output_is_float[PT_NUM_OUTPUTS] = { 0, 0 };

static const uint8_t pt_key[4] = { 0x5A, 0x5A, 0x5A, 0x5A };
__attribute__((section(".bss.pt_arena"), aligned(16))) static uint8_t pt_arena[PT_ARENA_BYTES];

#if defined(PT_PROFILE) && PT_PROFILE
#define PT_STEP(op, begin) pt_profile_step(op, begin)
#else
#define PT_STEP(op, begin) ((void)0)
#endif

int pt_init(void) { return 0; }

static int pt_run(void *const outputs[])
{
    uint8_t *out = outputs[0];
    PT_STEP(0, 1);
    for (uint32_t i = 0; i < 90; i++) out[i] = (uint8_t)(pt_arena[i] ^ pt_key[i & 3]);
    PT_STEP(0, 0);
    PT_STEP(2, 1);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 90; i++) sum += pt_arena[i];
    uint8_t *s = outputs[1];
    s[0] = (uint8_t)sum; s[1] = (uint8_t)(sum >> 8); s[2] = (uint8_t)(sum >> 16); s[3] = (uint8_t)(sum >> 24);
    PT_STEP(2, 0);
    return 0;
}

int pt_invoke(const void *const inputs[], void *const outputs[])
{
    const uint8_t *in = inputs[0];
#if defined(PT_FIXTURE_SPIN) && defined(__arm__)
    /* A known count: two instructions an iteration (the tests' check of
     * the instruction counter). */
    __asm volatile ("ldr r0, =%c0\n1: subs r0, r0, #1\n bne 1b" :: "i" (PT_FIXTURE_SPIN) : "r0", "cc");
#endif
#if defined(PT_FIXTURE_STATUS)
    return PT_FIXTURE_STATUS;
#endif
#if defined(PT_FIXTURE_FAULT) && defined(__arm__)
    *(volatile uint32_t *)0xFFFFFFF0u = 1; /* a bus fault */
#endif
    for (uint32_t i = 0; i < 90; i++) pt_arena[i] = in[i];
    return pt_run(outputs);
}

int pt_invoke_streamed(pt_input_region_fn read, void *context, void *const outputs[])
{
    /* Each row in two pieces (columns 0-2 and 3-4), 3 bytes a pixel. */
    for (int row = 0; row < 6; row++) {
        read(context, 0, row, 0, 1, 3, pt_arena + row * 15);
        read(context, 0, row, 3, 1, 2, pt_arena + row * 15 + 9);
    }
    return pt_run(outputs);
}

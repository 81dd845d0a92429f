/* PatchTop firmware harness: one inference of the exported library.
 *
 *   patchtop_fw INPUT_DIR OUTPUT_DIR      (host build)
 *   qemu-system-arm ... -kernel patchtop_fw.elf   (target; the two folders
 *   come over semihosting's command line, default "in" and "out")
 *
 * Reads input<K>.bin for every input, runs pt_invoke (or
 * pt_invoke_streamed, handing out regions of the image it read), writes
 * output<K>.bin and prints one machine-readable line per figure:
 *   PT status <pt_invoke's result>
 *   PT instructions <executed for the inference>   (target only)
 *   PT stack <bytes of stack the inference used>    (target only)
 *   PT op <index> <instructions>                    (with -DPT_PROFILE=1)
 *   PT error <text>                                 (what went wrong)
 * Exit status 0 only when every step succeeded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "patchtop_model.h"
#include "pt_harness_config.h"

#if defined(__arm__) && !defined(PT_HARNESS_HOST)
#define PT_ON_TARGET 1
#else
#define PT_ON_TARGET 0
#endif

static int pt_failed;

static void pt_error(const char *what, const char *detail)
{
    printf("PT error %s%s%s\n", what, detail ? " " : "", detail ? detail : "");
    pt_failed = 1;
}

/* ---------------------------------------------------------------- counting */
#if PT_ON_TARGET
/* SysTick on the processor clock. With QEMU's -icount shift=0 every
 * instruction advances virtual time by 1 ns, so one tick is
 * 1e9 / PT_CPU_HZ instructions (40 at the mps2 boards' 25 MHz). The 24-bit
 * counter wraps every 2^24 ticks; the handler counts the wraps. */
#define PT_SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define PT_SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define PT_SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define PT_ICSR     (*(volatile uint32_t *)0xE000ED04u)
#ifndef PT_CPU_HZ
#error "PT_CPU_HZ (the board's processor clock, which SysTick counts) must be defined"
#endif

static volatile uint32_t pt_wraps;

void SysTick_Handler(void) { pt_wraps++; }

static void pt_counter_start(void)
{
    PT_SYST_RVR = 0xFFFFFFu;
    PT_SYST_CVR = 0;
    PT_SYST_CSR = 7u; /* enable, interrupt, processor clock */
}

static uint64_t pt_ticks(void)
{
    uint32_t wraps, value, pending;
    do {
        wraps = pt_wraps;
        value = PT_SYST_CVR;
        pending = PT_ICSR & (1u << 26); /* a wrap not yet counted */
    } while (wraps != pt_wraps);
    if (pending && value > 0x800000u) wraps++;
    return (uint64_t)wraps * 0x1000000u + (0xFFFFFFu - value);
}

static uint64_t pt_instructions(uint64_t ticks) { return ticks * 1000000000ull / (uint64_t)PT_CPU_HZ; }

/* ------------------------------------------------------------------ stack */
extern uint32_t __StackLimit;
#define PT_PAINT 0xA5C3A5C3u

/* Inlined into main, so the painted words start right below main's frame:
 * everything below the returned address that changes is the inference's
 * (an interrupt taken meanwhile counts too, as it would on a board). */
static inline __attribute__((always_inline)) uint32_t *pt_paint_stack(void)
{
    uint32_t *sp;
    __asm volatile ("mov %0, sp" : "=r" (sp));
    for (uint32_t *p = &__StackLimit; p < sp; p++) *p = PT_PAINT;
    return sp;
}

static uint32_t pt_stack_used(const uint32_t *sp)
{
    const uint32_t *p = &__StackLimit;
    while (p < sp && *p == PT_PAINT) p++;
    if (p == &__StackLimit) pt_error("stack", "overflow: the inference used all of the harness's stack");
    return (uint32_t)((const uint8_t *)sp - (const uint8_t *)p);
}
#endif

/* -------------------------------------------------------------- profiling */
#if defined(PT_PROFILE) && PT_PROFILE
#ifndef PT_HARNESS_OPS
#define PT_HARNESS_OPS 1024 /* op indices counted; only the profiling build has these */
#endif
static uint64_t pt_op_ticks[PT_HARNESS_OPS];
static uint8_t pt_op_seen[PT_HARNESS_OPS];
static uint64_t pt_op_start;
static int pt_op_open = -1;

void pt_profile_step(int op, int begin)
{
#if PT_ON_TARGET
    uint64_t now = pt_ticks();
#else
    uint64_t now = 0;
#endif
    if (op < 0 || op >= PT_HARNESS_OPS) {
        pt_error("profile", "op index out of range");
        return;
    }
    if (begin) {
        if (pt_op_open >= 0) pt_error("profile", "a step began before the last one ended");
        pt_op_open = op;
        pt_op_seen[op] = 1;
        pt_op_start = now;
    } else {
        if (pt_op_open != op) pt_error("profile", "a step ended that had not begun");
        pt_op_ticks[op] += now - pt_op_start;
        pt_op_open = -1;
    }
}
#endif

/* ------------------------------------------------------------------ files */
static char pt_input_dir[256] = "in";
static char pt_output_dir[256] = "out";

static void pt_path(char *out, size_t size, const char *dir, const char *name, int k)
{
    snprintf(out, size, "%s/%s%d.bin", dir, name, k);
}

static void *pt_read(const char *path, uint32_t bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) { pt_error("cannot open", path); return NULL; }
    uint8_t *data = malloc(bytes ? bytes : 1);
    if (!data) { fclose(f); pt_error("out of memory reading", path); return NULL; }
    size_t got = fread(data, 1, bytes, f);
    int extra = fgetc(f);
    fclose(f);
    if (got != bytes || extra != EOF) {
        printf("PT error %s has a size other than the %lu bytes the input needs\n", path, (unsigned long)bytes);
        pt_failed = 1;
        free(data);
        return NULL;
    }
    return data;
}

static void pt_write(const char *path, const void *data, uint32_t bytes)
{
    FILE *f = fopen(path, "wb");
    if (!f) { pt_error("cannot create", path); return; }
    if (fwrite(data, 1, bytes, f) != bytes) pt_error("cannot write", path);
    if (fclose(f) != 0) pt_error("cannot close", path);
}

#if PT_ON_TARGET
/* The semihosting command line (SYS_GET_CMDLINE): "program [in [out]]". */
static void pt_arguments(void)
{
    static char line[600];
    struct { char *buffer; uint32_t size; } block = { line, sizeof line - 1 };
    register uint32_t r0 __asm("r0") = 0x15;
    register void *r1 __asm("r1") = &block;
    __asm volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    if (r0 != 0) return;
    line[block.size < sizeof line ? block.size : sizeof line - 1] = 0;
    char *words[3] = { 0, 0, 0 };
    int n = 0;
    for (char *p = line; *p && n < 3;) {
        while (*p == ' ') p++;
        if (!*p) break;
        words[n++] = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = 0;
    }
    if (n >= 2) snprintf(pt_input_dir, sizeof pt_input_dir, "%s", words[1]);
    if (n >= 3) snprintf(pt_output_dir, sizeof pt_output_dir, "%s", words[2]);
}
#endif

/* --------------------------------------------------------- streamed input */
#if defined(PT_STREAMED_INPUT) && PT_STREAMED_INPUT
static void *pt_images[PT_NUM_INPUTS];

/* The application's side of --stream-input: a camera or decoder would
 * produce these rows; here they come from the image read from the file. */
static void pt_read_region(void *context, int input, int row, int col, int rows, int cols, void *dst)
{
    (void)context;
    if (input < 0 || input >= PT_NUM_INPUTS || row < 0 || col < 0 || rows < 0 || cols < 0
        || row + rows > pt_harness_input_rows[input] || col + cols > pt_harness_input_cols[input]) {
        printf("PT error the library asked for input %d rows %d+%d cols %d+%d, outside the image\n", input, row, rows, col, cols);
        pt_failed = 1;
        return;
    }
    const int pixel = pt_harness_input_pixel_bytes[input];
    const uint8_t *image = pt_images[input];
    uint8_t *out = dst;
    for (int r = 0; r < rows; r++) {
        memcpy(out + (size_t)r * cols * pixel,
               image + ((size_t)(row + r) * pt_harness_input_cols[input] + col) * pixel,
               (size_t)cols * pixel);
    }
}
#endif

/* ------------------------------------------------------------------- main */
#if PT_ON_TARGET
int main(void)
{
    pt_arguments();
#else
int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT_DIR OUTPUT_DIR\n", argc > 0 ? argv[0] : "patchtop_fw");
        return 2;
    }
    snprintf(pt_input_dir, sizeof pt_input_dir, "%s", argv[1]);
    snprintf(pt_output_dir, sizeof pt_output_dir, "%s", argv[2]);
#endif
    char path[300];
    const void *inputs[PT_NUM_INPUTS];
    void *outputs[PT_NUM_OUTPUTS];
    for (int k = 0; k < PT_NUM_INPUTS; k++) {
        pt_path(path, sizeof path, pt_input_dir, "input", k);
        inputs[k] = pt_read(path, pt_input_bytes[k]);
        if (!inputs[k]) return 1;
#if defined(PT_STREAMED_INPUT) && PT_STREAMED_INPUT
        pt_images[k] = (void *)inputs[k];
#endif
    }
    for (int k = 0; k < PT_NUM_OUTPUTS; k++) {
        outputs[k] = calloc(pt_output_bytes[k] ? pt_output_bytes[k] : 1, 1);
        if (!outputs[k]) { pt_error("out of memory", "for the outputs"); return 1; }
    }
    int status = pt_init();
    if (status != 0) {
        printf("PT status %d\n", status);
        pt_error("pt_init failed", NULL);
        return 1;
    }
#if PT_ON_TARGET
    pt_counter_start();
    uint32_t *sp = pt_paint_stack();
    uint64_t start = pt_ticks();
#endif
#if defined(PT_STREAMED_INPUT) && PT_STREAMED_INPUT
    status = pt_invoke_streamed(pt_read_region, NULL, outputs);
#else
    status = pt_invoke(inputs, outputs);
#endif
#if PT_ON_TARGET
    uint64_t ticks = pt_ticks() - start;
    uint32_t stack = pt_stack_used(sp);
#endif
    printf("PT status %d\n", status);
    if (status != 0) pt_error("pt_invoke failed", NULL);
#if PT_ON_TARGET
    printf("PT instructions %llu\n", (unsigned long long)pt_instructions(ticks));
    printf("PT stack %lu\n", (unsigned long)stack);
#endif
#if defined(PT_PROFILE) && PT_PROFILE
    for (int op = 0; op < PT_HARNESS_OPS; op++) {
#if PT_ON_TARGET
        if (pt_op_seen[op]) printf("PT op %d %llu\n", op, (unsigned long long)pt_instructions(pt_op_ticks[op]));
#endif
    }
#endif
    for (int k = 0; k < PT_NUM_OUTPUTS; k++) {
        pt_path(path, sizeof path, pt_output_dir, "output", k);
        pt_write(path, outputs[k], pt_output_bytes[k]);
    }
    fflush(stdout);
    return pt_failed ? 1 : 0;
}

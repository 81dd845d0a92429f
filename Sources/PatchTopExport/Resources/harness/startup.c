/* PatchTop firmware harness: startup code for the Cortex-M boards QEMU
 * emulates (mps2-an386, mps2-an500, mps2-an505, mps3-an547).
 *
 * The vector table holds the initial stack pointer and the handlers; the
 * reset handler enables the FPU when the core has one, copies .data from
 * its load address, zeroes .bss, opens the semihosting handles and runs
 * main. Written for PatchTop's exports; no vendor code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern uint32_t __StackTop;
extern uint32_t __data_load__, __data_start__, __data_end__;
extern uint32_t __bss_start__, __bss_end__;
extern int main(void);
extern void initialise_monitor_handles(void);

void Reset_Handler(void);
void pt_fault_handler(void);
void SysTick_Handler(void);

/* Reports a fault over semihosting and stops with a status the harness
 * recognises (QEMU's exit status is the guest's). */
void pt_fault_handler(void)
{
    uint32_t ipsr;
    __asm volatile ("mrs %0, ipsr" : "=r" (ipsr));
    printf("PT fault %lu\n", (unsigned long)(ipsr & 0x1ffu));
    fflush(stdout);
    _Exit(70);
}

__attribute__((section(".vectors"), used))
const void *const pt_vector_table[16] = {
    &__StackTop,
    (const void *)Reset_Handler,
    (const void *)pt_fault_handler, /* NMI */
    (const void *)pt_fault_handler, /* HardFault */
    (const void *)pt_fault_handler, /* MemManage */
    (const void *)pt_fault_handler, /* BusFault */
    (const void *)pt_fault_handler, /* UsageFault */
    (const void *)pt_fault_handler, /* SecureFault (v8-M) */
    0, 0, 0,
    (const void *)pt_fault_handler, /* SVCall */
    (const void *)pt_fault_handler, /* DebugMonitor */
    0,
    (const void *)pt_fault_handler, /* PendSV */
    (const void *)SysTick_Handler,
};

/* newlib's exit() runs the .fini_array through _fini, which crti.o
 * would supply; linked without the C runtime's start files, it is here. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

void Reset_Handler(void)
{
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm volatile ("dsb\n\tisb" ::: "memory");
#endif
    for (uint32_t *src = &__data_load__, *dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
    initialise_monitor_handles();
    exit(main());
}

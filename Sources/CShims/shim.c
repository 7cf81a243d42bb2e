#define _GNU_SOURCE
#include "CShims.h"
#include <errno.h>
#include <sched.h>
#include <string.h>

vc_cpuid_regs vc_cpuid(uint32_t leaf, uint32_t subleaf) {
    vc_cpuid_regs r;
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
#else
    (void)leaf; (void)subleaf;
    memset(&r, 0, sizeof r);
#endif
    return r;
}

int vc_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int vc_affinity_size(void) { return (int)sizeof(cpu_set_t); }

int vc_save_affinity(void *saved) {
    return sched_getaffinity(0, sizeof(cpu_set_t), (cpu_set_t *)saved) == 0 ? 0 : errno;
}

int vc_restore_affinity(const void *saved) {
    return sched_setaffinity(0, sizeof(cpu_set_t), (const cpu_set_t *)saved) == 0 ? 0 : errno;
}

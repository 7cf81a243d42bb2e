#ifndef VIRTCHECK_CSHIMS_H
#define VIRTCHECK_CSHIMS_H

#include <stdint.h>

/// The four registers one CPUID instruction returns.
typedef struct {
    uint32_t eax, ebx, ecx, edx;
} vc_cpuid_regs;

/// Executes the CPUID instruction for (leaf, subleaf) on the calling thread's CPU.
vc_cpuid_regs vc_cpuid(uint32_t leaf, uint32_t subleaf);

/// Pins the calling thread to one logical CPU (sched_setaffinity). Returns 0 or an errno.
int vc_pin_to_cpu(int cpu);

/// Restores the calling thread's affinity to every CPU it was allowed before pinning.
/// `saved` is an opaque buffer of at least vc_affinity_size() bytes filled by vc_save_affinity.
int vc_affinity_size(void);
int vc_save_affinity(void *saved);
int vc_restore_affinity(const void *saved);

#endif

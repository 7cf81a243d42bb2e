/*
 * Prints every online CPU's CPUID leaves in the `cpuid -r` format (`CPU N:` then
 * `   0xLEAF 0xSUB: eax=... ebx=... ecx=... edx=...`), so a lab machine's --root tree carries
 * its CPUID (virtcheck reads `cpuid-r.txt` at a tree's top). The cpuid tool is not in the
 * initramfs; this is the same instruction, pinned to each CPU in turn.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static void leaf(unsigned l, unsigned s) {
    unsigned a, b, c, d;
    __cpuid_count(l, s, a, b, c, d);
    printf("   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", l, s, a, b, c, d);
}

/* Leaves with subleaves (SDM vol. 2A CPUID; APM vol. 3 E.3) and how many to print. */
static unsigned subleaves(unsigned l) {
    unsigned a, b, c, d;
    switch (l) {
    case 0x4: case 0xb: case 0x1f: case 0x8000001d: return 8;
    case 0x7: case 0x14: case 0x17: case 0x18: case 0x1d: __cpuid_count(l, 0, a, b, c, d); return a + 1 > 8 ? 8 : a + 1;
    case 0xd: return 64;
    case 0xf: case 0x10: case 0x12: case 0x80000020: return 4;
    default: return 1;
    }
}

int main(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (long cpu = 0; cpu < n; cpu++) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) continue;
        printf("CPU %ld:\n", cpu);
        unsigned bases[] = { 0, 0x40000000u, 0x80000000u };
        for (unsigned i = 0; i < 3; i++) {
            unsigned max, b, c, d;
            __cpuid_count(bases[i], 0, max, b, c, d);
            if (max < bases[i] || max > bases[i] + 0x100) { if (i == 1) continue; max = bases[i]; }
            for (unsigned l = bases[i]; l <= max; l++)
                for (unsigned s = 0; s < subleaves(l); s++) leaf(l, s);
        }
    }
    return 0;
}

/*
 * The lab's own proof that a machine runs KVM guests, independent of virtcheck's runner.
 *
 *   kvmguest           a real-mode guest writes 0x42 to port 0x10, then halts
 *   kvmguest nested    where KVM offers SVM (KVM_GET_SUPPORTED_CPUID, given to the guest as its
 *                      CPUID), a guest hypervisor (L1) sets EFER.SVME and VM_HSAVE_PA and runs a
 *                      nested guest (L2) with VMRUN four times, in three fresh VMs, one per L1
 *                      paging mode: `long` (64-bit, 4-level paging), `pae` (32-bit, PAE paging)
 *                      and `legacy` (32-bit, 2-level paging). The L2 is the same in all three:
 *                      32-bit protected mode with paging off, it writes 33h to port 12h (not
 *                      intercepted by L1: it reaches this program, proof that L2 ran) and halts;
 *                      HLT is intercepted, and after each #VMEXIT L1 reports the VMCB's EXITCODE
 *                      on port 11h (78h = VMEXIT_HLT) and resumes L2 past the HLT. L1 has an IDT:
 *                      an exception it takes is reported (vector, error code, EIP on ports
 *                      14h-16h); a shutdown is reported with L1's control registers as KVM holds
 *                      them (after #VMEXIT they must be what VMRUN saved: APM vol. 2, 15.7).
 *
 * Output: `TRUTH key=value` lines, read by lab/check.py. Per mode M: nested_M_guest=ran|failed,
 * nested_M_exitcodes, nested_M_l2_runs, nested_M_fault (when L1 faulted). The keys without a
 * mode (nested_guest, nested_vmrun, nested_exitcode, nested_l3_ran) are the 64-bit L1's, the
 * hypervisors users run. Exit 0 when the guest (every nested mode) did what it was asked, 1 when
 * it did not (the lines say what happened instead), 2 when /dev/kvm is unusable.
 * VMCB offsets: AMD64 APM vol. 2, appendix B (control area B-1, state save area B-2).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE (1u << 20)
#define CODE 0x1000u
#define GDT 0x2000u
#define HSAVE 0x3000u
#define VMCB 0x4000u
#define L2_CODE 0x5000u
#define PAGING 0x6000u      /* PML4 (long) or page directory (legacy); PDPT (pae) at 0x7000 */
#define IDT 0xa000u
#define HANDLERS 0xb000u    /* one 16-byte stub per vector */
#define COMMON 0xb800u
#define STACK 0xe000u
#define IOPM 0x10000u
#define MSRPM 0x20000u
#define ROUNDS 4
#define VMEXIT_HLT 0x78

enum { SEL_CODE32 = 0x08, SEL_DATA = 0x10, SEL_CODE64 = 0x18 };

static void put16(uint8_t *m, uint32_t at, uint16_t v) { memcpy(m + at, &v, 2); }
static void put32(uint8_t *m, uint32_t at, uint32_t v) { memcpy(m + at, &v, 4); }
static void put64(uint8_t *m, uint32_t at, uint64_t v) { memcpy(m + at, &v, 8); }

static void on_alarm(int sig) { (void)sig; }

/* A flat segment in the VMCB's compressed attribute form (type|S|DPL|P, AVL|L|DB|G). */
static void vmcb_segment(uint8_t *m, uint32_t at, uint16_t selector, uint16_t attrib) {
    put16(m, at, selector);
    put16(m, at + 2, attrib);
    put32(m, at + 4, 0xffffffffu);
    put64(m, at + 8, 0);
}

static void flat(struct kvm_segment *s, uint16_t selector, uint8_t type, int long_mode) {
    memset(s, 0, sizeof *s);
    s->base = 0; s->limit = 0xffffffffu; s->selector = selector; s->type = type;
    s->present = 1; s->dpl = 0; s->db = !long_mode; s->l = long_mode; s->s = 1; s->g = 1;
}

struct vm { int fd, vcpu; uint8_t *mem; struct kvm_run *run; };

static int new_vm(int kvm, struct vm *vm) {
    vm->fd = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm->fd < 0) { printf("TRUTH kvm_create_vm=%s\n", strerror(errno)); return -1; }
    vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
                                                  .userspace_addr = (uint64_t)(uintptr_t)vm->mem };
    if (vm->mem == MAP_FAILED || ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        printf("TRUTH kvm_memory=%s\n", strerror(errno)); return -1;
    }
    vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu < 0) { printf("TRUTH kvm_create_vcpu=%s\n", strerror(errno)); return -1; }
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    vm->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
    if (vm->run == MAP_FAILED) { printf("TRUTH kvm_run_mmap=%s\n", strerror(errno)); return -1; }
    return 0;
}

static void free_vm(struct vm *vm) {
    close(vm->vcpu);
    close(vm->fd);
    munmap(vm->mem, MEM_SIZE);
}

/* KVM_RUN with a deadline: SIGALRM interrupts it (EINTR). 0 when the guest exited. */
static int run_once(struct vm *vm) {
    if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
        printf("TRUTH kvm_run=%s\n", errno == EINTR ? "timeout" : strerror(errno));
        return -1;
    }
    return 0;
}

static int plain_guest(int kvm) {
    struct vm vm;
    if (new_vm(kvm, &vm) < 0) return 1;
    struct kvm_sregs sregs;
    ioctl(vm.vcpu, KVM_GET_SREGS, &sregs);
    struct kvm_regs regs = { .rflags = 2, .rip = CODE };
    static const uint8_t code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };   /* mov al,42h; out 10h,al; hlt */
    memcpy(vm.mem + CODE, code, sizeof code);
    sregs.cs.base = 0; sregs.cs.selector = 0;
    if (ioctl(vm.vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vm.vcpu, KVM_SET_REGS, &regs) < 0) {
        printf("TRUTH kvm_set_state=%s\n", strerror(errno)); return 1;
    }
    int ok = 0;
    for (int step = 0; step < 16 && run_once(&vm) == 0; step++) {
        struct kvm_run *run = vm.run;
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
            uint32_t value = 0;
            memcpy(&value, (uint8_t *)run + run->io.data_offset, run->io.size);
            printf("TRUTH exit_io port=0x%x value=0x%x\n", run->io.port, value);
            if (run->io.port == 0x10 && value == 0x42) ok = 1;
            continue;
        }
        if (run->exit_reason == KVM_EXIT_HLT) printf("TRUTH exit=hlt\n");
        else if (run->exit_reason == KVM_EXIT_SHUTDOWN) printf("TRUTH exit=shutdown\n");
        else printf("TRUTH exit=reason%u\n", run->exit_reason);
        break;
    }
    printf("TRUTH kvm_guest=%s\n", ok ? "ran" : "failed");
    free_vm(&vm);
    return ok ? 0 : 1;
}

enum l1_mode { L1_LONG, L1_PAE, L1_LEGACY };
static const char *const mode_name[] = { "long", "pae", "legacy" };

/* What one nested run did: EXITCODEs L1 reported, L2's OUTs, how it ended. */
struct nested_result { int rounds, l2_runs, faulted; uint32_t exitcodes[ROUNDS]; };

/* L1's code (the same bytes decode identically in 32- and 64-bit mode: no REX prefixes, absolute
 * addresses through ModRM 04h + SIB 25h), at CODE. */
static const uint8_t l1_code[] = {
    0xb9, 0x80, 0x00, 0x00, 0xc0,               /* mov ecx, C0000080h (EFER) */
    0x0f, 0x32,                                 /* rdmsr */
    0x0d, 0x00, 0x10, 0x00, 0x00,               /* or eax, 1000h (SVME) */
    0x0f, 0x30,                                 /* wrmsr */
    0xb9, 0x17, 0x01, 0x01, 0xc0,               /* mov ecx, C0010117h (VM_HSAVE_PA) */
    0xb8, 0x00, 0x30, 0x00, 0x00,               /* mov eax, HSAVE */
    0x31, 0xd2,                                 /* xor edx, edx */
    0x0f, 0x30,                                 /* wrmsr */
    0xbe, ROUNDS, 0x00, 0x00, 0x00,             /* mov esi, ROUNDS */
    /* loop (offset 33): */
    0xb8, 0x00, 0x40, 0x00, 0x00,               /* mov eax, VMCB */
    0x0f, 0x01, 0xd8,                           /* vmrun */
    0x8b, 0x04, 0x25, 0x70, 0x40, 0x00, 0x00,   /* mov eax, [VMCB+70h] (EXITCODE) */
    0xe7, 0x11,                                 /* out 11h, eax */
    0xff, 0x04, 0x25, 0x78, 0x45, 0x00, 0x00,   /* inc dword [VMCB+578h] (L2's RIP past its HLT) */
    0xff, 0xce,                                 /* dec esi */
    0x75, 0x100 - 28,                           /* jnz loop */
    0xf4,                                       /* hlt */
};

/* L2, at L2_CODE: mov al,33h; out 12h,al; hlt (intercepted); jmp back to the start. */
static const uint8_t l2_code[] = { 0xb0, 0x33, 0xe6, 0x12, 0xf4, 0xeb, 0xf9 };

/* L1's exception handlers: a stub per vector pushes 0 where the CPU pushed no error code, then
 * the vector; the common code reports vector, error code and EIP, then halts. Same bytes in
 * 32- and 64-bit mode. */
static void write_handlers(uint8_t *m, int long_mode) {
    static const uint8_t common[] = { 0x58, 0xe7, 0x14, 0x58, 0xe7, 0x15, 0x58, 0xe7, 0x16, 0xf4, 0xeb, 0xfd };
    memcpy(m + COMMON, common, sizeof common);
    for (uint32_t v = 0; v < 32; v++) {
        uint32_t at = HANDLERS + 16 * v, p = at;
        int error_code = v == 8 || (v >= 10 && v <= 14) || v == 17;
        if (!error_code) { m[p++] = 0x6a; m[p++] = 0; }          /* push 0 */
        m[p++] = 0x6a; m[p++] = (uint8_t)v;                      /* push vector */
        m[p++] = 0xe9; put32(m, p, COMMON - (p + 4));            /* jmp common */
        uint64_t gate = (at & 0xffff) | (uint64_t)(long_mode ? SEL_CODE64 : SEL_CODE32) << 16
                        | 0x8eull << 40 | (uint64_t)(at >> 16) << 48;   /* interrupt gate, DPL 0 */
        if (long_mode) { put64(m, IDT + 16 * v, gate); put64(m, IDT + 16 * v + 8, 0); }
        else put64(m, IDT + 8 * v, gate);
    }
}

/* Identity-maps MEM_SIZE in 4 KiB pages; returns CR3. */
static uint32_t write_page_tables(uint8_t *m, enum l1_mode mode) {
    const uint32_t rw = 0x3;
    if (mode == L1_LEGACY) {                    /* PD at 0x6000 -> PT at 0x7000, 4-byte entries */
        put32(m, PAGING, (PAGING + 0x1000) | rw);
        for (uint32_t page = 0; page < MEM_SIZE / 4096; page++) put32(m, PAGING + 0x1000 + 4 * page, page * 4096 | rw);
        return PAGING;
    }
    /* 8-byte entries: PDPT 0x7000 -> PD 0x8000 -> PT 0x9000 (PML4 at 0x6000 in long mode). */
    for (uint32_t page = 0; page < MEM_SIZE / 4096; page++) put64(m, 0x9000 + 8 * page, page * 4096 | rw);
    put64(m, 0x8000, 0x9000 | rw);
    if (mode == L1_PAE) { put64(m, 0x7000, 0x8000 | 0x1); return 0x7000; }   /* a PAE PDPTE: P only */
    put64(m, 0x7000, 0x8000 | rw);
    put64(m, PAGING, 0x7000 | rw);
    return PAGING;
}

static int nested_run(int kvm, void *cpuid, enum l1_mode mode, struct nested_result *out) {
    const char *name = mode_name[mode];
    int long_mode = mode == L1_LONG;
    memset(out, 0, sizeof *out);
    struct vm vm;
    if (new_vm(kvm, &vm) < 0) return -1;
    if (ioctl(vm.vcpu, KVM_SET_CPUID2, cpuid) < 0) { printf("TRUTH set_cpuid=%s\n", strerror(errno)); free_vm(&vm); return -1; }
    uint8_t *m = vm.mem;
    memcpy(m + CODE, l1_code, sizeof l1_code);
    memcpy(m + L2_CODE, l2_code, sizeof l2_code);
    put64(m, GDT + SEL_CODE32, 0x00cf9b000000ffffull);     /* 32-bit code, flat */
    put64(m, GDT + SEL_DATA, 0x00cf93000000ffffull);       /* data, flat */
    put64(m, GDT + SEL_CODE64, 0x00af9b000000ffffull);     /* 64-bit code */
    write_handlers(m, long_mode);
    struct kvm_sregs sregs;
    ioctl(vm.vcpu, KVM_GET_SREGS, &sregs);
    sregs.gdt.base = GDT; sregs.gdt.limit = 4 * 8 - 1;
    sregs.idt.base = IDT; sregs.idt.limit = long_mode ? 32 * 16 - 1 : 32 * 8 - 1;
    flat(&sregs.cs, long_mode ? SEL_CODE64 : SEL_CODE32, 0xb, long_mode);
    flat(&sregs.ds, SEL_DATA, 0x3, 0);
    sregs.es = sregs.ds; sregs.ss = sregs.ds; sregs.fs = sregs.ds; sregs.gs = sregs.ds;
    sregs.cr3 = write_page_tables(m, mode);
    sregs.cr4 = mode == L1_LEGACY ? 0 : 0x20;               /* PAE */
    sregs.cr0 = 0x80000011;                                 /* PG | ET | PE */
    sregs.efer = long_mode ? 0x500 : 0;                     /* LMA | LME */
    struct kvm_regs regs = { .rflags = 2, .rip = CODE, .rsp = STACK };

    /* L2: 32-bit protected mode, paging off, its HLT, SHUTDOWN and every exception intercepted. */
    uint8_t *v = m + VMCB;
    put32(v, 0x008, 0xffffffffu);                           /* intercept exceptions */
    put32(v, 0x00c, 1u << 24 | 1u << 31);                   /* intercept HLT, SHUTDOWN */
    put32(v, 0x010, 1u << 0);                               /* intercept VMRUN (required) */
    put64(v, 0x040, IOPM);
    put64(v, 0x048, MSRPM);
    put32(v, 0x058, 1);                                     /* guest ASID */
    vmcb_segment(v, 0x400, SEL_DATA, 0xc93);                /* ES */
    vmcb_segment(v, 0x410, SEL_CODE32, 0xc9b);              /* CS */
    vmcb_segment(v, 0x420, SEL_DATA, 0xc93);                /* SS */
    vmcb_segment(v, 0x430, SEL_DATA, 0xc93);                /* DS */
    v[0x4cb] = 0;                                           /* CPL */
    put64(v, 0x4d0, 1u << 12);                              /* EFER.SVME */
    put64(v, 0x558, 0x11);                                  /* CR0: PE | ET (paging off) */
    put64(v, 0x560, 0x400);                                 /* DR7 */
    put64(v, 0x568, 0xffff0ff0u);                           /* DR6 */
    put64(v, 0x570, 2);                                     /* RFLAGS */
    put64(v, 0x578, L2_CODE);                               /* RIP */
    put64(v, 0x668, 0x0007040600070406ull);                 /* G_PAT */
    if (ioctl(vm.vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vm.vcpu, KVM_SET_REGS, &regs) < 0) {
        printf("TRUTH nested_%s_set_state=%s\n", name, strerror(errno)); free_vm(&vm); return -1;
    }
    uint32_t fault[3] = { 0 };
    int faults = 0, halted = 0;
    for (int step = 0; step < 8 * ROUNDS && run_once(&vm) == 0; step++) {
        struct kvm_run *run = vm.run;
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
            uint32_t value = 0;
            memcpy(&value, (uint8_t *)run + run->io.data_offset, run->io.size);
            if (run->io.port == 0x12 && value == 0x33) out->l2_runs++;
            else if (run->io.port == 0x11 && out->rounds < ROUNDS) out->exitcodes[out->rounds++] = value;
            else if (run->io.port >= 0x14 && run->io.port <= 0x16 && faults < 3) fault[faults++] = value;
            else printf("TRUTH nested_%s_exit_io=port 0x%x value 0x%x\n", name, run->io.port, value);
            continue;
        }
        if (run->exit_reason == KVM_EXIT_HLT) { halted = 1; break; }
        struct kvm_regs r;
        struct kvm_sregs sr;
        if (run->exit_reason == KVM_EXIT_SHUTDOWN && ioctl(vm.vcpu, KVM_GET_REGS, &r) == 0 && ioctl(vm.vcpu, KVM_GET_SREGS, &sr) == 0) {
            /* A triple fault of L1: where, and the state KVM gave it. */
            printf("TRUTH nested_%s_fault=shutdown rip=0x%llx cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx (L1 set cr3=0x%llx cr4=0x%llx)\n",
                   name, (unsigned long long)r.rip, (unsigned long long)sr.cr0, (unsigned long long)sr.cr3,
                   (unsigned long long)sr.cr4, (unsigned long long)sr.efer, (unsigned long long)sregs.cr3,
                   (unsigned long long)sregs.cr4);
        } else {
            printf("TRUTH nested_%s_fault=exit reason %u\n", name, run->exit_reason);
        }
        out->faulted = 1;
        break;
    }
    if (faults == 3) {
        printf("TRUTH nested_%s_fault=exception vector=%u error=0x%x rip=0x%x\n", name, fault[0], fault[1], fault[2]);
        out->faulted = 1;
    }
    char codes[ROUNDS * 12 + 1] = "";
    for (int i = 0; i < out->rounds; i++)
        snprintf(codes + strlen(codes), sizeof codes - strlen(codes), "%s0x%x", i ? "," : "", out->exitcodes[i]);
    int ok = halted && !out->faulted && out->rounds == ROUNDS && out->l2_runs == ROUNDS;
    for (int i = 0; i < out->rounds; i++) ok = ok && out->exitcodes[i] == VMEXIT_HLT;
    printf("TRUTH nested_%s_exitcodes=%s\nTRUTH nested_%s_l2_runs=%d\nTRUTH nested_%s_guest=%s\n",
           name, out->rounds ? codes : "none", name, out->l2_runs, name, ok ? "ran" : "failed");
    free_vm(&vm);
    return ok;
}

int main(int argc, char **argv) {
    int nested = argc > 1 && strcmp(argv[1], "nested") == 0;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        printf("TRUTH kvm_open=%s\n", errno == ENOENT ? "ENOENT" : errno == EACCES ? "EACCES" : strerror(errno));
        printf("TRUTH %s=failed\n", nested ? "nested_guest" : "kvm_guest");
        return 2;
    }
    printf("TRUTH kvm_open=ok\nTRUTH kvm_api=%d\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
    /* Every wait has a deadline: SIGALRM interrupts KVM_RUN (EINTR). */
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    alarm(60);
    if (!nested) return plain_guest(kvm);

    /* The CPUID KVM offers its guests: does it include SVM (CPUID 8000_0001h ECX bit 2)? */
    static struct { struct kvm_cpuid2 h; struct kvm_cpuid_entry2 e[256]; } cpuid = { .h.nent = 256 };
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0) { printf("TRUTH supported_cpuid=%s\n", strerror(errno)); return 1; }
    int svm = 0;
    for (unsigned i = 0; i < cpuid.h.nent; i++)
        if (cpuid.e[i].function == 0x80000001u) svm = (cpuid.e[i].ecx >> 2) & 1;
    printf("TRUTH l2_cpuid_svm=%d\n", svm);
    int all = 1;
    for (enum l1_mode mode = L1_LONG; mode <= L1_LEGACY; mode++) {
        struct nested_result r;
        int ok = nested_run(kvm, &cpuid, mode, &r);
        all = all && ok == 1;
        if (mode == L1_LONG) {
            /* The keys the lab's generic check and older expectations read: the 64-bit L1's. */
            if (r.l2_runs) printf("TRUTH nested_l3_ran=1\n");
            printf("TRUTH nested_vmrun=%s\n", r.rounds ? "executed" : "faulted");
            if (r.rounds) printf("TRUTH nested_exitcode=0x%x\n", r.exitcodes[0]);
            printf("TRUTH nested_guest=%s\n", ok == 1 ? "ran" : "failed");
        }
    }
    alarm(0);
    return all ? 0 : 1;
}

/*
 * The lab's own proof that a machine runs KVM guests, independent of virtcheck's runner.
 *
 *   kvmguest           a real-mode guest writes 0x42 to port 0x10, then halts
 *   kvmguest nested    a 32-bit protected-mode guest (L2) whose CPUID is what KVM offers
 *                      (KVM_GET_SUPPORTED_CPUID), with paging on (KVM raises #UD for SVM
 *                      instructions without it), sets EFER.SVME and VM_HSAVE_PA and executes VMRUN
 *                      on a VMCB whose guest (L3) writes 33h to port 12h (reaching this program:
 *                      L3 ran) and halts with HLT intercepted; the L2 guest then
 *                      reports the VMCB's EXITCODE on port 0x11 (0x78 = VMEXIT_HLT).
 *
 * Output: `TRUTH key=value` lines, read by lab/check.py. Exit 0 when the guest did what it was
 * asked, 1 when it did not (the lines say what happened instead), 2 when /dev/kvm is unusable.
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
#define HSAVE 0x3000u
#define VMCB 0x4000u
#define L3_CODE 0x5000u
#define PAGE_DIR 0x6000u
#define PAGE_TABLE 0x7000u
#define IOPM 0x10000u
#define MSRPM 0x20000u

static void put16(uint8_t *m, uint32_t at, uint16_t v) { memcpy(m + at, &v, 2); }
static void put32(uint8_t *m, uint32_t at, uint32_t v) { memcpy(m + at, &v, 4); }
static void put64(uint8_t *m, uint32_t at, uint64_t v) { memcpy(m + at, &v, 8); }

static void on_alarm(int sig) { (void)sig; }

/* A flat 32-bit segment in the VMCB's compressed attribute form (type|S|DPL|P, AVL|L|DB|G). */
static void vmcb_segment(uint8_t *m, uint32_t at, uint16_t selector, uint16_t attrib) {
    put16(m, at, selector);
    put16(m, at + 2, attrib);
    put32(m, at + 4, 0xffffffffu);
    put64(m, at + 8, 0);
}

static void flat(struct kvm_segment *s, uint16_t selector, uint8_t type) {
    memset(s, 0, sizeof *s);
    s->base = 0; s->limit = 0xffffffffu; s->selector = selector; s->type = type;
    s->present = 1; s->dpl = 0; s->db = 1; s->s = 1; s->g = 1;
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
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) { printf("TRUTH kvm_create_vm=%s\n", strerror(errno)); return 1; }
    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
                                                  .userspace_addr = (uint64_t)(uintptr_t)mem };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) { printf("TRUTH kvm_memory=%s\n", strerror(errno)); return 1; }
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) { printf("TRUTH kvm_create_vcpu=%s\n", strerror(errno)); return 1; }
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs sregs;
    ioctl(vcpu, KVM_GET_SREGS, &sregs);
    struct kvm_regs regs = { .rflags = 2 };

    if (!nested) {
        static const uint8_t code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };   /* mov al,42h; out 10h,al; hlt */
        memcpy(mem + CODE, code, sizeof code);
        sregs.cs.base = 0; sregs.cs.selector = 0;
        regs.rip = CODE;
    } else {
        /* The CPUID KVM offers its guests: does it include SVM (CPUID 8000_0001h ECX bit 2)? */
        struct { struct kvm_cpuid2 h; struct kvm_cpuid_entry2 e[256]; } cpuid = { .h.nent = 256 };
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0) { printf("TRUTH supported_cpuid=%s\n", strerror(errno)); return 1; }
        int svm = 0;
        for (unsigned i = 0; i < cpuid.h.nent; i++)
            if (cpuid.e[i].function == 0x80000001u) svm = (cpuid.e[i].ecx >> 2) & 1;
        printf("TRUTH l2_cpuid_svm=%d\n", svm);
        if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0) { printf("TRUTH set_cpuid=%s\n", strerror(errno)); return 1; }
        static const uint8_t code[] = {
            0xb9, 0x80, 0x00, 0x00, 0xc0,   /* mov ecx, C0000080h (EFER) */
            0x0f, 0x32,                     /* rdmsr */
            0x0d, 0x00, 0x10, 0x00, 0x00,   /* or eax, 1000h (SVME) */
            0x0f, 0x30,                     /* wrmsr */
            0xb9, 0x17, 0x01, 0x01, 0xc0,   /* mov ecx, C0010117h (VM_HSAVE_PA) */
            0xb8, 0x00, 0x30, 0x00, 0x00,   /* mov eax, HSAVE */
            0x31, 0xd2,                     /* xor edx, edx */
            0x0f, 0x30,                     /* wrmsr */
            0xb8, 0x00, 0x40, 0x00, 0x00,   /* mov eax, VMCB */
            0x0f, 0x01, 0xd8,               /* vmrun */
            0xa1, 0x70, 0x40, 0x00, 0x00,   /* mov eax, [VMCB+70h] (EXITCODE) */
            0xe7, 0x11,                     /* out 11h, eax */
            0xf4,                           /* hlt */
        };
        memcpy(mem + CODE, code, sizeof code);
        /* L3: mov al,33h; out 12h,al (not intercepted by L2's zeroed IOPM, so it reaches this
         * program: proof that L3 ran); hlt (intercepted: VMEXIT_HLT back to L2). */
        static const uint8_t l3[] = { 0xb0, 0x33, 0xe6, 0x12, 0xf4 };
        memcpy(mem + L3_CODE, l3, sizeof l3);
        uint8_t *v = mem + VMCB;
        put32(v, 0x00c, 1u << 24);          /* intercept HLT */
        put32(v, 0x010, 1u << 0);           /* intercept VMRUN (required) */
        put64(v, 0x040, IOPM);
        put64(v, 0x048, MSRPM);
        put32(v, 0x058, 1);                 /* guest ASID */
        vmcb_segment(v, 0x400, 0x10, 0xc93);   /* ES */
        vmcb_segment(v, 0x410, 0x08, 0xc9b);   /* CS */
        vmcb_segment(v, 0x420, 0x10, 0xc93);   /* SS */
        vmcb_segment(v, 0x430, 0x10, 0xc93);   /* DS */
        v[0x4cb] = 0;                       /* CPL */
        put64(v, 0x4d0, 1u << 12);          /* EFER.SVME */
        put64(v, 0x558, 0x11);              /* CR0: PE | ET */
        put64(v, 0x560, 0x400);             /* DR7 */
        put64(v, 0x568, 0xffff0ff0u);       /* DR6 */
        put64(v, 0x570, 2);                 /* RFLAGS */
        put64(v, 0x578, L3_CODE);           /* RIP */
        put64(v, 0x668, 0x0007040600070406ull);  /* G_PAT */
        flat(&sregs.cs, 0x08, 0xb);
        flat(&sregs.ds, 0x10, 0x3); sregs.es = sregs.ds; sregs.ss = sregs.ds; sregs.fs = sregs.ds; sregs.gs = sregs.ds;
        /* KVM's SVM instructions need paging on (else #UD): 4 KiB pages map the first MiB 1:1. */
        put32(mem, PAGE_DIR, PAGE_TABLE | 0x3);      /* present, writable */
        for (uint32_t page = 0; page < MEM_SIZE / 4096; page++)
            put32(mem, PAGE_TABLE + 4 * page, page * 4096 | 0x3);
        sregs.cr3 = PAGE_DIR;
        sregs.cr4 = 0;
        sregs.cr0 = 0x80000011;             /* PG | ET | PE */
        sregs.efer = 0;
        regs.rip = CODE;
    }
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
        printf("TRUTH kvm_set_state=%s\n", strerror(errno)); return 1;
    }
    /* Every wait has a deadline: SIGALRM interrupts KVM_RUN (EINTR). */
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    alarm(20);
    int ok = 0;
    for (int step = 0; step < 16; step++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            printf("TRUTH kvm_run=%s\n", errno == EINTR ? "timeout" : strerror(errno));
            break;
        }
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
            uint32_t value = 0;
            memcpy(&value, (uint8_t *)run + run->io.data_offset, run->io.size);
            printf("TRUTH exit_io port=0x%x value=0x%x\n", run->io.port, value);
            if (!nested && run->io.port == 0x10 && value == 0x42) ok = 1;
            if (nested && run->io.port == 0x12 && value == 0x33) printf("TRUTH nested_l3_ran=1\n");
            if (nested && run->io.port == 0x11) {
                printf("TRUTH nested_vmrun=executed\nTRUTH nested_exitcode=0x%x\n", value);
                ok = value == 0x78;
            }
            continue;
        }
        if (run->exit_reason == KVM_EXIT_HLT) { printf("TRUTH exit=hlt\n"); break; }
        if (run->exit_reason == KVM_EXIT_SHUTDOWN) {
            /* A fault with no IDT is a triple fault: in the nested test, VMRUN or the SVM MSRs faulted. */
            printf("TRUTH exit=shutdown\n");
            if (nested) {
                /* Where the L2 guest was: before VMRUN (EFER/MSR writes), at it, or after. */
                struct kvm_regs r;
                struct kvm_sregs sr;
                if (ioctl(vcpu, KVM_GET_REGS, &r) == 0 && ioctl(vcpu, KVM_GET_SREGS, &sr) == 0)
                    printf("TRUTH nested_fault_rip=0x%llx efer=0x%llx\n", (unsigned long long)r.rip, (unsigned long long)sr.efer);
                printf("TRUTH nested_vmrun=faulted\n");
            }
            break;
        }
        printf("TRUTH exit=reason%u\n", run->exit_reason);
        break;
    }
    alarm(0);
    printf("TRUTH %s=%s\n", nested ? "nested_guest" : "kvm_guest", ok ? "ran" : "failed");
    return ok ? 0 : 1;
}

#define _GNU_SOURCE
#include "CShims.h"
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
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

#ifdef __linux__
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const unsigned long VC_KVM_GET_API_VERSION = KVM_GET_API_VERSION;
const unsigned long VC_KVM_CREATE_VM = KVM_CREATE_VM;
const unsigned long VC_KVM_CHECK_EXTENSION = KVM_CHECK_EXTENSION;
const unsigned long VC_KVM_GET_VCPU_MMAP_SIZE = KVM_GET_VCPU_MMAP_SIZE;
const unsigned long VC_KVM_GET_SUPPORTED_CPUID = KVM_GET_SUPPORTED_CPUID;
const unsigned long VC_KVM_SET_USER_MEMORY_REGION = KVM_SET_USER_MEMORY_REGION;
const unsigned long VC_KVM_SET_TSS_ADDR = KVM_SET_TSS_ADDR;
const unsigned long VC_KVM_CREATE_VCPU = KVM_CREATE_VCPU;
const unsigned long VC_KVM_SET_CPUID2 = KVM_SET_CPUID2;
const unsigned long VC_KVM_RUN = KVM_RUN;
const unsigned long VC_KVM_GET_REGS = KVM_GET_REGS;
const unsigned long VC_KVM_SET_REGS = KVM_SET_REGS;
const unsigned long VC_KVM_GET_SREGS = KVM_GET_SREGS;
const unsigned long VC_KVM_SET_SREGS = KVM_SET_SREGS;

vc_kvm_io vc_kvm_run_io(const struct kvm_run *run) {
    vc_kvm_io io = {run->io.direction, run->io.size, run->io.port, run->io.count, 0};
    size_t n = run->io.size <= sizeof io.value ? run->io.size : sizeof io.value;
    memcpy(&io.value, (const char *)run + run->io.data_offset, n);
    return io;
}

void vc_kvm_run_io_answer(struct kvm_run *run, uint8_t byte) {
    memset((char *)run + run->io.data_offset, byte, (size_t)run->io.size * run->io.count);
}

uint64_t vc_kvm_run_fail_entry_reason(const struct kvm_run *run) {
    return run->fail_entry.hardware_entry_failure_reason;
}

uint32_t vc_kvm_run_fail_entry_cpu(const struct kvm_run *run) { return run->fail_entry.cpu; }

uint32_t vc_kvm_run_internal_suberror(const struct kvm_run *run) { return run->internal.suberror; }

uint32_t vc_kvm_run_internal_ndata(const struct kvm_run *run) { return run->internal.ndata; }

uint64_t vc_kvm_run_internal_data(const struct kvm_run *run, uint32_t index) {
    uint32_t limit = sizeof run->internal.data / sizeof run->internal.data[0];
    return index < limit && index < run->internal.ndata ? run->internal.data[index] : 0;
}

int vc_kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid_entry2 *entries, uint32_t *count) {
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + (size_t)*count * sizeof *entries);
    if (!cpuid) return ENOMEM;
    cpuid->nent = *count;
    int err = ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0 ? 0 : errno;
    if (err == 0) {
        memcpy(entries, cpuid->entries, (size_t)cpuid->nent * sizeof *entries);
        *count = cpuid->nent;
    }
    free(cpuid);
    return err;
}

int vc_kvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid_entry2 *entries, uint32_t count) {
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + (size_t)count * sizeof *entries);
    if (!cpuid) return ENOMEM;
    cpuid->nent = count;
    memcpy(cpuid->entries, entries, (size_t)count * sizeof *entries);
    int err = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid) == 0 ? 0 : errno;
    free(cpuid);
    return err;
}

int vc_kvm_get_msr_feature_index_list(int kvm_fd, uint32_t *indices, uint32_t *count) {
    struct kvm_msr_list *list = calloc(1, sizeof *list + (size_t)*count * sizeof *indices);
    if (!list) return ENOMEM;
    list->nmsrs = *count;
    int err = ioctl(kvm_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, list) == 0 ? 0 : errno;
    if (err == 0) {
        uint32_t n = list->nmsrs < *count ? list->nmsrs : *count;
        memcpy(indices, list->indices, (size_t)n * sizeof *indices);
        *count = n;
    } else if (err == E2BIG) {
        *count = list->nmsrs;
    }
    free(list);
    return err;
}

int vc_kvm_msrs(int fd, int set, const uint32_t *indices, uint64_t *values, uint32_t count) {
    struct kvm_msrs *msrs = calloc(1, sizeof *msrs + (size_t)count * sizeof(struct kvm_msr_entry));
    if (!msrs) return -ENOMEM;
    msrs->nmsrs = count;
    for (uint32_t i = 0; i < count; i++) {
        msrs->entries[i].index = indices[i];
        msrs->entries[i].data = values[i];
    }
    int done = ioctl(fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, msrs);
    if (done < 0) {
        done = -errno;
    } else {
        for (uint32_t i = 0; i < (uint32_t)done && i < count; i++) values[i] = msrs->entries[i].data;
    }
    free(msrs);
    return done;
}

static void vc_ignore_signal(int signo) { (void)signo; }

int vc_install_interrupting_handler(int signo) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = vc_ignore_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: the interrupted ioctl must fail with EINTR */
    return sigaction(signo, &action, NULL) == 0 ? 0 : errno;
}

int vc_thread_timer_start(int signo, uint64_t first_ns, uint64_t interval_ns, timer_t *timer) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signo;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &event, timer) != 0) return errno;
    struct itimerspec spec = {
        .it_interval = {(time_t)(interval_ns / 1000000000u), (long)(interval_ns % 1000000000u)},
        .it_value = {(time_t)(first_ns / 1000000000u), (long)(first_ns % 1000000000u)},
    };
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    if (timer_settime(*timer, 0, &spec, NULL) != 0) {
        int err = errno;
        timer_delete(*timer);
        return err;
    }
    return 0;
}

int vc_thread_timer_stop(timer_t timer) { return timer_delete(timer) == 0 ? 0 : errno; }

int vc_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno; }

extern char __bss_start[], _end[];

int vc_populate_bss(void) {
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)__bss_start & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)_end + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    return madvise((void *)start, end - start, MADV_POPULATE_WRITE) == 0 ? 0 : errno;
#else
    return EINVAL;
#endif
}

int vc_format_double(char *buffer, size_t size, const char *format, double value) {
    return snprintf(buffer, size, format, value);
}

int vc_schedule_idle(void) {
    struct sched_param param = { .sched_priority = 0 };
    return sched_setscheduler(0, SCHED_IDLE, &param) == 0 ? 0 : errno;
}

int vc_die_with_parent(int signo) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signo, 0, 0, 0) == 0 ? 0 : errno;
}

/* The temporary file of an --output being written; a signal handler removes it. */
static char vc_pending_path[4096];
static volatile sig_atomic_t vc_pending_set;

static void vc_write_stderr(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t n = write(2, text, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        length -= (size_t)n;
    }
}

static const char *vc_signal_name(int signo) {
    switch (signo) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    default: return "a signal";
    }
}

static void vc_termination_handler(int signo) {
    if (vc_pending_set) unlink(vc_pending_path);
    vc_write_stderr("virtcheck: stopped by ");
    vc_write_stderr(vc_signal_name(signo));
    vc_write_stderr("\n");
    _exit(128 + signo);
}

static void vc_fatal_handler(int signo) {
    if (vc_pending_set) unlink(vc_pending_path);
    vc_write_stderr("virtcheck: internal error: ");
    vc_write_stderr(vc_signal_name(signo));
    vc_write_stderr(" (out of memory, or a bug: please report it)\n");
    _exit(2);
}

static int vc_install(int signo, void (*handler)(int), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigfillset(&action.sa_mask);
    action.sa_flags = flags;
    return sigaction(signo, &action, NULL) == 0 ? 0 : errno;
}

int vc_install_termination_handlers(void) {
    const int signals[] = {SIGTERM, SIGINT, SIGHUP};
    sigset_t unblock;
    sigemptyset(&unblock);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction current;
        /* An ignored signal stays ignored (`nohup virtcheck ...`). */
        if (sigaction(signals[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        int err = vc_install(signals[i], vc_termination_handler, 0);
        if (err) return err;
        sigaddset(&unblock, signals[i]);
    }
    /* A parent's blocked mask survives exec (a thread of a test runner or service spawning
       virtcheck): blocked, SIGTERM would wait until exit and the run could not be stopped. */
    return pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

int vc_install_fatal_handlers(void) {
    /* A stack overflow leaves no stack to run the handler on: give it its own. */
    static char alternate[64 * 1024];
    stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0};
    if (sigaltstack(&stack, NULL) != 0) return errno;
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        int err = vc_install(signals[i], vc_fatal_handler, SA_ONSTACK | SA_RESETHAND);
        if (err) return err;
    }
    return 0;
}

static volatile sig_atomic_t vc_library_exit_guarded;

static void vc_library_exit_handler(void) {
    if (!vc_library_exit_guarded) return;
    if (vc_pending_set) unlink(vc_pending_path);
    vc_write_stderr("virtcheck: internal error: a library gave up (out of memory?)\n");
    _exit(2);
}

void vc_guard_library_exit(int on) {
    static int registered;
    if (!registered) registered = atexit(vc_library_exit_handler) == 0;
    vc_library_exit_guarded = on;
}

int vc_set_pending_temporary(const char *path) {
    if (path && strlen(path) >= sizeof vc_pending_path) return ENAMETOOLONG;
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &saved);
    vc_pending_set = 0;
    if (path) {
        strcpy(vc_pending_path, path);
        vc_pending_set = 1;
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return 0;
}

#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

const int VC_O_PATH = O_PATH;

int vc_open_in_root(int root_fd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned)flags;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}
#endif

#if defined(__linux__) && defined(__x86_64__)
#include <setjmp.h>

static sigjmp_buf vc_probe_env;
static volatile sig_atomic_t vc_probe_signo;
static volatile int vc_probe_code;

static void vc_probe_handler(int signo, siginfo_t *info, void *context) {
    (void)context;
    vc_probe_signo = signo;
    vc_probe_code = info ? info->si_code : 0;
    siglongjmp(vc_probe_env, 1);
}

/// One instruction each, in AT&T syntax; the encodings are in the SDM Vol.2 pages named in
/// Data/tables/popek_goldberg.tsv. Results go to `v`, which the caller zeroed.
static void vc_probe_execute(int which, volatile uint64_t *v) {
    unsigned char table[10] = {0};
    uint64_t a = 0, b = 0, c = 0, d = 0;
    switch (which) {
    case VC_PROBE_SGDT:
        __asm__ volatile("sgdt %0" : "=m"(table));
        memcpy((void *)&a, table + 2, 8); memcpy((void *)&b, table, 2);
        v[0] = a; v[1] = b; break;
    case VC_PROBE_SIDT:
        __asm__ volatile("sidt %0" : "=m"(table));
        memcpy((void *)&a, table + 2, 8); memcpy((void *)&b, table, 2);
        v[0] = a; v[1] = b; break;
    case VC_PROBE_SLDT: __asm__ volatile("sldt %%ax" : "=a"(a) : "a"(0)); v[0] = a & 0xFFFF; break;
    case VC_PROBE_STR: __asm__ volatile("str %%ax" : "=a"(a) : "a"(0)); v[0] = a & 0xFFFF; break;
    case VC_PROBE_SMSW: __asm__ volatile("smsw %%eax" : "=a"(a) : "a"(0)); v[0] = a & 0xFFFFFFFF; break;
    case VC_PROBE_PUSHF: __asm__ volatile("pushfq; popq %0" : "=r"(a)); v[0] = a; break;
    case VC_PROBE_POPF:
        /* Try to clear IF (bit 9) through POPF, then read the flags back; restore them after. */
        __asm__ volatile("pushfq; popq %0; movq %0, %1; andq $~0x200, %1; pushq %1; popfq; pushfq; popq %1; pushq %0; popfq"
                         : "=&r"(a), "=&r"(b) :: "cc");
        v[0] = a; v[1] = b; break;
    case VC_PROBE_MOV_CS: __asm__ volatile("movw %%cs, %%ax" : "=a"(a) : "a"(0)); v[0] = a & 0xFFFF; break;
    case VC_PROBE_MOV_SS:
        __asm__ volatile("movw %%ss, %%ax" : "=a"(a) : "a"(0)); v[0] = a & 0xFFFF; break;
    case VC_PROBE_LAR:
        __asm__ volatile("movw %%cs, %%cx; larl %%ecx, %%eax; setz %%dl; movzbl %%dl, %%edx"
                         : "=a"(a), "=c"(c), "=d"(d) : "a"(0) : "cc");
        v[0] = a; v[1] = d; break;
    case VC_PROBE_LSL:
        __asm__ volatile("movw %%ss, %%cx; lsll %%ecx, %%eax; setz %%dl; movzbl %%dl, %%edx"
                         : "=a"(a), "=c"(c), "=d"(d) : "a"(0) : "cc");
        v[0] = a; v[1] = d; break;
    case VC_PROBE_VERR:
        __asm__ volatile("movw %%cs, %%cx; verr %%cx; setz %%dl; movzbl %%dl, %%edx" : "=c"(c), "=d"(d) :: "cc");
        v[0] = d; break;
    case VC_PROBE_VERW:
        __asm__ volatile("movw %%cs, %%cx; verw %%cx; setz %%dl; movzbl %%dl, %%edx" : "=c"(c), "=d"(d) :: "cc");
        v[0] = d; break;
    case VC_PROBE_CPUID:
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
        v[0] = b; v[1] = c; v[2] = d; break;
    case VC_PROBE_RDTSC: __asm__ volatile("rdtsc" : "=a"(a), "=d"(d)); v[0] = (d << 32) | a; break;
    case VC_PROBE_RDTSCP: __asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c)); v[0] = (d << 32) | a; v[1] = c; break;
    case VC_PROBE_RDPMC: __asm__ volatile("rdpmc" : "=a"(a), "=d"(d) : "c"(0)); v[0] = (d << 32) | a; break;
    case VC_PROBE_HLT: __asm__ volatile("hlt"); break;
    case VC_PROBE_RDMSR: __asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0x10)); v[0] = (d << 32) | a; break;
    case VC_PROBE_LGDT: __asm__ volatile("lgdt %0" :: "m"(table)); break;
    case VC_PROBE_MOV_CR0: __asm__ volatile("movq %%cr0, %0" : "=r"(a)); v[0] = a; break;
    case VC_PROBE_CLTS: __asm__ volatile("clts"); break;
    case VC_PROBE_WBINVD: __asm__ volatile("wbinvd"); break;
    case VC_PROBE_IN: __asm__ volatile("inb $0x80, %%al" : "=a"(a)); v[0] = a & 0xFF; break;
    case VC_PROBE_CLI: __asm__ volatile("cli; sti"); break;
    case VC_PROBE_VMCALL: __asm__ volatile("vmcall" : "=a"(a) : "a"(0) : "rbx", "rcx", "rdx", "rsi", "memory"); v[0] = a; break;
    case VC_PROBE_VMMCALL: __asm__ volatile("vmmcall" : "=a"(a) : "a"(0) : "rbx", "rcx", "rdx", "rsi", "memory"); v[0] = a; break;
    default: break;
    }
}

int vc_cpl3_probe(int which, vc_cpl3_result *result) {
    if (which < 0 || which >= VC_PROBE_COUNT || !result) return EINVAL;
    memset(result, 0, sizeof *result);
    static const int signals[] = {SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP};
    struct sigaction action, saved[5];
    memset(&action, 0, sizeof action);
    action.sa_sigaction = vc_probe_handler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < 5; i++) sigaction(signals[i], &action, &saved[i]);
    volatile uint64_t values[3] = {0, 0, 0};
    vc_probe_signo = 0;
    vc_probe_code = 0;
    if (sigsetjmp(vc_probe_env, 1) == 0) {
        vc_probe_execute(which, values);
    }
    for (int i = 0; i < 5; i++) sigaction(signals[i], &saved[i], NULL);
    result->signo = vc_probe_signo;
    result->si_code = vc_probe_code;
    for (int i = 0; i < 3; i++) result->values[i] = values[i];
    return 0;
}
#else
int vc_cpl3_probe(int which, vc_cpl3_result *result) {
    (void)which; (void)result;
    return ENOSYS;
}
#endif

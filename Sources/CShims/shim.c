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

int vc_die_with_parent(int signo) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signo, 0, 0, 0) == 0 ? 0 : errno;
}
#endif

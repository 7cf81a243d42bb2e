#ifndef VIRTCHECK_CSHIMS_H
#define VIRTCHECK_CSHIMS_H

#include <stddef.h>
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

/// What one CPL3 probe observed: whether the instruction ran to completion (`signo` 0) or was
/// stopped by a signal (the kernel's translation of #GP/#UD/#PF), and what it produced.
typedef struct {
    int signo;
    int si_code;
    uint64_t values[3];
} vc_cpl3_result;

/// The unprivileged-sensitive and privileged instructions `vc_cpl3_probe` can execute.
/// Their order is the contract with HostProbe's `Cpl3Probe` names.
enum {
    VC_PROBE_SGDT, VC_PROBE_SIDT, VC_PROBE_SLDT, VC_PROBE_STR, VC_PROBE_SMSW,
    VC_PROBE_PUSHF, VC_PROBE_POPF, VC_PROBE_MOV_CS, VC_PROBE_MOV_SS,
    VC_PROBE_LAR, VC_PROBE_LSL, VC_PROBE_VERR, VC_PROBE_VERW,
    VC_PROBE_CPUID, VC_PROBE_RDTSC, VC_PROBE_RDTSCP, VC_PROBE_RDPMC,
    VC_PROBE_HLT, VC_PROBE_RDMSR, VC_PROBE_LGDT, VC_PROBE_MOV_CR0, VC_PROBE_CLTS,
    VC_PROBE_WBINVD, VC_PROBE_IN, VC_PROBE_CLI, VC_PROBE_VMCALL, VC_PROBE_VMMCALL,
    VC_PROBE_COUNT
};

/// Executes probe `which` at the caller's privilege level (CPL3 in a process) with handlers for
/// SIGSEGV, SIGILL, SIGBUS, SIGFPE and SIGTRAP that jump back here. Process-wide signal state
/// changes: call it only in a single-purpose child process (`virtcheck __cpl3-probe`).
/// Returns 0, or EINVAL for an unknown probe.
int vc_cpl3_probe(int which, vc_cpl3_result *result);

#ifdef __linux__
#include <linux/kvm.h>
#include <time.h>

/// KVM ioctl request numbers from <linux/kvm.h>. They are function-like macros (_IO/_IOR/_IOW)
/// that Swift cannot import, so they are exported as constants (the swift-nio CNIOLinux way).
extern const unsigned long VC_KVM_GET_API_VERSION;
extern const unsigned long VC_KVM_CREATE_VM;
extern const unsigned long VC_KVM_CHECK_EXTENSION;
extern const unsigned long VC_KVM_GET_VCPU_MMAP_SIZE;
extern const unsigned long VC_KVM_GET_SUPPORTED_CPUID;
extern const unsigned long VC_KVM_SET_USER_MEMORY_REGION;
extern const unsigned long VC_KVM_SET_TSS_ADDR;
extern const unsigned long VC_KVM_CREATE_VCPU;
extern const unsigned long VC_KVM_SET_CPUID2;
extern const unsigned long VC_KVM_RUN;
extern const unsigned long VC_KVM_GET_REGS;
extern const unsigned long VC_KVM_SET_REGS;
extern const unsigned long VC_KVM_GET_SREGS;
extern const unsigned long VC_KVM_SET_SREGS;

/// The KVM_EXIT_IO part of a kvm_run (a member of an anonymous union Swift cannot name).
/// `value` holds the first `size` bytes at `data_offset`: what an OUT wrote.
typedef struct {
    uint8_t direction;
    uint8_t size;
    uint16_t port;
    uint32_t count;
    uint64_t value;
} vc_kvm_io;

vc_kvm_io vc_kvm_run_io(const struct kvm_run *run);

/// Answers a KVM_EXIT_IO IN: fills the `size * count` data bytes with `byte` before the next KVM_RUN.
void vc_kvm_run_io_answer(struct kvm_run *run, uint8_t byte);

/// KVM_EXIT_FAIL_ENTRY: the hardware entry failure reason and the CPU it happened on.
uint64_t vc_kvm_run_fail_entry_reason(const struct kvm_run *run);
uint32_t vc_kvm_run_fail_entry_cpu(const struct kvm_run *run);

/// KVM_EXIT_INTERNAL_ERROR: the suberror (KVM_INTERNAL_ERROR_*) and its data words.
uint32_t vc_kvm_run_internal_suberror(const struct kvm_run *run);
uint32_t vc_kvm_run_internal_ndata(const struct kvm_run *run);
uint64_t vc_kvm_run_internal_data(const struct kvm_run *run, uint32_t index);

/// KVM_GET_SUPPORTED_CPUID into `entries` (room for `*count`); kvm_cpuid2 ends in a flexible
/// array Swift cannot allocate. Returns 0 and sets `*count`, or an errno (E2BIG: too small).
int vc_kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid_entry2 *entries, uint32_t *count);

/// KVM_SET_CPUID2 on a vCPU from `count` entries. Returns 0 or an errno.
int vc_kvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid_entry2 *entries, uint32_t count);

/// KVM_GET_MSR_FEATURE_INDEX_LIST on the system fd into `indices` (room for `*count`); kvm_msr_list
/// ends in a flexible array. Returns 0 and sets `*count`, or an errno (E2BIG: too small).
int vc_kvm_get_msr_feature_index_list(int kvm_fd, uint32_t *indices, uint32_t *count);

/// KVM_GET_MSRS (on the system fd: feature MSRs; on a vCPU fd: the vCPU's MSRs) or KVM_SET_MSRS
/// (`set` != 0, vCPU fd only) for `count` MSRs; kvm_msrs ends in a flexible array. Returns the
/// number of MSRs processed (the first failing one stops the kernel) or -errno.
int vc_kvm_msrs(int fd, int set, const uint32_t *indices, uint64_t *values, uint32_t count);

/// Installs a do-nothing handler for `signo` without SA_RESTART, so a blocking KVM_RUN the
/// signal lands on returns EINTR instead of being restarted. Returns 0 or an errno.
int vc_install_interrupting_handler(int signo);

/// Starts a POSIX timer that sends `signo` to the calling thread only (SIGEV_THREAD_ID), first
/// after `first_ns`, then every `interval_ns` (so a signal that lands between two KVM_RUNs is
/// followed by another). Returns 0 or an errno.
int vc_thread_timer_start(int signo, uint64_t first_ns, uint64_t interval_ns, timer_t *timer);

/// Deletes a timer from vc_thread_timer_start. Returns 0 or an errno.
int vc_thread_timer_stop(timer_t timer);

/// pipe2(O_CLOEXEC), which glibc declares only under _GNU_SOURCE: a pipe whose ends no other
/// concurrently spawned child can inherit. Returns 0 or an errno.
int vc_pipe_cloexec(int fds[2]);

/// Asks the kernel to send `signo` to this process when its parent dies (PR_SET_PDEATHSIG;
/// prctl is variadic, so Swift cannot call it). Returns 0 or an errno.
int vc_die_with_parent(int signo);

/// Faults in, writable, every page of this executable's zero-initialised data (.bss, between the
/// linker's `__bss_start` and `_end`) with one madvise(MADV_POPULATE_WRITE), while the process
/// has a single thread. Returns 0 or an errno (EINVAL before Linux 5.14: nothing is done).
int vc_populate_bss(void);

/// snprintf of one double (`%.1f`, `%.2f ms`): C's formatting without Swift's `withVaList`,
/// whose first use casts each argument to a protocol and so scans all of the binary's
/// conformance records (0.85 M instructions on `check`'s path; callgrind, issue 16).
/// Returns what snprintf returns.
int vc_format_double(char *buffer, size_t size, const char *format, double value);

/// Puts the calling thread in SCHED_IDLE (which needs no privilege): it then runs only on a CPU
/// nothing else wants. Returns 0 or an errno.
int vc_schedule_idle(void);

/// Installs the process's handlers for SIGTERM, SIGINT and SIGHUP: remove the temporary file
/// registered with vc_set_pending_temporary, write `virtcheck: stopped by SIGTERM` to stderr
/// and _exit(128 + signo), the shell's convention. Everything in the handler is
/// async-signal-safe. A signal the parent left ignored (nohup) stays ignored; one it left
/// blocked is unblocked. Returns 0 or an errno.
int vc_install_termination_handlers(void);

/// Installs one-line handlers for the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT,
/// SIGFPE) on an alternate stack: remove the registered temporary file, write `virtcheck:
/// internal error: <signal>` and _exit(2). Returns 0 or an errno.
int vc_install_fatal_handlers(void);

/// While `on` is non-zero, an exit(3) from inside a library (libpci's default error callback
/// calls exit(1) when pci_alloc runs out of memory — an exit code that reads as "a required
/// check failed") becomes one line and _exit(2), virtcheck's internal-error code.
void vc_guard_library_exit(int on);

/// libpci's pci_access, opaque here: only pci.c, which loads libpci at first use, looks inside.
struct pci_access;

/// A pci_access of libpci (loaded now if it was not: dlopen libpci.so.3) with its messages
/// dropped and network lookups off; NULL when libpci cannot be loaded or allocation failed.
struct pci_access *vc_pci_open(void);
/// The pci.ids file the access is configured with (libpci's default).
const char *vc_pci_id_file(struct pci_access *a);
void vc_pci_close(struct pci_access *a);
/// pci_lookup_name for a vendor, a vendor's device, a class (base class and subclass): the
/// name, or NULL when the database has none.
char *vc_pci_vendor_name(struct pci_access *a, char *buf, int size, int vendor);
char *vc_pci_device_name(struct pci_access *a, char *buf, int size, int vendor, int device);
char *vc_pci_class_name(struct pci_access *a, char *buf, int size, int class_code);

/// Registers (a copy of) the temporary file a signal handler must remove, or clears it (NULL).
/// Termination signals are blocked while the path changes. Returns 0, or ENAMETOOLONG.
int vc_set_pending_temporary(const char *path);

/// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: opens `path` as if the directory
/// `root_fd` were `/`, so `..`, absolute paths and symlinks (absolute ones included) all
/// resolve inside it, and /proc magic links are refused. glibc has no wrapper, hence the
/// shim (SYS_openat2 is 437 on x86-64). Returns a descriptor, or -1 with errno set: ENOSYS on
/// kernels before 5.6, ELOOP for a loop or magic link, EXDEV or EAGAIN when a concurrent rename
/// could have let `..` escape.
int vc_open_in_root(int root_fd, const char *path, int flags);

/// O_PATH, which <fcntl.h> defines only under _GNU_SOURCE: an open that names a file (for
/// fstat, readlinkat, a directory to resolve in) without reading it or opening a device.
extern const int VC_O_PATH;
#endif

#endif

/// A documented way a KVM backend departs from the SDM: the differential run still reports the
/// disagreement, and names this as its explanation — but only for the exact observations the
/// deviation lists (program, field, value KVM produced). Any other difference, in the same
/// program or not, stays unexplained, so a new regression is never labelled "known".
public struct KnownDeviation: Sendable, Hashable {
    /// One observation a deviation excuses: in `program`, `field` read `observed` under KVM.
    public struct Observation: Sendable, Hashable {
        public var program: String
        public var field: String
        public var observed: String

        public init(_ program: String, _ field: String, _ observed: String) {
            self.program = program
            self.field = field
            self.observed = observed
        }
    }

    /// The backend module it applies to (`kvm_pvm`, `kvm_intel`, `kvm_amd`).
    public var backend: String
    public var observations: [Observation]
    public var explanation: String
    public var source: String

    /// The programs it concerns.
    public var programs: Set<String> { Set(observations.map(\.program)) }

    init(backend: String, observations: [Observation], explanation: String, source: String) {
        self.backend = backend
        self.observations = observations
        self.explanation = explanation
        self.source = source
    }

    /// A user-mode guest's exit list: the OUTs to port 0x10 (each a 4-byte value) then the end.
    static func outs(_ values: [String], then end: String) -> String {
        (values.map { "io:out port 0x10 size 4 value \($0)" } + [end]).joined(separator: ", ")
    }

    /// kvm_pvm runs the whole guest at hardware CPL3 and maps guest user mode onto the host's
    /// user segments and flags (virt-pvm/linux Documentation/virt/kvm/x86/pvm-spec.rst, "Underlying
    /// states" and "States or registers on PVM modes"); what traps goes to KVM's emulator. One entry
    /// says plainly where the mechanism is inferred rather than traced.
    public static let all: [KnownDeviation] = [
        KnownDeviation(backend: "kvm_pvm", observations: [.init("u-mov-sreg", "exits", outs(["0x33", "0x2b", "0x0"], then: "shutdown"))],
                       explanation: "guest user mode runs on the host's __USER_CS/__USER_DS (0x33/0x2b), not the selectors IRETQ loaded",
                       source: "pvm-spec.rst: CS in user mode is mapped to the underlying CS (__USER_CS); SS to __USER_DS"),
        KnownDeviation(backend: "kvm_pvm", observations: [.init("u-pushf", "exits", outs(["0x202"], then: "shutdown")),
                                                           .init("u-popf", "exits", outs(["0x202"], then: "shutdown")),
                                                           .init("u-cli-sti", "exits", "shutdown")],
                       explanation: "user-mode RFLAGS has IOPL=0 and IF=1 whatever the guest set, so IOPL-3 CLI/STI fault",
                       source: "pvm-spec.rst: RFLAGS IOPL=VM=VIF=VIP=0; the PVM interrupt flag is 1 in user mode"),
        KnownDeviation(backend: "kvm_pvm", observations: [.init("u-lar", "exits", outs(["0x0", "0xff00", "0x0"], then: "shutdown")),
                                                           .init("u-lsl", "exits", outs(["0xffff", "0x0"], then: "shutdown")),
                                                           .init("u-verr-verw", "exits", outs(["0x0", "0x0", "0x0", "0x0"], then: "shutdown"))],
                       explanation: "GDTR is ignored: descriptor checks at CPL3 see the host's DPL-3 GDT entries, not the guest's GDT",
                       source: "pvm-spec.rst: GDTR ignored; the effective GDT is the emulated CS/SS plus underlying DPL=3 entries"),
        KnownDeviation(backend: "kvm_pvm", observations: [
                           .init("l-int-iretq", "exits", "internal_error"), .init("l-int-iretq", "rax", "0x8e0000088138"),
                           .init("l-int-iretq", "rip", "0x811a"),
                           .init("l-ltr-str", "exits", outs(["0x28"], then: "internal_error")), .init("l-ltr-str", "rax", "0x28"),
                           .init("l-ltr-str", "rip", "0x8124"), .init("l-ltr-str", "rflags", "0x46"),
                           .init("u-retf", "exits", "internal_error")],
                       explanation: "the guest kernel runs at hardware CPL3, so INT n, LAR and RETFQ to an outer ring trap into "
                           + "KVM's instruction emulator, which does not implement them: KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure)",
                       source: "linux arch/x86/kvm/emulate.c: emulate_int() 'Protected mode interrupts unimplemented yet', "
                           + "em_ret_far() 'Outer-privilege level return is not implemented'; LAR (0F 02) has no emulator entry; pvm-spec.rst 'Underlying states'"),
        KnownDeviation(backend: "kvm_pvm", observations: [
                           .init("u-int-dpl3", "exits", "shutdown"), .init("u-int-dpl3", "rax", "0x8e0000088145"),
                           .init("u-int-dpl3", "rsp", "0x7000"), .init("u-int-dpl3", "rip", "0x812f"),
                           .init("u-int-dpl0", "exits", "shutdown"), .init("u-int-dpl0", "rax", "0x8e0000088145"),
                           .init("u-int-dpl0", "rsp", "0x7000"), .init("u-int-dpl0", "rip", "0x812f")],
                       explanation: "INT n from guest user mode ends in a triple fault, while the #GP of HLT reaches the guest's IDT "
                           + "(seen on this host; the path through pvm.c is not traced)",
                       source: "pvm-spec.rst: IDT ignored, replaced by PVM event handling; underlying IDT gates are DPL 0 except vectors 3, 4 and the syscall vector"),
        KnownDeviation(backend: "kvm_pvm", observations: [.init("u-rdtsc-tsd", "exits", outs(["0xc4", "0x2"], then: "shutdown"))],
                       explanation: "guest CR4.TSD does not reach the hardware: RDTSC at CPL3 reads the underlying TSC",
                       source: "pvm-spec.rst: TSC is mapped to the underlying TSC; underlying CR4 beyond PAE/FSGSBASE is implementation-defined"),
        // `verify --on-cpu`: the SVM vectors as guest code (field `outcome`, in the vectors' spelling).
        KnownDeviation(backend: "kvm_amd", observations: [.init("vmmcall.ud.host", "outcome", "done"),
                                                          .init("vmmcall.ud.host-cpl3", "outcome", "done")],
                       explanation: "KVM intercepts VMMCALL in its guests as its hypercall instruction, so an L1 VMMCALL never meets the "
                           + "CPU's #UD: KVM handles it (an unknown hypercall number returns -KVM_ENOSYS in RAX, one from CPL > 0 "
                           + "-KVM_EPERM) and the guest goes on",
                       source: "linux Documentation/virt/kvm/x86/hypercalls.rst; arch/x86/kvm/svm/svm.c, SVM_EXIT_VMMCALL handled by "
                           + "kvm_emulate_hypercall (arch/x86/kvm/x86.c: CPL != 0 -> ret = -KVM_EPERM)"),
        KnownDeviation(backend: "kvm_amd", observations: ["vmrun", "vmload", "vmsave", "stgi", "clgi"].map {
                           .init("\($0).ud.svme-cpl3", "outcome", "#GP(0)") },
                       explanation: "kvm_amd runs its guest with EFER.SVME always set in the VMCB the CPU executes (a guest save area "
                           + "needs it, APM 15.5.1), whatever the guest wrote; so with the guest's EFER.SVME = 0 at CPL3 the CPU's own "
                           + "CPL check (#GP(0)) comes first, before the intercept where KVM would raise the #UD the guest's EFER.SVME = 0 "
                           + "calls for (at CPL0 it does: the *.ud.svme vectors agree)",
                       source: "linux 6.1 arch/x86/kvm/svm/svm.c svm_set_efer: svm->vmcb->save.efer = efer | EFER_SVME; "
                           + "arch/x86/kvm/svm/nested.c nested_svm_check_permissions (#UD for !EFER.SVME, then #GP for CPL); "
                           + "APM vol. 2 15.7: exceptions are checked before instruction intercepts"),
        // The lab's L0 "CPU" is QEMU's TCG: its VMRUN rejects a reserved EVENTINJ type, KVM does not check it first.
        KnownDeviation(backend: "kvm_amd", observations: [.init("vmrun.event.reserved-type", "outcome", "#VMEXIT(0xffffffff)")],
                       explanation: "KVM's nested VMRUN does not check EVENTINJ's type, so the entry reaches the L0's CPU; QEMU's emulated "
                           + "VMRUN (TCG, the lab's AMD-V) refuses the reserved type with a 32-bit SVM_EXIT_ERR that it stores zero-extended "
                           + "(EXITCODE 0x00000000FFFFFFFF, not the APM's 64-bit -1), and KVM reflects vmcb02's exit_code and exit_code_hi "
                           + "to L1 unchanged. Where KVM's own consistency checks fail the entry (EFER, CR0, ASID, ...) Debian's 6.1.192 "
                           + "writes the full -1 (backported \"KVM: nSVM: Set exit_code_hi to -1 when synthesizing SVM_EXIT_ERR\")",
                       source: "qemu target/i386/tcg/sysemu/svm_helper.c: helper_vmrun, EVENTINJ type switch default -> "
                           + "cpu_vmexit(env, SVM_EXIT_ERR, ...); cpu_vmexit(CPUX86State *, uint32_t exit_code, ...) stores it with x86_stq_phys; "
                           + "linux 6.1 arch/x86/kvm/svm/nested.c: __nested_vmcb_check_controls (no EVENTINJ check), nested_svm_intercept "
                           + "(SVM_EXIT_ERR -> NESTED_EXIT_DONE), nested_svm_vmexit (copies exit_code, exit_code_hi from vmcb02); "
                           + "Debian linux 6.1.162-1 changelog"),
        // `verify --on-cpu`: the VMX vectors as guest code.
        KnownDeviation(backend: "kvm_intel", observations: [.init("vmcall.ud.outside", "outcome", "done"),
                                                             .init("vmcall.root.no-vmcs", "outcome", "done"),
                                                             .init("vmcall.root", "outcome", "done")],
                       explanation: "KVM takes VMCALL in its guests as its hypercall instruction, so an L1 VMCALL never meets the CPU's "
                           + "#UD, VMfailInvalid or VMfailValid(1): KVM handles it and the guest goes on with RFLAGS untouched and "
                           + "-KVM_ENOSYS (-1000) in RAX for an unknown hypercall number (seen in the lab's Bochs VT-x machine)",
                       source: "linux Documentation/virt/kvm/x86/hypercalls.rst; arch/x86/kvm/vmx/vmx.c, EXIT_REASON_VMCALL handled by kvm_emulate_hypercall"),
        KnownDeviation(backend: "kvm_intel", observations: [.init("vmlaunch.guest.link-after-state", "outcome", "entry-failure(33,4)"),
                                                             .init("vmresume.guest.link-after-state", "outcome", "entry-failure(33,4)"),
                                                             .init("vmlaunch.guest.event-blocking-before-link", "outcome", "entry-failure(33,4)"),
                                                             .init("vmresume.guest.event-blocking-before-link", "outcome", "entry-failure(33,4)")],
                       explanation: "KVM checks part of vmcs12's guest state in software before the CPU checks the rest on vmcs02, and "
                           + "the VMCS-link pointer is in KVM's part while the interruptibility state (its reserved bits, and the "
                           + "blocking an injected interrupt may not have) is in the CPU's: a guest state failing both fails with "
                           + "qualification 4 (link pointer) where the CPU's own order reports the interruptibility failure, qualification 0",
                       source: "linux 6.1 arch/x86/kvm/vmx/nested.c: nested_vmx_check_guest_state (nested_vmx_check_vmcs_link_ptr -> "
                           + "ENTRY_FAIL_VMCS_LINK_PTR; no interruptibility check) runs before nested_vmx_enter_non_root_mode's VM entry of vmcs02"),
        KnownDeviation(backend: "kvm_intel", observations: [
                           .init("vmlaunch.guest.activity-hlt-user", "outcome", "entered"), .init("vmresume.guest.activity-hlt-user", "outcome", "entered"),
                           .init("vmlaunch.guest.activity-hlt-sti", "outcome", "entered"), .init("vmresume.guest.activity-hlt-sti", "outcome", "entered"),
                           .init("vmlaunch.guest.activity-hlt-mov-ss", "outcome", "entered"), .init("vmresume.guest.activity-hlt-mov-ss", "outcome", "entered")],
                       explanation: "KVM runs a nested guest entered in the HLT activity state by halting the vCPU, without a VM entry "
                           + "of vmcs02 until an event wakes it, and its own software checks test only the activity state's value: "
                           + "the CPU's checks that HLT goes with SS.DPL 0 and without STI or MOV-SS blocking never run, so the "
                           + "entry succeeds",
                       source: "linux 6.1 arch/x86/kvm/vmx/nested.c: nested_vmx_run (GUEST_ACTIVITY_HLT without a pending event -> "
                           + "kvm_emulate_halt_noskip), nested_check_guest_non_reg_state (activity state ACTIVE or HLT only)"),
    ]

    /// The deviation that explains `observed` in `field` (the outcome, or a `then` key) of on-CPU
    /// vector `vector` on `backend`.
    public static func explaining(vector: String, field: String = "outcome", observed: String, backend: String?) -> KnownDeviation? {
        guard let backend else { return nil }
        let seen = Observation(vector, field, observed)
        return all.first { $0.backend == backend && $0.observations.contains(seen) }
    }

    /// The deviation that explains this exact observation of `program` on `backend`, if one is
    /// documented: same program, same field, same value.
    public static func explaining(_ program: String, _ mismatch: DifferentialMismatch, backend: String?) -> KnownDeviation? {
        guard let backend else { return nil }
        let seen = Observation(program, mismatch.field, mismatch.observed)
        return all.first { $0.backend == backend && $0.observations.contains(seen) }
    }

    /// Whether any deviation of `backend` concerns `program` at all.
    public static func concerns(_ program: String, backend: String?) -> Bool {
        guard let backend else { return false }
        return all.contains { $0.backend == backend && $0.programs.contains(program) }
    }
}

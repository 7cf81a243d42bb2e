/// A documented way a KVM backend departs from the SDM, by program: the differential run still
/// reports the disagreement, and names this as its explanation instead of leaving it unexplained.
public struct KnownDeviation: Sendable, Hashable {
    /// The backend module it applies to (`kvm_pvm`, `kvm_intel`, `kvm_amd`).
    public var backend: String
    public var programs: Set<String>
    public var explanation: String
    public var source: String

    /// kvm_pvm runs the whole guest at hardware CPL3 and maps guest user mode onto the host's
    /// user segments and flags (virt-pvm/linux Documentation/virt/kvm/x86/pvm-spec.rst, "Underlying
    /// states" and "States or registers on PVM modes"); what traps goes to KVM's emulator. One entry
    /// says plainly where the mechanism is inferred rather than traced.
    public static let all: [KnownDeviation] = [
        KnownDeviation(backend: "kvm_pvm", programs: ["u-mov-sreg"],
                       explanation: "guest user mode runs on the host's __USER_CS/__USER_DS (0x33/0x2b), not the selectors IRETQ loaded",
                       source: "pvm-spec.rst: CS in user mode is mapped to the underlying CS (__USER_CS); SS to __USER_DS"),
        KnownDeviation(backend: "kvm_pvm", programs: ["u-pushf", "u-popf", "u-cli-sti"],
                       explanation: "user-mode RFLAGS has IOPL=0 and IF=1 whatever the guest set, so IOPL-3 CLI/STI fault",
                       source: "pvm-spec.rst: RFLAGS IOPL=VM=VIF=VIP=0; the PVM interrupt flag is 1 in user mode"),
        KnownDeviation(backend: "kvm_pvm", programs: ["u-lar", "u-lsl", "u-verr-verw"],
                       explanation: "GDTR is ignored: descriptor checks at CPL3 see the host's DPL-3 GDT entries, not the guest's GDT",
                       source: "pvm-spec.rst: GDTR ignored; the effective GDT is the emulated CS/SS plus underlying DPL=3 entries"),
        KnownDeviation(backend: "kvm_pvm", programs: ["l-int-iretq", "l-ltr-str", "u-retf"],
                       explanation: "the guest kernel runs at hardware CPL3, so INT n, LAR and RETFQ to an outer ring trap into "
                           + "KVM's instruction emulator, which does not implement them: KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure)",
                       source: "linux arch/x86/kvm/emulate.c: emulate_int() 'Protected mode interrupts unimplemented yet', "
                           + "em_ret_far() 'Outer-privilege level return is not implemented'; LAR (0F 02) has no emulator entry; pvm-spec.rst 'Underlying states'"),
        KnownDeviation(backend: "kvm_pvm", programs: ["u-int-dpl3", "u-int-dpl0"],
                       explanation: "INT n from guest user mode ends in a triple fault, while the #GP of HLT reaches the guest's IDT "
                           + "(seen on this host; the path through pvm.c is not traced)",
                       source: "pvm-spec.rst: IDT ignored, replaced by PVM event handling; underlying IDT gates are DPL 0 except vectors 3, 4 and the syscall vector"),
        KnownDeviation(backend: "kvm_pvm", programs: ["u-rdtsc-tsd"],
                       explanation: "guest CR4.TSD does not reach the hardware: RDTSC at CPL3 reads the underlying TSC",
                       source: "pvm-spec.rst: TSC is mapped to the underlying TSC; underlying CR4 beyond PAE/FSGSBASE is implementation-defined"),
    ]

    /// The deviation that explains `program` on `backend`, if one is documented.
    public static func explaining(_ program: String, backend: String?) -> KnownDeviation? {
        guard let backend else { return nil }
        return all.first { $0.backend == backend && $0.programs.contains(program) }
    }
}

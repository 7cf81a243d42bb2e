import Emulator
import Testing

@Suite struct MutationTests {
    /// Swaps whose two checks can never both hold in a reachable state, so no vector can tell
    /// the orders apart (the SDM nests them in exclusive branches).
    static let equivalentMutants: Set<String> = [
        // VMXON's "in VMX root -> VMfail(15)" and "outside VMX: A20M/CR0/CR4/FEATURE_CONTROL -> #GP" need
        // opposite modes; in VMX root A20M is off, CR0/CR4 hold their fixed bits and the feature MSR is locked.
        "swap-with-next vmxon.in-root<->vmxon.gp",
        // An invalid address can never equal the VMXON pointer, which VMXON itself validated (noted for Xen's order).
        "swap-with-next vmclear.address<->vmclear.vmxon-pointer",
        "swap-with-next vmptrld.address<->vmptrld.vmxon-pointer",
        // VMCALL: "not in VMX operation" and "in VMX non-root operation" exclude each other.
        "swap-with-next vmcall.ud-outside<->vmcall.exit",
        // VMCALL: a launched current VMCS implies a current VMCS.
        "swap-with-next vmcall.no-vmcs<->vmcall.launched",
        // Operations with no modelled state effect: INVLPGA's TLB invalidation is not state the
        // model keeps; VMCALL's SMM-monitor activation and SKINIT's secure launch are not modelled;
        // an unintercepted VMMCALL is #UD.
        "drop-effect invlpga.operation",
        "drop-effect skinit.operation",
        "drop-effect vmcall.operation",
        "drop-effect vmmcall.operation",
    ]

    /// Every single-check mutation (drop, swap with the next check, other outcome) of every
    /// instruction's check list, and every instruction's operation with its state changes
    /// dropped, is detected by at least one vector, except the equivalent ones.
    @Test func everyMutantIsKilled() throws {
        let report = MutationAnalysis.run(try BuiltInVectors.load())
        #expect(report.mutants > 400)
        #expect(Set(report.survivors) == Self.equivalentMutants,
                "unexpected survivors: \(Set(report.survivors).subtracting(Self.equivalentMutants).sorted().joined(separator: ", "))")
        #expect(report.killed == report.mutants - Self.equivalentMutants.count)
        // Each part of the operand encoding a VM exit reports (seg, base, index, scale, disp,
        // asize for the eight instructions; Reg1 for VMREAD/VMWRITE; Reg2 for those and
        // INVEPT/INVVPID) is misread by one mutant, and some vector notices each.
        #expect(report.byKind["misread-operand"] == [54, 54])
    }
}

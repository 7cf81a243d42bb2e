import HostModel

/// `check`'s proof of nesting on AMD: L1 executes VMRUN of a nested guest that runs a few
/// instructions and an intercepted HLT; each #VMEXIT must come back with EXITCODE 78h
/// (VMEXIT_HLT, APM vol. 2 appendix C) and the nested guest's state saved (RIP at the HLT,
/// nRIP after it where NRIP save is offered, RAX advanced by the guest), and L1 resumes the
/// nested guest after the HLT, `rounds` times. Only every round trip completing is a pass. L1
/// is 64-bit: in the lab, kvm_amd 6.1 fails 32-bit L1s on #VMEXIT from a nested guest with paging
/// off (2-level paging with npt=0, PAE with npt=1) while this run completes, so the `kvm.nested`
/// pass says it covers 64-bit guest hypervisors (docs/lab.md).
public enum SVMNestedRun {
    static let rounds: UInt32 = 4
    /// The nested guest's RAX before its first round.
    static let initialRAX: UInt64 = 0x100
    static let haltRIP = UInt64(GuestMemoryLayout.Harness.l2Code + SVMGuestProgram.l2HaltOffset)

    /// Where the nested guest of an L1 in `l1` mode halts (the 32-bit program is shorter).
    static func haltRIP(for l1: SVMGuestProgram.L1Mode) -> UInt64 {
        l1.is32Bit ? UInt64(GuestMemoryLayout.Harness.l2Code + SVMGuestProgram.l2HaltOffset32) : haltRIP
    }
    /// VMEXIT_HLT (APM vol. 2 appendix C, table C-1).
    static let exitHLT: UInt64 = 0x78

    /// The VMCB of a 64-bit nested guest sharing L1's identity-mapped page tables (no nested
    /// paging: L1 is the nested guest's only translation), HLT, SHUTDOWN and every exception
    /// intercepted, so whatever the nested guest does comes back to L1 as a #VMEXIT. A 32-bit L1's
    /// nested guest runs in 32-bit protected mode with paging off (CR0 = PE | ET): the transition
    /// that the lab saw kvm_amd 6.1 fail on #VMEXIT to a 32-bit L1.
    public static func roundTripCase(l1: SVMGuestProgram.L1Mode = .long64) -> SVMGuestCase {
        guard !l1.is32Bit else { return roundTripCase32(l1) }
        typealias Layout = GuestMemoryLayout.SVM
        var vmcb = VMCBImage()
        vmcb[field32: .interceptExceptions] = 0xFFFF_FFFF
        vmcb[field32: .interceptMisc1] = VMCBField.InterceptBit.hlt | VMCBField.InterceptBit.shutdown
        vmcb[field32: .interceptMisc2] = VMCBField.InterceptBit.vmrun
        vmcb[.iopmBase] = UInt64(Layout.iopm)
        vmcb[.msrpmBase] = UInt64(Layout.msrpm)
        vmcb[field32: .guestASID] = 1
        for segment in [VMCBField.es, .ss, .ds, .fs, .gs] {
            vmcb.setSegment(segment, selector: GuestMemoryLayout.dataSelector, attributes: VMCBField.SegmentAttributes.data,
                            limit: 0xFFFF_FFFF, base: 0)
        }
        vmcb.setSegment(.cs, selector: GuestMemoryLayout.codeSelector, attributes: VMCBField.SegmentAttributes.code64,
                        limit: 0xFFFF_FFFF, base: 0)
        vmcb.setSegment(.gdtr, selector: 0, attributes: 0, limit: UInt32(L1Harness.gdtLimit), base: UInt64(GuestMemoryLayout.Harness.gdt))
        vmcb.setSegment(.tr, selector: 0, attributes: VMCBField.SegmentAttributes.busyTSS64, limit: 0x67, base: 0)
        vmcb.write(0, at: VMCBField.cpl.rawValue, width: 1)
        vmcb[.efer] = GuestMemoryLayout.longModeEFER | SVMGuestCase.svme
        vmcb[.cr0] = GuestMemoryLayout.longModeCR0
        vmcb[.cr3] = UInt64(GuestMemoryLayout.pml4)
        vmcb[.cr4] = GuestMemoryLayout.longModeCR4
        vmcb[.dr7] = 0x400 //                      DR7's reset value
        vmcb[.dr6] = 0xFFFF_0FF0 //                DR6's reset value
        vmcb[.rflags] = 0x2
        vmcb[.rip] = UInt64(GuestMemoryLayout.Harness.l2Code)
        vmcb[.rsp] = UInt64(GuestMemoryLayout.Harness.l2StackTop)
        vmcb[.rax] = initialRAX
        vmcb[.gPAT] = 0x0007_0406_0007_0406 //     the PAT's reset value
        return SVMGuestCase(name: "svm-nested", instruction: .vmrun, rounds: rounds, skip: UInt64(SVMGuestProgram.l2HaltLength),
                            vmcb: vmcb.bytes, l2Code: SVMGuestProgram.l2RoundTrip)
    }

    static func roundTripCase32(_ l1: SVMGuestProgram.L1Mode) -> SVMGuestCase {
        var vmcb = VMCBImage(bytes: roundTripCase().vmcb)
        vmcb.setSegment(.cs, selector: GuestMemoryLayout.Harness.code32Selector, attributes: VMCBField.SegmentAttributes.code32,
                        limit: 0xFFFF_FFFF, base: 0)
        vmcb[.efer] = SVMGuestCase.svme
        vmcb[.cr0] = 0x11 //                       PE | ET: paging off
        vmcb[.cr3] = 0
        vmcb[.cr4] = 0
        var svmCase = SVMGuestCase(name: "svm-nested-\(l1 == .pae32 ? "pae" : "2-level")", instruction: .vmrun, rounds: rounds,
                                   skip: UInt64(SVMGuestProgram.l2HaltLength), vmcb: vmcb.bytes, l2Code: SVMGuestProgram.l2RoundTrip32)
        svmCase.l1 = l1
        return svmCase
    }

    /// Holds each round against the APM and the nested guest's program.
    static func judge(_ outcome: SVMGuestOutcome, l1: SVMGuestProgram.L1Mode = .long64, rounds planned: Int, nextRIPSaved: Bool) -> NestedRunEvidence {
        let haltAt = Self.haltRIP(for: l1)
        var rounds: [NestedRunEvidence.Round] = []
        for (offset, round) in outcome.rounds.enumerated() {
            let index = offset + 1
            let v = round.vmcb
            var problems: [String] = []
            if v[.exitCode] != exitHLT { problems.append("EXITCODE \(Hex.compact(v[.exitCode])), expected 78h (VMEXIT_HLT)") }
            if v[.rip] != haltAt { problems.append("saved RIP \(Hex.compact(v[.rip])), expected \(Hex.compact(haltAt)) (the HLT)") }
            if nextRIPSaved, v[.nextRIP] != haltAt + UInt64(SVMGuestProgram.l2HaltLength) {
                problems.append("nRIP \(Hex.compact(v[.nextRIP])), expected \(Hex.compact(haltAt + 1))")
            }
            let rax = initialRAX + SVMGuestProgram.l2RAXStep * UInt64(index)
            if v[.rax] != rax { problems.append("saved RAX \(Hex.compact(v[.rax])), expected \(Hex.compact(rax))") }
            if round.rbx != UInt64(index) { problems.append("RBX \(round.rbx), expected \(index) (nested guest's count)") }
            rounds.append(NestedRunEvidence.Round(index: index, exitCode: v[.exitCode], exitInfo1: v[.exitInfo1], exitInfo2: v[.exitInfo2],
                                                  rip: v[.rip], nextRIP: v[.nextRIP], rax: v[.rax], counter: round.rbx,
                                                  problem: problems.isEmpty ? nil : problems.joined(separator: "; ")))
        }
        var error: String?
        if let bad = rounds.first(where: { $0.problem != nil }) {
            error = "round \(bad.index) of \(planned): \(bad.problem!)"
        } else if let fault = outcome.fault {
            error = "round \(fault.round) of \(planned): L1 took exception \(fault.vector) (\(vectorName(fault.vector))), error code "
                + "\(Hex.compact(fault.errorCode)), at RIP \(Hex.compact(fault.rip))"
                + (fault.round > 1 ? " after \(fault.round - 1) completed round trip\(fault.round > 2 ? "s" : "")" : "")
        } else if let text = outcome.error {
            error = text + " (\(rounds.count) of \(planned) round trips completed)"
        } else if rounds.count != planned || !outcome.halted {
            error = "\(rounds.count) of \(planned) round trips completed"
        }
        return NestedRunEvidence(architecture: "svm", ok: error == nil, roundsPlanned: planned, rounds: rounds, fault: outcome.fault,
                                 error: error, timedOut: false, ownLimit: nil, l1: l1.rawValue)
    }

    /// A run that produced no outcome: the deadline, virtcheck's own limits, or a KVM error.
    static func notRun(_ failure: GuestRunner.GuestRunFailure, l1: SVMGuestProgram.L1Mode = .long64) -> NestedRunEvidence {
        NestedRunEvidence(architecture: "svm", ok: false, roundsPlanned: Int(rounds), rounds: [], fault: nil,
                          error: failure.isTimeout ? "the nested run did not finish within the guest run's time limit" : failure.description,
                          timedOut: failure.isTimeout, ownLimit: failure.ownLimit, l1: l1.rawValue)
    }

    /// The exception's mnemonic (SDM vol. 3 table 6-1; APM vol. 2 table 8-1 for #VC and #SX).
    static func vectorName(_ vector: UInt8) -> String {
        let names: [UInt8: String] = [0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF",
                                      10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC", 18: "#MC",
                                      19: "#XM", 20: "#VE", 21: "#CP", 29: "#VC", 30: "#SX"]
        return names[vector] ?? "vector \(vector)"
    }

}

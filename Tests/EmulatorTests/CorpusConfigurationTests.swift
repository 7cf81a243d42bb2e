import Emulator
import Foundation
import Testing

/// The model configured from each of the 175 real MSR sets of Data/corpus/vmx-msrs.
@Suite struct CorpusConfigurationTests {
    struct Row: Sendable, CustomStringConvertible {
        var file: String
        var msrs: [UInt32: UInt64]
        var description: String { (file as NSString).lastPathComponent }
    }

    static let rows: [Row] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Data/corpus/vmx-msrs/vmx-msrs-175-cpus.csv").standardized
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        // The file has CRLF line ends (as collected); "\r\n" is one Character in Swift.
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            // The brand column may hold commas only inside quotes; the dumps' brands have none.
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var msrs: [UInt32: UInt64] = [:]
            for (name, cell) in zip(header, cells) where name.hasPrefix("msr_") && !cell.isEmpty {
                msrs[UInt32(name.dropFirst(4), radix: 16)!] = UInt64(cell.dropFirst(2), radix: 16)!
            }
            return Row(file: cells[0], msrs: msrs)
        }
    }()

    /// Fails loudly when the corpus file is missing or short, so the per-CPU tests cannot pass vacuously.
    @Test func corpusHas175Cpus() {
        #expect(Self.rows.count == 175)
        #expect(Self.rows.allSatisfy { $0.msrs[0x480] != nil })
    }

    @Test func referenceConfigurationIsTheXeon8180Row() throws {
        let row = try #require(Self.rows.first { $0.file.hasSuffix("GenuineIntel0050654_SkylakeXeon_CPUID6.txt") })
        var reference = try #require(VMXCapabilityMSRs(msrs: row.msrs, physicalAddressWidth: 46))
        reference.vmfunc = 1   // not in the dump; see VMXCapabilityMSRs.reference
        #expect(reference == VMXCapabilityMSRs.reference)
    }

    /// The state the SDM's VMXON rows allow on this CPU: CPL 0, 64-bit mode, FEATURE_CONTROL locked
    /// with VMX outside SMX, CR0/CR4 = the FIXED0 bits plus PG/NE/ET/PE and VMXE/PAE, a VMXON
    /// region with the CPU's revision id.
    static func vmxonReady(_ caps: VMXCapabilityMSRs) -> MachineState {
        MachineState(capabilities: caps, cr0: 0x8000_0031 | caps.cr0Fixed0, cr4: 0x2020 | caps.cr4Fixed0, efer: 0x500,
                     vmcs: [0x1000: VMCSRegion(header: caps.revisionID)])
    }

    @Test(arguments: rows)
    func acceptsAllowedVMXONAndRejectsForbiddenCRBits(_ row: Row) throws {
        // MAXPHYADDR is not in the CSV; 36 is the smallest width of these CPUs and the region lies at 0x1000.
        let caps = try #require(VMXCapabilityMSRs(msrs: row.msrs, physicalAddressWidth: 36))
        let vmxon = InstructionModel.standard(.vmxon)
        let operands = Operands(address: 0x1000)

        var state = Self.vmxonReady(caps)
        #expect(vmxon.execute(&state, operands) == .vmSucceed)
        #expect(state.mode == .root)

        // A CR4 bit this CPU's CR4_FIXED1 forbids (the lowest clear bit below 32).
        let forbiddenCR4 = try #require((0..<32).first { caps.cr4Fixed1 >> UInt64($0) & 1 == 0 })
        state = Self.vmxonReady(caps)
        state.cr4 |= 1 << UInt64(forbiddenCR4)
        #expect(vmxon.execute(&state, operands) == .fault(.gp), "CR4 bit \(forbiddenCR4)")
        #expect(state.mode == .outside)

        // A CR0 bit this CPU's CR0_FIXED0 requires, cleared (NE on every VMX CPU; PE would be #UD).
        let requiredCR0 = try #require((1..<32).first { caps.cr0Fixed0 >> UInt64($0) & 1 == 1 })
        state = Self.vmxonReady(caps)
        state.cr0 &= ~(1 << UInt64(requiredCR0))
        if requiredCR0 == 31 { state.efer = 0; state.csL = false }   // paging off leaves long mode
        #expect(vmxon.execute(&state, operands) == .fault(.gp), "CR0 bit \(requiredCR0)")

        // And the revision id is the CPU's own: another CPU's region is refused.
        state = Self.vmxonReady(caps)
        state.vmcs[0x1000] = VMCSRegion(header: caps.revisionID ^ 1)
        #expect(vmxon.execute(&state, operands) == .vmFailInvalid)
    }

    /// Every CPU's must-be-one controls build a VMCS that VMLAUNCH enters (the suite's base state
    /// is valid on every real CPU, not just the reference).
    @Test(arguments: rows)
    func launchesTheBaseVMCS(_ row: Row) throws {
        let caps = try #require(VMXCapabilityMSRs(msrs: row.msrs, physicalAddressWidth: 36))
        var state = VectorBase.current.state(caps)
        #expect(InstructionModel.standard(.vmlaunch).execute(&state, Operands()) == .entered)
    }

    /// VM entry's event-injection checks follow each CPU's own capabilities (SDM 27.2.1.3): a
    /// software exception with instruction length 0 enters only where IA32_VMX_MISC[30] = 1, and
    /// an "other event" (type 7) only where the "monitor trap flag" control may be 1.
    @Test(arguments: rows)
    func injectionChecksFollowTheCPU(_ row: Row) throws {
        let caps = try #require(VMXCapabilityMSRs(msrs: row.msrs, physicalAddressWidth: 36))
        func launch(injecting info: UInt64) -> Outcome {
            var state = VectorBase.current.state(caps)
            state.vmcs[VectorBase.vmcsRegion]?[VMCSFieldEncoding.entryInterruptionInfo] = info
            return InstructionModel.standard(.vmlaunch).execute(&state, Operands())
        }
        let zeroLength = caps.misc >> 30 & 1 == 1
        #expect(launch(injecting: 0x8000_0603) == (zeroLength ? .entered : .vmFailValid(.entryInvalidControlField)))
        let mtf = caps.entryProcbased >> 59 & 1 == 1
        #expect(launch(injecting: 0x8000_0700) == (mtf ? .entered : .vmFailValid(.entryInvalidControlField)))
    }

    /// Both answers occur in the corpus, so the per-CPU test above is not decided by one branch.
    @Test func corpusHasCPUsWithAndWithoutZeroLengthInjection() {
        let misc30 = Self.rows.compactMap { $0.msrs[0x485] }.map { $0 >> 30 & 1 }
        #expect(Set(misc30) == [0, 1])
    }
}

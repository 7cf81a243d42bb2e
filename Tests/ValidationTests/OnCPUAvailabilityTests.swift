import HostModel
import Testing
import Validation

/// `verify --on-cpu` runs only where KVM offers VMX or SVM to its guests.
@Suite struct OnCPUAvailabilityTests {
    @Test func decidesFromTheSupportedCPUIDBits() {
        let none = [CPUIDLeaf(leaf: 1, eax: 0, ebx: 0, ecx: 0, edx: 0), CPUIDLeaf(leaf: 0x8000_0001, eax: 0, ebx: 0, ecx: 0, edx: 0)]
        let svm = [CPUIDLeaf(leaf: 1, eax: 0, ebx: 0, ecx: 0, edx: 0), CPUIDLeaf(leaf: 0x8000_0001, eax: 0, ebx: 0, ecx: 1 << 2, edx: 0)]
        let vmx = [CPUIDLeaf(leaf: 1, eax: 0, ebx: 0, ecx: 1 << 5, edx: 0)]
        #expect(OnCPUAvailability.decide(svm, backend: "kvm_amd") == .offered(.svm, backend: "kvm_amd", guest: svm))
        #expect(OnCPUAvailability.decide(vmx, backend: "kvm_intel") == .offered(.vmx, backend: "kvm_intel", guest: vmx))
        guard case .unavailable(let reason) = OnCPUAvailability.decide(none, backend: "kvm_pvm") else {
            Issue.record("neither bit set, yet offered")
            return
        }
        #expect(reason.contains("kvm_pvm") && reason.contains("neither VMX nor SVM"))
    }
}

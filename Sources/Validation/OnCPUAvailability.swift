import HostModel
import HostProbe

/// Whether `verify --on-cpu` can run the VMX/SVM conformance vectors on this CPU: they run as
/// guest code in a KVM VM with the extension in its CPUID, so KVM must offer VMX or SVM to its
/// guests (KVM_GET_SUPPORTED_CPUID leaf 1 ECX[5] VMX, leaf 0x80000001 ECX[2] SVM).
public enum OnCPUAvailability: Sendable, Hashable {
    /// KVM offers this extension to guests: the vectors of that architecture can run. `guest`
    /// is the CPUID KVM offers (KVM_GET_SUPPORTED_CPUID), from which the guest's model is configured.
    case offered(Architecture, backend: String?, guest: [CPUIDLeaf])
    /// No run is possible here, and why (one line).
    case unavailable(String)

    public enum Architecture: String, Sendable, Hashable { case vmx, svm }

    /// Asks /dev/kvm (read-only ioctls). `backend` names the KVM module for the message.
    public static func probe(devicePath: String = "/dev/kvm", backend: String?) -> OnCPUAvailability {
        let device: KVMDevice
        do { device = try KVMDevice(path: devicePath) } catch {
            return .unavailable("\(devicePath) cannot be opened (\(error)): the vectors run as guest code in a KVM VM")
        }
        let leaves: [CPUIDLeaf]
        do { leaves = try device.supportedCpuid() } catch {
            return .unavailable("KVM_GET_SUPPORTED_CPUID failed (\(error))")
        }
        return decide(leaves, backend: backend)
    }

    /// The decision on a KVM_GET_SUPPORTED_CPUID answer.
    public static func decide(_ leaves: [CPUIDLeaf], backend: String?) -> OnCPUAvailability {
        let vmx = leaves.first { $0.leaf == 1 && $0.subleaf == 0 }.map { $0.ecx >> 5 & 1 == 1 } ?? false
        let svm = leaves.first { $0.leaf == 0x8000_0001 }.map { $0.ecx >> 2 & 1 == 1 } ?? false
        if vmx { return .offered(.vmx, backend: backend, guest: leaves) }
        if svm { return .offered(.svm, backend: backend, guest: leaves) }
        return .unavailable("KVM (\(backend ?? "backend unknown")) offers neither VMX nor SVM to its guests "
            + "(KVM_GET_SUPPORTED_CPUID leaf 1 ECX[5] = 0, leaf 0x80000001 ECX[2] = 0): nested virtualization is unavailable, "
            + "so the VMX/SVM vectors cannot run on this CPU")
    }
}

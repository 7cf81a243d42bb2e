import CShims
import FoundationEssentials
import Glibc
import HostModel

/// An open /dev/kvm: the system-level ioctls. A class because it owns the file descriptor and
/// closes it when the last user lets go.
public final class KVMDevice {
    public let fd: Int32
    /// KVM_GET_SUPPORTED_CPUID's answer, once read.
    private var supported: [kvm_cpuid_entry2]?

    /// Opens /dev/kvm read-write (what every ioctl needs); never loads a module.
    public init(path: String = "/dev/kvm") throws(KVMError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw KVMError(step: "open \(path)", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// KVM_GET_API_VERSION: 12 on every Linux since 2.6.22; anything else is not usable.
    public func apiVersion() throws(KVMError) -> Int {
        try KVMDevice.check(ioctl(fd, VC_KVM_GET_API_VERSION), "KVM_GET_API_VERSION")
    }

    /// KVM_CHECK_EXTENSION: 0 when unsupported, else the capability's value (a count, a bitmap, 1).
    public func checkExtension(_ number: Int) throws(KVMError) -> Int {
        try KVMDevice.check(ioctl(fd, VC_KVM_CHECK_EXTENSION, CInt(number)), "KVM_CHECK_EXTENSION(\(number))")
    }

    /// KVM_GET_VCPU_MMAP_SIZE: how much of a vCPU fd to map to reach its kvm_run.
    public func vcpuMmapSize() throws(KVMError) -> Int {
        try KVMDevice.check(ioctl(fd, VC_KVM_GET_VCPU_MMAP_SIZE), "KVM_GET_VCPU_MMAP_SIZE")
    }

    /// KVM_GET_SUPPORTED_CPUID, the raw entries. The kernel answers E2BIG while the buffer is too
    /// small, so this starts at 128 entries and doubles up to `supportedCpuidLimit`. Asked once
    /// per device: the kernel runs the host's CPUID for every entry (76 exits in a VM, half a
    /// millisecond on this project's machine) and the answer does not change while the device is
    /// open.
    public func supportedCpuidEntries() throws(KVMError) -> [kvm_cpuid_entry2] {
        if let supported { return supported }
        var capacity: UInt32 = 128
        while true {
            var count = capacity
            var entries = [kvm_cpuid_entry2](repeating: kvm_cpuid_entry2(), count: Int(capacity))
            let err = entries.withUnsafeMutableBufferPointer { vc_kvm_get_supported_cpuid(fd, $0.baseAddress, &count) }
            if err == 0 {
                supported = Array(entries.prefix(Int(count)))
                return supported!
            }
            guard err == E2BIG, capacity < KVMDevice.supportedCpuidLimit else {
                throw KVMError(step: "KVM_GET_SUPPORTED_CPUID", errno: err)
            }
            capacity *= 2
        }
    }

    /// The most entries asked for: KVM has far fewer (KVM_MAX_CPUID_ENTRIES is 256).
    static let supportedCpuidLimit: UInt32 = 4096

    /// KVM_GET_SUPPORTED_CPUID as evidence leaves, in the kernel's order.
    public func supportedCpuid() throws(KVMError) -> [CPUIDLeaf] {
        KVMDevice.leaves(try supportedCpuidEntries())
    }

    /// Entries of KVM_GET_SUPPORTED_CPUID as evidence leaves, as this process's device or the
    /// guest-run child's gave them.
    static func leaves(_ entries: [kvm_cpuid_entry2]) -> [CPUIDLeaf] {
        entries.map { CPUIDLeaf(leaf: $0.function, subleaf: $0.index, eax: $0.eax, ebx: $0.ebx, ecx: $0.ecx, edx: $0.edx) }
    }

    /// An ioctl's result, or the errno as a typed error naming the step.
    static func check(_ result: CInt, _ step: @autoclosure () -> String) throws(KVMError) -> Int {
        guard result >= 0 else { throw KVMError(step: step(), errno: errno) }
        return Int(result)
    }
}

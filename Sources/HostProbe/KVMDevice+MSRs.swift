import CShims
import FoundationEssentials
import Glibc
import HostModel

extension KVMDevice {
    /// KVM_GET_MSR_FEATURE_INDEX_LIST: the MSRs whose values KVM reports for the CPUs it can offer
    /// guests (KVM_CAP_GET_MSR_FEATURES; the VMX capability MSRs among them where KVM offers VMX).
    /// Starts at 64 entries and retries once at the size the kernel asks for (E2BIG), at most 4096.
    public func featureMSRIndexList() throws(KVMError) -> [UInt32] {
        var capacity: UInt32 = 64
        for _ in 0..<2 {
            var count = capacity
            var indices = [UInt32](repeating: 0, count: Int(capacity))
            let err = indices.withUnsafeMutableBufferPointer { vc_kvm_get_msr_feature_index_list(fd, $0.baseAddress, &count) }
            if err == 0 { return Array(indices.prefix(Int(count))) }
            guard err == E2BIG, count > capacity, count <= 4096 else {
                throw KVMError(step: "KVM_GET_MSR_FEATURE_INDEX_LIST", errno: err)
            }
            capacity = count
        }
        throw KVMError(step: "KVM_GET_MSR_FEATURE_INDEX_LIST", errno: E2BIG)
    }

    /// KVM_GET_MSRS on the system fd: the feature MSRs' values, for those `indices` the kernel
    /// lists as feature MSRs (an index it does not list is left out of the answer).
    public func featureMSRs(_ indices: [UInt32]) throws(KVMError) -> [UInt32: UInt64] {
        let listed = Set(try featureMSRIndexList())
        let wanted = indices.filter(listed.contains)
        return try Self.transferMSRs(fd: fd, set: false, wanted.map { ($0, 0) }, step: "KVM_GET_MSRS (feature MSRs)")
    }

    /// One KVM_GET_MSRS/KVM_SET_MSRS; an MSR the kernel refused (it stops at the first) is the
    /// error, named by its index.
    static func transferMSRs(fd: Int32, set: Bool, _ entries: [(UInt32, UInt64)], step: String) throws(KVMError) -> [UInt32: UInt64] {
        guard !entries.isEmpty else { return [:] }
        let indices = entries.map(\.0)
        var values = entries.map(\.1)
        let done = values.withUnsafeMutableBufferPointer { vc_kvm_msrs(fd, set ? 1 : 0, indices, $0.baseAddress, UInt32(indices.count)) }
        if done < 0 { throw KVMError(step: step, errno: -done) }
        guard done == indices.count else {
            throw KVMError(step: "\(step): MSR \(Hex.compact(UInt64(indices[Int(done)]))) refused", errno: EINVAL)
        }
        return Dictionary(uniqueKeysWithValues: zip(indices, values))
    }
}

import CShims
import FoundationEssentials
import Glibc
import HostModel

/// One throwaway VM with one vCPU and a small block of RAM at guest-physical 0. A class because
/// it owns kernel objects (the VM and vCPU fds, two mappings) that must be released exactly once.
public final class GuestMachine {
    /// What one KVM_RUN returned: the exit (decoded from kvm_run) and how long the ioctl took.
    public struct Exit: Sendable {
        public var exit: GuestExit
        public var nanoseconds: UInt64
    }

    public let memorySize: Int
    private let vmFd: Int32
    private let vcpuFd: Int32
    private let memory: UnsafeMutableRawPointer
    private let run: UnsafeMutablePointer<kvm_run>
    private let runSize: Int

    /// KVM_CREATE_VM, RAM as slot 0, KVM_SET_TSS_ADDR (Intel needs it for real mode; harmless
    /// elsewhere), KVM_CREATE_VCPU with the supported CPUID, and the kvm_run mapping.
    public init(device: KVMDevice, memorySize: Int = 0x20_0000) throws(KVMError) {
        self.memorySize = memorySize
        let vm = try KVMDevice.check(ioctl(device.fd, VC_KVM_CREATE_VM, CInt(0)), "KVM_CREATE_VM")
        vmFd = Int32(vm)
        guard let mem = mmap(nil, memorySize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              mem != MAP_FAILED else {
            let err = errno
            close(vmFd)
            throw KVMError(step: "mmap guest memory", errno: err)
        }
        memory = mem
        var region = kvm_userspace_memory_region(slot: 0, flags: 0, guest_phys_addr: 0,
                                                 memory_size: UInt64(memorySize),
                                                 userspace_addr: UInt64(UInt(bitPattern: mem)))
        var vcpu: Int32 = -1
        var mapped: UnsafeMutableRawPointer?
        var size = 0
        do throws(KVMError) {
            _ = try KVMDevice.check(ioctl(vmFd, VC_KVM_SET_USER_MEMORY_REGION, &region), "KVM_SET_USER_MEMORY_REGION")
            _ = try KVMDevice.check(ioctl(vmFd, VC_KVM_SET_TSS_ADDR, CInt(bitPattern: 0xFFFB_D000)), "KVM_SET_TSS_ADDR")
            vcpu = Int32(try KVMDevice.check(ioctl(vmFd, VC_KVM_CREATE_VCPU, CInt(0)), "KVM_CREATE_VCPU"))
            let cpuid = try device.supportedCpuidEntries()
            let err = cpuid.withUnsafeBufferPointer { vc_kvm_set_cpuid2(vcpu, $0.baseAddress, UInt32($0.count)) }
            guard err == 0 else { throw KVMError(step: "KVM_SET_CPUID2", errno: err) }
            size = try device.vcpuMmapSize()
            guard let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0), m != MAP_FAILED else {
                throw KVMError(step: "mmap kvm_run", errno: errno)
            }
            mapped = m
        } catch {
            if vcpu >= 0 { close(vcpu) }
            munmap(mem, memorySize)
            close(vmFd)
            throw error
        }
        vcpuFd = vcpu
        runSize = size
        run = mapped!.assumingMemoryBound(to: kvm_run.self)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(run), runSize)
        close(vcpuFd)
        munmap(memory, memorySize)
        close(vmFd)
    }

    /// The vCPU as KVM_CREATE_VCPU left it (reset state), which every program starts from.
    public private(set) var resetState: kvm_sregs?

    /// Makes the machine as fresh for the next program as a new VM would be: RAM zeroed and the
    /// special registers back at their reset values (the caller sets them and the general
    /// registers for its program). A VM is reused because creating one is not cheap everywhere:
    /// kvm_pvm took 20 to 57 ms per KVM_SET_USER_MEMORY_REGION (strace, issue 16).
    public func reset() throws(KVMError) {
        if let resetState {
            zeroResidentPages()
            try setSpecialRegisters(resetState)
        } else {
            resetState = try specialRegisters() // a new VM: its RAM was never touched
        }
    }

    /// Zeroes the pages of RAM that were ever touched: a page not resident (mincore) reads as
    /// zero already. Zeroing all 2 MiB allocated every page the guests never use.
    private func zeroResidentPages() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = [UInt8](repeating: 0, count: (memorySize + page - 1) / page)
        guard mincore(memory, memorySize, &resident) == 0 else {
            memset(memory, 0, memorySize)
            return
        }
        for (i, flags) in resident.enumerated() where flags & 1 != 0 {
            memset(memory + i * page, 0, min(page, memorySize - i * page))
        }
    }

    /// Copies bytes into guest-physical memory.
    public func load(_ bytes: [UInt8], at address: Int) {
        precondition(address >= 0 && address + bytes.count <= memorySize, "guest image outside RAM")
        bytes.withUnsafeBytes { memory.advanced(by: address).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Little-endian 64-bit load/store in guest-physical memory (page tables, results).
    public func write64(_ value: UInt64, at address: Int) {
        precondition(address >= 0 && address + 8 <= memorySize, "guest address outside RAM")
        memory.storeBytes(of: value.littleEndian, toByteOffset: address, as: UInt64.self)
    }

    public func read64(at address: Int) -> UInt64 {
        precondition(address >= 0 && address + 8 <= memorySize, "guest address outside RAM")
        return UInt64(littleEndian: memory.loadUnaligned(fromByteOffset: address, as: UInt64.self))
    }

    public func registers() throws(KVMError) -> kvm_regs {
        var regs = kvm_regs()
        _ = try KVMDevice.check(ioctl(vcpuFd, VC_KVM_GET_REGS, &regs), "KVM_GET_REGS")
        return regs
    }

    public func setRegisters(_ regs: kvm_regs) throws(KVMError) {
        var regs = regs
        _ = try KVMDevice.check(ioctl(vcpuFd, VC_KVM_SET_REGS, &regs), "KVM_SET_REGS")
    }

    public func specialRegisters() throws(KVMError) -> kvm_sregs {
        var sregs = kvm_sregs()
        _ = try KVMDevice.check(ioctl(vcpuFd, VC_KVM_GET_SREGS, &sregs), "KVM_GET_SREGS")
        return sregs
    }

    public func setSpecialRegisters(_ sregs: kvm_sregs) throws(KVMError) {
        var sregs = sregs
        _ = try KVMDevice.check(ioctl(vcpuFd, VC_KVM_SET_SREGS, &sregs), "KVM_SET_SREGS")
    }

    /// KVM_SET_MSRS on the vCPU, as userspace sets MSRs before the guest runs (IA32_FEATURE_CONTROL,
    /// which firmware would lock); an MSR KVM refuses is the error.
    public func setMSRs(_ values: [(index: UInt32, value: UInt64)]) throws(KVMError) {
        _ = try KVMDevice.transferMSRs(fd: vcpuFd, set: true, values.map { ($0.index, $0.value) }, step: "KVM_SET_MSRS")
    }

    /// KVM_GET_MSRS on the vCPU: the guest's own values (its VMX capability MSRs, say).
    public func msrs(_ indices: [UInt32]) throws(KVMError) -> [UInt32: UInt64] {
        try KVMDevice.transferMSRs(fd: vcpuFd, set: false, indices.map { ($0, 0) }, step: "KVM_GET_MSRS")
    }

    /// One KVM_RUN, timed with CLOCK_MONOTONIC around the ioctl. EINTR (the watchdog's signal)
    /// is thrown like any other errno; the caller decides whether time is up.
    public func runOnce() throws(KVMError) -> Exit {
        let start = GuestMachine.monotonicNanoseconds()
        let result = ioctl(vcpuFd, VC_KVM_RUN, CInt(0))
        let end = GuestMachine.monotonicNanoseconds()
        guard result >= 0 else { throw KVMError(step: "KVM_RUN", errno: errno) }
        return Exit(exit: GuestExit(run: run), nanoseconds: end &- start)
    }

    /// Answers the IN the last exit asked for: every data byte is `byte`.
    public func answerIn(byte: UInt8) {
        vc_kvm_run_io_answer(run, byte)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

import CShims
import Foundation

/// What this machine offers the tests, so a test that needs it can skip with the reason.
enum TestHost {
    /// /dev/kvm opens read-write for this user.
    static let kvmUsable: Bool = {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }()

    /// The `virtcheck` built next to the test bundle (`.build/<triple>/debug/virtcheck`); the
    /// spawn path needs the real executable, since the test runner has no `__guest-run`.
    static let virtcheckBinary: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let bundle = URL(fileURLWithPath: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let candidate = bundle.deletingLastPathComponent().appendingPathComponent("virtcheck").path
        return access(candidate, X_OK) == 0 ? candidate : nil
    }()

    static let kvmAndBinary = kvmUsable && virtcheckBinary != nil

    /// Runs `body` with the calling thread on one CPU (the first it may use), its affinity restored
    /// after: threads it starts, and the processes they spawn, inherit that one CPU. For comparing
    /// answers that name the CPU asked on: KVM_GET_SUPPORTED_CPUID passes the caller's APIC IDs
    /// (leaf 1 EBX[31:24], leaf 0Bh EDX) through on kvm_pvm.
    static func onOneCPU<T>(_ body: () throws -> T) rethrows -> T {
        var saved = [UInt8](repeating: 0, count: Int(vc_affinity_size()))
        guard saved.withUnsafeMutableBytes({ vc_save_affinity($0.baseAddress) }) == 0,
              let byte = saved.firstIndex(where: { $0 != 0 }),
              vc_pin_to_cpu(Int32(byte * 8 + saved[byte].trailingZeroBitCount)) == 0 else { return try body() }
        defer { _ = saved.withUnsafeBytes { vc_restore_affinity($0.baseAddress) } }
        return try body()
    }

    /// A fresh empty directory to stand in for `/`.
    static func temporaryRoot() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

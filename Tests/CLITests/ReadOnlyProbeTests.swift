import Foundation
import Testing

/// The live probe is read-only, proven with strace: it opens nothing for writing but /dev/kvm
/// and its own output, writes no MSR (no pwrite at all), loads no module, and issues no ioctl but
/// terminal queries and KVM requests on KVM's own descriptors (none that sets state on /dev/kvm).
@Suite(.enabled(if: VirtCheckBinary.url != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                "needs strace (apt-get install strace) and the built binary"))
struct ReadOnlyProbeTests {
    struct Trace {
        var writableOpens: [String] = []
        var pwrites = 0
        var moduleLoads = 0
        /// `fd-path request` of every ioctl, e.g. `/dev/kvm KVM_GET_API_VERSION`.
        var ioctls: [String] = []
    }

    /// Terminal queries (isatty, window size) change nothing.
    static let terminalRequests: Set<String> = ["TCGETS", "TCGETS2", "TIOCGWINSZ"]

    /// An ioctl the read-only probe may issue: a terminal query, or a KVM request on a KVM
    /// descriptor — any on the test guest's own VM and vCPUs, only queries and KVM_CREATE_VM on
    /// /dev/kvm itself.
    static func allowed(ioctl: String) -> Bool {
        let parts = ioctl.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        let (fd, request) = (parts[0], parts[1])
        if terminalRequests.contains(request) { return true }
        guard request.hasPrefix("KVM_") else { return false }
        if fd == "/dev/kvm" { return !request.hasPrefix("KVM_SET_") }
        return fd.hasPrefix("anon_inode:kvm-vm") || fd.hasPrefix("anon_inode:kvm-vcpu")
    }

    static func trace(_ arguments: [String]) throws -> (Trace, VirtCheckBinary.Result) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-strace-\(getpid())-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let r = try VirtCheckBinary.run(arguments, prefix: [
            "/usr/bin/strace", "-f", "-qq", "-y", "-o", log,
            "-e", "trace=open,openat,openat2,creat,pwrite64,pwritev,pwritev2,init_module,finit_module,ioctl",
        ])
        var t = Trace()
        let text = try String(contentsOfFile: log, encoding: .utf8)
        for line in text.split(separator: "\n") {
            if line.contains("init_module(") { t.moduleLoads += 1 }
            if line.contains("pwrite") { t.pwrites += 1 }
            // `ioctl(3</dev/kvm>, KVM_CHECK_EXTENSION, 0x10) = 1` (strace -y names the descriptor).
            if let call = line.range(of: "ioctl(") {
                let args = line[call.upperBound...]
                let fd = args.firstIndex(of: "<").flatMap { lt in args[lt...].firstIndex(of: ">").map { String(args[args.index(after: lt)..<$0]) } } ?? "?"
                let request = args.split(separator: ",").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
                t.ioctls.append("\(fd) \(request.split(separator: " ").first.map(String.init) ?? request)")
                continue
            }
            guard line.contains("open") || line.contains("creat("), line.contains("O_WRONLY") || line.contains("O_RDWR") || line.contains("creat(") else { continue }
            if line.contains("= -1") { continue }
            if let start = line.firstIndex(of: "\""), let end = line[line.index(after: start)...].firstIndex(of: "\"") {
                t.writableOpens.append(String(line[line.index(after: start)..<end]))
            }
        }
        return (t, r)
    }

    @Test func liveCheckWritesOnlyItsOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("virtcheck-ro-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let output = dir.appendingPathComponent("report.json").path
        let (t, r) = try Self.trace(["check", "--format", "json", "--output", output])
        #expect([0, 1, 3].contains(r.status), "check ran: \(r.stderr)")
        #expect(t.moduleLoads == 0)
        #expect(t.pwrites == 0, "no MSR or config-space write")
        for path in t.writableOpens {
            let allowed = path == "/dev/kvm" || path.hasPrefix(dir.path + "/.report.json.") || path == "/dev/null"
            #expect(allowed, "opened for writing: \(path)")
        }
        #expect(FileManager.default.fileExists(atPath: output))
        for call in t.ioctls {
            #expect(Self.allowed(ioctl: call), "ioctl beyond terminal queries and KVM: \(call)")
        }
    }
}

/// The ioctl filter itself: what it lets through and what it does not.
struct ReadOnlyIoctlFilterTests {
    @Test(arguments: [
        ("/dev/pts/0 TCGETS", true), ("/dev/kvm KVM_GET_API_VERSION", true), ("/dev/kvm KVM_CREATE_VM", true),
        ("anon_inode:kvm-vm KVM_SET_USER_MEMORY_REGION", true), ("anon_inode:kvm-vcpu:0 KVM_RUN", true),
        ("/dev/kvm KVM_SET_MSRS", false), ("/dev/cpu/0/msr KVM_GET_MSRS", false), ("/dev/sda BLKRRPART", false),
        ("/dev/pts/0 TIOCSTI", false),
    ])
    func filter(_ call: String, _ allowed: Bool) {
        #expect(ReadOnlyProbeTests.allowed(ioctl: call) == allowed)
    }
}

import Foundation

/// The only place virtcheck changes the system, and only behind `--load-msr-driver`:
/// `modprobe msr`, so /dev/cpu/N/msr exists for reading the VMX capability MSRs.
enum ModuleLoader {
    static func loadMSRDriver() {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/sbin/modprobe")
        p.arguments = ["msr"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do {
            try p.run()
            p.waitUntilExit()
        } catch {
            // Not fatal: the MSR reads then record `absent`, which the report explains.
        }
    }
}

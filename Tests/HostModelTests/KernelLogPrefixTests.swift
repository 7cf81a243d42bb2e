import HostModel
import Testing

/// The journal/syslog prefix is `DATE TIME HOST kernel: `: a user program's line that merely says
/// "kernel: " later on was read as the kernel's own (a line of `logger`, `sudo` or any daemon in a
/// pasted /var/log/syslog could claim interrupt remapping). The real prefixes still read.
struct KernelLogPrefixTests {
    @Test(arguments: [
        "Dec 04 23:51:15 host kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "Dec  4 23:51:15 host kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "Dec 04 23:51:15.123456 host.example.com kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "2026-12-04T23:51:15+0000 host kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "Dec  4 23:51:15 host kernel: [    0.312000] DMAR-IR: Enabled IRQ remapping in x2apic mode",
    ])
    func journalAndSyslogPrefixesRead(_ line: String) throws {
        #expect(try KernelLogParser.parse(line, source: "t").map(\.message) == [.interruptRemapping(enabled: true)])
    }

    @Test(arguments: [
        "Dec 04 23:51:15 host sudo[42]: note kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "Dec 04 23:51:15 host myapp: kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "Dec 04 23:51:15 host systemd[1]: Started x; kernel: DMAR-IR: Enabled IRQ remapping in x2apic mode",
    ])
    func aProgramSayingKernelIsNotTheKernel(_ line: String) throws {
        #expect(try KernelLogParser.parse(line, source: "t").isEmpty)
    }
}

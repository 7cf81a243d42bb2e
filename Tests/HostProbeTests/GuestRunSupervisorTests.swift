import Foundation
import HostModel
import Testing
@testable import HostProbe

@Suite struct GuestRunSupervisorTests {
    /// The kill path needs no KVM: any child that outlives the timeout is SIGKILLed and reaped.
    @Test func aChildThatOverstaysIsKilledAndReaped() throws {
        let marker = "31.\(getpid())"
        let start = TestHost.monotonicSeconds()
        let evidence = GuestRunSupervisor(executable: "/bin/sleep", arguments: [marker], timeoutNanoseconds: 1_000_000_000).run()
        let elapsed = TestHost.monotonicSeconds() - start
        #expect(evidence.timedOut)
        #expect(!evidence.ok)
        #expect(elapsed >= 0.9 && elapsed < 3, "took \(elapsed) s")
        #expect(childrenRunning(argument: marker).isEmpty, "a killed child was left behind")
    }

    @Test func aChildWithoutEvidenceIsReportedWithItsStatus() {
        let evidence = GuestRunSupervisor(executable: "/bin/sh", arguments: ["-c", "echo not json; echo broken >&2; exit 3"]).run()
        #expect(!evidence.ok)
        #expect(!evidence.timedOut)
        #expect(evidence.error == "guest run child exited with status 3 without evidence: broken")
    }

    /// A child that has written its whole evidence and closed its output is not waited for while
    /// it goes on exiting (the guest-run child's kernel tears its VM down then): its evidence
    /// stands at once, and a thread of the supervisor's reaps it when it ends (issue 16).
    @Test func evidenceStandsWhileTheChildIsStillExiting() throws {
        let script = #"printf '{\n  "ok" : true,\n  "runs" : [],\n  "timed_out" : false\n}\n'; exec >/dev/null 2>&1; sleep 2"#
        let start = TestHost.monotonicSeconds()
        let evidence = GuestRunSupervisor(executable: "/bin/sh", arguments: ["-c", script + " #lingering-child"]).run()
        let elapsed = TestHost.monotonicSeconds() - start
        #expect(evidence.ok, "\(evidence.error ?? "")")
        #expect(elapsed < 1.5, "waited \(elapsed) s for a child whose evidence was complete")
        let pid = try #require(childrenRunning(argument: "lingering-child").first, "the child had not ended yet")
        // Reaped once it ends: not even a zombie (whose /proc entry stays until it is) is left.
        let deadline = TestHost.monotonicSeconds() + 5
        while FileManager.default.fileExists(atPath: "/proc/\(pid)"), TestHost.monotonicSeconds() < deadline { usleep(50_000) }
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "the ended child \(pid) was not reaped")
    }

    /// A child that ends without evidence (here killed by a signal the supervisor did not send)
    /// is virtcheck's own failure, never the host's: `ownLimit` says so. A guest cannot kill the
    /// process that runs it — its faults are exits — so only virtcheck's limits or a bug can.
    @Test func aChildThatDiesWithoutEvidenceIsVirtchecksOwnFailure() {
        let evidence = GuestRunSupervisor(executable: "/bin/sh", arguments: ["-c", "kill -SEGV $$"]).run()
        #expect(!evidence.ok)
        #expect(!evidence.timedOut)
        #expect(evidence.ownLimit == "guest run child died of signal 11 without evidence")
    }

    /// A guest that overstays stays the host's failure: no ownLimit.
    @Test func aTimeoutIsNotAnOwnLimit() {
        let evidence = GuestRunSupervisor(executable: "/bin/sleep", arguments: ["5"], timeoutNanoseconds: 300_000_000).run()
        #expect(evidence.timedOut)
        #expect(evidence.ownLimit == nil)
    }

    @Test func aMissingExecutableIsReported() {
        let evidence = GuestRunSupervisor(executable: "/nonexistent/virtcheck", arguments: []).run()
        #expect(!evidence.ok)
        #expect(evidence.error == "posix_spawn /nonexistent/virtcheck: No such file or directory (errno 2)")
    }

    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func theChildRunsTheGuestsAndTheParentDecodesTheEvidence() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let evidence = GuestRunSupervisor.childCommand(executable: binary).run()
        #expect(evidence.ok, "\(evidence.error ?? "")")
        #expect(evidence.runs.map(\.mode) == ["real", "long64"])
        #expect(evidence.runs.last?.observed == 0x3224_A439_6CC6_D011)
        #expect(evidence.exitLatencyNs?.inKernel?.samples == 300)
    }

    /// The child's own watchdog stops a guest that never exits and still reports what it saw.
    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func theChildsWatchdogStopsASpinningGuest() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let evidence = GuestRunSupervisor.childCommand(executable: binary, extraArguments: ["--spin", "long64"],
                                                       timeoutNanoseconds: 2_000_000_000).run()
        #expect(evidence.timedOut)
        #expect(!evidence.ok)
        #expect(evidence.runs.first?.exits.last?.reason == "intr")
    }

    /// With the child's watchdog set past the parent's timeout, the parent's SIGKILL ends it.
    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func theParentKillsAChildWhoseGuestSpins() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let start = TestHost.monotonicSeconds()
        let evidence = GuestRunSupervisor(executable: binary,
                                          arguments: [GuestRunSupervisor.subcommand, "--spin", "long64", "--time-limit-ms", "59999"],
                                          timeoutNanoseconds: 1_500_000_000).run()
        let elapsed = TestHost.monotonicSeconds() - start
        #expect(evidence.timedOut)
        #expect(!evidence.ok)
        #expect(evidence.error?.contains("killed") == true)
        #expect(elapsed < 4, "took \(elapsed) s")
        // Its own time limit (59999) tells its child from the one `theProbesEvidenceOutlivesAKilledGuest`
        // runs beside it (60000): Swift Testing runs the two at once.
        #expect(childrenRunning(argument: "59999").isEmpty, "a killed child was left behind")
    }

    /// One child runs the CPL3 probes and then the guests (check's `BackgroundGuestRun`): the probes'
    /// evidence comes on its own descriptor, whole, and the guests' on stdout.
    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func oneChildRunsTheCpl3ProbesAndTheGuests() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let (execution, own) = try TestHost.onOneCPU {
            (BackgroundGuestRun(.childCommand(executable: binary)).wait(), try KVMDevice(path: KVMProbe.devicePath).supportedCpuid())
        }
        #expect(execution.guestRun.ok, "\(execution.guestRun.error ?? "")")
        #expect(execution.guestRun.runs.map(\.mode) == ["real", "long64"])
        #expect(execution.cpl3Probes.error == nil, "\(execution.cpl3Probes.error ?? "")")
        #expect(execution.cpl3Probes.results.map(\.probe) == Cpl3Prober.probes.map(\.name))
        #expect(execution.supportedCpuid == own, "the kernel's answer on the same CPU (TestHost.onOneCPU)")
    }

    /// The probes run first and their descriptor is closed before any guest starts: a guest that
    /// spins until the parent's SIGKILL loses only the guests' evidence.
    @Test(.enabled(if: TestHost.kvmAndBinary, "needs /dev/kvm and the built virtcheck (swift build)"))
    func theProbesEvidenceOutlivesAKilledGuest() throws {
        let binary = try #require(TestHost.virtcheckBinary)
        let execution = GuestRunSupervisor(executable: binary,
                                           arguments: [GuestRunSupervisor.subcommand, "--spin", "long64", "--time-limit-ms", "60000"],
                                           timeoutNanoseconds: 1_500_000_000).runWithCpl3Probes()
        #expect(execution.guestRun.timedOut)
        #expect(execution.guestRun.error?.contains("killed") == true)
        #expect(execution.cpl3Probes.error == nil, "\(execution.cpl3Probes.error ?? "")")
        #expect(execution.cpl3Probes.result("hlt")?.outcome == .trapped)
    }

    /// A child that never writes the probes' descriptor leaves them an error that says so, and
    /// the guest run its own.
    @Test func aChildWithoutTheProbesEvidenceIsReported() {
        let execution = GuestRunSupervisor(executable: "/bin/true", arguments: []).runWithCpl3Probes()
        #expect(execution.cpl3Probes.results.isEmpty)
        #expect(execution.cpl3Probes.error == "CPL3 probe child exited with status 0 without evidence")
        #expect(!execution.guestRun.ok)
        let missing = GuestRunSupervisor(executable: "/nonexistent/virtcheck", arguments: []).runWithCpl3Probes()
        #expect(missing.cpl3Probes.error == "posix_spawn /nonexistent/virtcheck: No such file or directory (errno 2)")
    }

    /// Processes whose parent is this test process and whose command line contains `argument`.
    private func childrenRunning(argument: String) -> [String] {
        let me = getpid()
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int32($0) != nil } ?? []
        return pids.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == me,
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: cmdline, as: UTF8.self).contains(argument)
        }
    }
}

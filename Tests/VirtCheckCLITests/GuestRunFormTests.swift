import HostProbe
import Testing
@testable import VirtCheckCLI

/// The guest-run child reads the forms its supervisor starts without ArgumentParser (issue 16);
/// anything else is left to ArgumentParser, with its help and errors.
struct GuestRunFormTests {
    @Test func theSupervisorsFormsAreRead() throws {
        let limit = ["--time-limit-ms", "6400"]
        let plain = try #require(GuestRunCommand.supervisorForm(limit))
        #expect(plain.timeLimitMs == 6400 && !plain.cpl3Probes && !plain.supportedCpuid)
        let check = try #require(GuestRunCommand.supervisorForm(limit + [GuestRunSupervisor.cpl3ProbesFlag, GuestRunSupervisor.supportedCpuidFlag]))
        #expect(check.cpl3Probes && check.supportedCpuid)
        let probes = try #require(GuestRunCommand.supervisorForm(limit + [GuestRunSupervisor.cpl3ProbesFlag]))
        #expect(probes.cpl3Probes && !probes.supportedCpuid)
        let cpuid = try #require(GuestRunCommand.supervisorForm(limit + [GuestRunSupervisor.supportedCpuidFlag]))
        #expect(!cpuid.cpl3Probes && cpuid.supportedCpuid)
    }

    @Test func otherFormsAreLeftToArgumentParser() {
        let limit = ["--time-limit-ms", "6400"]
        for arguments in [[], ["--time-limit-ms"], ["--time-limit-ms", "0"], ["--time-limit-ms", "3600001"], ["--time-limit-ms", "x"],
                          limit + [GuestRunSupervisor.supportedCpuidFlag, GuestRunSupervisor.cpl3ProbesFlag],
                          limit + [GuestRunSupervisor.cpl3ProbesFlag, GuestRunSupervisor.cpl3ProbesFlag],
                          limit + [GuestRunSupervisor.cpl3ProbesFlag, GuestRunSupervisor.supportedCpuidFlag, "--spin"],
                          limit + ["--spin", "long64"], ["--help"]] {
            #expect(GuestRunCommand.supervisorForm(arguments) == nil, "\(arguments)")
        }
    }
}

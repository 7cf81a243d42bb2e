import HostModel

/// The CPL3 probes and the guest run in the background (`__guest-run --cpl3-probes` in a child).
public typealias BackgroundGuestRun = BackgroundRun<GuestRunSupervisor.Execution>

extension BackgroundRun where Evidence == GuestRunSupervisor.Execution {
    public convenience init(_ supervisor: GuestRunSupervisor) {
        self.init(timeoutNanoseconds: supervisor.timeoutNanoseconds,
                  overstayed: {
                      GuestRunSupervisor.Execution(
                          guestRun: .ownFailure("the guest run's worker thread did not finish within its time limit"),
                          cpl3Probes: Cpl3ProbeEvidence(results: [], error: "the CPL3 probes' worker thread did not finish within its time limit"))
                  },
                  { supervisor.runWithCpl3Probes() })
    }
}

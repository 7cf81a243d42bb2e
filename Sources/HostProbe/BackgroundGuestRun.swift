import HostModel

/// The CPL3 probes and the guest run in the background (`__guest-run --cpl3-probes` in a child).
public typealias BackgroundGuestRun = BackgroundRun<GuestRunSupervisor.Execution>

extension BackgroundRun where Evidence == GuestRunSupervisor.Execution {
    /// Starts the child here, on the caller's thread (so `.fork` is taken while the caller's
    /// process has no other thread yet), and collects it on a worker thread.
    public convenience init(_ supervisor: GuestRunSupervisor, _ how: GuestRunSupervisor.Start = .spawn) {
        let started = Result { () throws(KVMError) in try supervisor.startWithCpl3Probes(how) }
        self.init(timeoutNanoseconds: supervisor.timeoutNanoseconds,
                  overstayed: {
                      GuestRunSupervisor.Execution(
                          guestRun: .ownFailure("the guest run's worker thread did not finish within its time limit"),
                          cpl3Probes: Cpl3ProbeEvidence(results: [], error: "the CPL3 probes' worker thread did not finish within its time limit"))
                  },
                  { supervisor.execution(of: started) })
    }
}

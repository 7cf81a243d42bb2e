import Emulator
import Foundation

// Times the whole conformance suite (parse the embedded vectors and run them) and reports the
// mutation check's numbers. Build with `swift build -c release --product virtcheck-bench`.

let runs = 50
var timings: [Duration] = []
var vectorCount = 0
let clock = ContinuousClock()
for _ in 0..<runs {
    let elapsed = try clock.measure {
        let report = try VerificationReport.verify()
        precondition(report.allPassed, "the suite fails: run `virtcheck verify`")
        vectorCount = report.vectors
    }
    timings.append(elapsed)
}
timings.sort()
func ms(_ d: Duration) -> String {
    String(format: "%.2f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
}
print("suite: \(vectorCount) vectors, \(runs) runs: min \(ms(timings[0])) ms, median \(ms(timings[runs / 2])) ms, max \(ms(timings[runs - 1])) ms")

let mutationStart = clock.now
let mutation = MutationAnalysis.run(try BuiltInVectors.load())
let mutationTime = clock.now - mutationStart
print("mutation: \(mutation.killed)/\(mutation.mutants) mutants killed in \(ms(mutationTime)) ms; "
      + mutation.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value[1])/\($0.value[0])" }.joined(separator: ", ")
      + "; \(mutation.equalStepSwapsSkipped) equal-outcome swaps not generated")
print("survivors: \(mutation.survivors.isEmpty ? "none" : mutation.survivors.joined(separator: ", "))")

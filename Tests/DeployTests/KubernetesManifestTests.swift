import Foundation
import Testing

/// deploy/kubernetes validated offline (deploy/kubernetes/validate.sh: kubernetes-validate's
/// bundled schemas, strict, plus the privilege promises of its README), and shown to reject
/// a broken manifest, so a passing run means something.
@Suite(.enabled(if: ManifestValidator.present || ProcessInfo.processInfo.environment["CI"] != nil,
                "kubernetes-validate is not installed (scripts/ensure-pip-deps kubernetes-validate; CI installs it)"))
struct KubernetesManifestTests {
    @Test func shippedManifestsAreValid() throws {
        let r = try ManifestValidator.run([])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test(arguments: [
        ("readOnlyRootFilesystem: true", "readOnlyRootFilesystm: true"),     // schema: unknown field
        ("maxUnavailable: 10%", "maxUnavailable: [10]"),                     // schema: wrong type
        ("              readOnly: true", "              readOnly: false"),   // promise: /sys read-only
        ("      automountServiceAccountToken: false\n", "      automountServiceAccountToken: true\n"),
        ("      terminationGracePeriodSeconds: 5", "      hostPID: true\n      terminationGracePeriodSeconds: 5"),
    ])
    func brokenManifestIsRejected(_ mutation: (String, String)) throws {
        let r = try ManifestValidator.run([try ManifestValidator.mutated(mutation.0, mutation.1)])
        #expect(r.status == 1, "\(r.stderr)")
    }

    /// The paths the README and the cluster's collectors rely on are the ones the pod writes.
    @Test func outputsGoWhereNFDAndNodeExporterRead() throws {
        let text = try String(contentsOfFile: ManifestValidator.daemonSet, encoding: .utf8)
        #expect(text.contains("nfd=/etc/kubernetes/node-feature-discovery/features.d/virtcheck"))
        #expect(text.contains("path: /etc/kubernetes/node-feature-discovery/features.d"))
        #expect(text.contains("prom=/var/lib/node_exporter/textfile_collector/virtcheck.prom"))
        #expect(text.contains("--format nfd --output \"$nfd\"") && text.contains("--format prometheus --output \"$prom\""))
    }
}

import Foundation
import Testing
import VirtCheckData

/// The embedded tables' shape, which `TSVTable.Row` relies on: unique column names, and no row
/// with more cells than the header names (a shifted tab would put a value under the wrong name).
struct TSVTableTests {
    static let tables: [(String, TSVTable)] = [
        ("cpuid_features", DataTables.cpuidFeatures), ("guest_cpu_features", DataTables.guestCPUFeatures),
        ("hypervisor_signatures", DataTables.hypervisorSignatures), ("vmx_msr_bits", DataTables.vmxMsrBits),
        ("kvm_capabilities", DataTables.kvmCapabilities), ("popek_goldberg", DataTables.popekGoldberg),
        ("cpu_models", DataTables.cpuModels),
    ]

    @Test func everyTableIsWellFormed() {
        for (name, table) in Self.tables {
            #expect(!table.rows.isEmpty, "\(name)")
            #expect(Set(table.columns).count == table.columns.count, "\(name): a column name twice")
            for row in table.rows {
                #expect(row.description.split(separator: "\t", omittingEmptySubsequences: false).count <= table.columns.count,
                        "\(name): \(row)")
            }
        }
    }

    /// Each embedded table as its file reads with a plain split of its text (no shared code with
    /// `TSVTable`'s byte scan, issue 16): the same header and the same cells in every row.
    @Test func everyTableReadsAsItsFileSplitPlainly() throws {
        let files = ["cpuid_features": "Data/tables/cpuid_features.tsv", "guest_cpu_features": "Data/tables/guest_cpu_features.tsv",
                     "hypervisor_signatures": "Data/tables/hypervisor_signatures.tsv", "vmx_msr_bits": "Data/tables/vmx_msr_bits.tsv",
                     "kvm_capabilities": "Data/tables/kvm_capabilities.tsv", "popek_goldberg": "Data/tables/popek_goldberg.tsv",
                     "cpu_models": "Data/rules/cpu_models.tsv"]
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (name, table) in Self.tables {
            let path = try #require(files[name])
            let text = try String(contentsOf: repo.appendingPathComponent(path), encoding: .utf8)
            let lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            let cells = lines.map { $0.components(separatedBy: "\t") }
            #expect(table.columns == cells.first, "\(name)")
            #expect(table.rows.map(\.description) == cells.dropFirst().map { $0.joined(separator: "\t") }, "\(name)")
            #expect(table.rows.count == lines.count - 1, "\(name)")
        }
    }

    @Test func rowsAreReadByColumnName() {
        let table = TSVTable(text: "# a comment\nname\tvalue\r\nalpha\t1\nbeta\n\ngamma\t3\textra\n")
        #expect(table.columns == ["name", "value"])
        #expect(table.rows.map { $0["name"] } == ["alpha", "beta", "gamma"])
        #expect(table.rows.map { $0["value"] } == ["1", nil, "3"])
        #expect(table.rows[0]["missing"] == nil)
        let edges = TSVTable(text: "a\tb\tc\n\tx\t\n\r\n#\tno\nlast\t\t")
        #expect(edges.rows.map(\.description) == ["\tx\t", "last\t\t"])
        #expect(edges.rows.map { $0["a"] } == ["", "last"] && edges.rows.map { $0["c"] } == ["", ""])
        #expect(TSVTable(text: "").columns.isEmpty && TSVTable(text: "# only\n\n").rows.isEmpty)
    }
}

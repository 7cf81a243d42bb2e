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

    @Test func rowsAreReadByColumnName() {
        let table = TSVTable(text: "# a comment\nname\tvalue\r\nalpha\t1\nbeta\n\ngamma\t3\textra\n")
        #expect(table.columns == ["name", "value"])
        #expect(table.rows.map { $0["name"] } == ["alpha", "beta", "gamma"])
        #expect(table.rows.map { $0["value"] } == ["1", nil, "3"])
        #expect(table.rows[0]["missing"] == nil)
    }
}

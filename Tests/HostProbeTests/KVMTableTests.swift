import Testing
import VirtCheckData

/// The capability table is ours: every row must parse, and names and numbers must be unique.
@Suite struct KVMTableTests {
    @Test func capabilityRowsAreWellFormed() throws {
        let rows = DataTables.kvmCapabilities.rows
        #expect(rows.count >= 20)
        var names = Set<String>(), numbers = Set<Int>()
        for row in rows {
            let name = try #require(row["name"])
            let number = try #require(row["number"].flatMap { Int($0) }, "\(name): number")
            #expect(name == name.lowercased() && !name.hasPrefix("kvm_cap"), "\(name)")
            #expect(!(row["why"] ?? "").isEmpty, "\(name): why")
            #expect(!(row["source"] ?? "").isEmpty, "\(name): source")
            #expect(names.insert(name).inserted, "duplicate name \(name)")
            #expect(numbers.insert(number).inserted, "duplicate number \(number)")
        }
    }
}

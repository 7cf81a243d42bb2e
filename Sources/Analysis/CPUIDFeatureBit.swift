import HostModel
import VirtCheckData

/// One row of `Data/tables/cpuid_features.tsv`: where a named feature bit lives in CPUID.
/// The positions are data (each row cites the SDM/APM and Linux), so adding a feature to the
/// report is a table edit, not a code change.
public struct CPUIDFeatureBit: Sendable, Hashable {
    public var name: String
    public var leaf: UInt32
    public var subleaf: UInt32
    public var register: String
    public var bit: Int

    /// The table as compiled into the binary, parsed once. Rows that do not parse are dropped
    /// here and caught by a test that compares this count with the table's row count.
    public static let table: [CPUIDFeatureBit] = DataTables.cpuidFeatures.rows.compactMap(CPUIDFeatureBit.init(row:))

    init?(row: TSVTable.Row) {
        guard let name = row["name"], !name.isEmpty,
              let leafText = row["leaf"], let leaf = Hex.parse32(Substring(leafText)),
              let subleaf = row["subleaf"].flatMap({ UInt32($0) }),
              let register = row["register"], ["eax", "ebx", "ecx", "edx"].contains(register),
              let bit = row["bit"].flatMap({ Int($0) }), (0..<32).contains(bit) else { return nil }
        self.name = name
        self.leaf = leaf
        self.subleaf = subleaf
        self.register = register
        self.bit = bit
    }
}

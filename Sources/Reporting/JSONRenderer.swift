import Foundation
import HostModel

/// The JSON report: snake_case keys, sorted, pretty-printed (SnapshotCoding).
public enum JSONRenderer {
    public static func render(_ report: Report) throws -> String {
        let data = try SnapshotCoding.encoder().encode(report)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

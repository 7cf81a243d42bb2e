import Analysis
import HostModel

/// `virtcheck diff` output: the verdict first, then what B lacks, grouped by category, so a
/// person sees at once why a migration would fail; JSON carries the same lists.
public enum DiffRenderer {
    private struct Document: Encodable {
        var schemaVersion = 1
        var tool = ToolInfo()
        var diff: MigrationDiff
    }

    public static func json(_ diff: MigrationDiff) throws -> String {
        try ReportEncoder.serialized(Document(diff: diff)) + "\n"
    }

    public static func text(_ d: MigrationDiff) -> String {
        var out: [String] = []
        out.append("Migrating a VM from A to B: \(d.verdict.rawValue.uppercased())")
        out.append("  \(d.summary)")
        out.append("  A: \(describe(d.from))")
        out.append("  B: \(describe(d.to))")
        if !d.missing.isEmpty {
            out.append("")
            out.append("B lacks (\(d.missing.count)):")
            out += grouped(d.missing)
        }
        if !d.unknown.isEmpty {
            out.append("")
            out.append("B's evidence is silent on (\(d.unknown.count)):")
            out += grouped(d.unknown)
        }
        if !d.gained.isEmpty {
            out.append("")
            out.append("B offers beyond A (\(d.gained.count)): \(d.gained.joined(separator: " "))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func describe(_ h: MigrationDiff.Host) -> String {
        let widths = h.physicalAddressBits.map { ", \($0)-bit physical / \(h.linearAddressBits.map(String.init) ?? "?")-bit linear" } ?? ""
        return "\(Sanitize.line(h.brand ?? h.vendor ?? "unknown CPU"))\(widths) — \(Sanitize.line(h.label))"
    }

    private static func grouped(_ items: [MigrationDiff.Item]) -> [String] {
        var order: [String] = []
        var byCategory: [String: [MigrationDiff.Item]] = [:]
        for item in items {
            if byCategory[item.category] == nil { order.append(item.category) }
            byCategory[item.category, default: []].append(item)
        }
        return order.flatMap { category -> [String] in
            let list = byCategory[category] ?? []
            let plain = list.filter { $0.detail == nil }.map(\.name)
            var lines = plain.isEmpty ? [] : ["  \(category): \(plain.joined(separator: " "))"]
            lines += list.compactMap { item in item.detail.map { "  \(category): \(item.name) — \(Sanitize.line($0))" } }
            return lines
        }
    }
}

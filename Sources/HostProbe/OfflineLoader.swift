import FoundationEssentials
import Glibc
import HostModel

/// Builds one host's snapshot from captured files (`--from PATH`, repeatable): a snapshot JSON,
/// a `cpuid -r` dump, a /proc/cpuinfo copy, an MSR listing, lscpu output, an IOMMU group listing,
/// `lspci -vvv`/`-xxxx` output or a kernel log (dmesg, journalctl -k) — each recognised
/// by its content, never by its name. Nothing live is read.
public enum OfflineLoader {
    /// One pasted lspci file: which output it is, its path, its functions.
    typealias LspciPaste = (kind: LspciParser.Kind, file: String, devices: [LspciParser.Device])

    /// Larger inputs are refused: no real capture of one host comes near this.
    public static let maxFileSize = 32 << 20
    /// A directory holding more files than this is not one host's capture.
    public static let maxFilesPerDirectory = 256
    /// Entries of any kind a `--from` directory may hold, checked before each is looked at.
    public static let maxEntriesPerDirectory = 4096
    /// PCI functions one snapshot may list (see `decodeSnapshot`).
    public static let maxPCIDevices = InputLimits.maxPCIFunctions

    public static func load(paths: [String]) throws(InputError) -> Snapshot {
        guard !paths.isEmpty else { throw InputError(path: "--from", message: "no input path given") }
        var files: [String] = []
        for path in paths { files += try expand(path) }
        var snapshot: Snapshot?
        var pieces = Snapshot(source: SourceInfo(kind: .files, paths: paths))
        var seen: [String: String] = [:]
        func claim(_ kind: String, _ path: String) throws(InputError) {
            if let other = seen[kind] {
                throw InputError(path: path, message: "a second \(kind) for the same host (the first is \(other)); give one host's files")
            }
            seen[kind] = path
        }
        // What each file says about the CPU, compared with the other files' as they come (a
        // snapshot's own pieces are one capture): the first disagreement names both files.
        var identities: [HostIdentity] = []
        var lspci: [LspciPaste] = []
        var kernelLog: (file: String, entries: [KernelLogEntry])?
        func compare(_ new: [HostIdentity]) throws(InputError) {
            for identity in new {
                for other in identities {
                    if let conflict = other.conflict(with: identity) { throw InputError(path: "--from", message: conflict) }
                }
            }
            identities += new
        }
        for file in files {
            let text = try readText(file)
            let head = Self.head(of: text)
            let trimmed = head.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
            if trimmed.hasPrefix("{") {
                try claim("snapshot", file)
                let decoded = try decodeSnapshot(text, path: file)
                // Alone, a snapshot has no other file to be compared with (its own pieces are
                // one capture), and making its identities parses its cpuinfo again (a tenth of
                // reading it; callgrind, issue 16).
                if files.count > 1 { try compare(cpuIdentities(of: decoded, source: file)) }
                snapshot = decoded
            } else if CPUIDDumpParser.looksLikeDump(head) {
                try claim("CPUID dump", file)
                let dump = try CPUIDDumpParser.parse(text, source: file)
                try compare([HostIdentity(dump: dump, source: file)])
                pieces.cpuid = dump
            } else if CPUInfo.looksLikeCPUInfo(head) {
                try claim("cpuinfo", file)
                try compare([HostIdentity(cpuinfo: try CPUInfo.parse(text, source: file), source: file)])
                pieces.cpuinfo = TextEvidence(source: file, status: .ok, text: text)
            } else if MSRListingParser.looksLikeListing(head) {
                try claim("MSR listing", file)
                pieces.msrs = try MSRListingParser.parse(text, source: file)
            } else if LSCPU.looksLikeLSCPU(head) {
                try claim("lscpu output", file)
                try compare([HostIdentity(lscpu: try LSCPU.parse(text, source: file), source: file)])
                pieces.lscpu = TextEvidence(source: file, status: .ok, text: text)
            } else if let kind = LspciParser.kind(of: head) {
                try claim(kind == .hexDump ? "`lspci -x` dump" : "`lspci -v` listing", file)
                let parsed = try LspciParser.parse(text, source: file)
                lspci.append((parsed.kind, file, parsed.devices))
            } else if IOMMUListingParser.looksLikeListing(head) {
                try claim("IOMMU group listing", file)
                pieces.iommu = iommuEvidence(try IOMMUListingParser.parse(text, source: file), source: file)
                // Listings are often pasted with the dmesg they were grepped from: its KVM lines count too.
                let entries = try KernelLogParser.parse(text, source: file)
                if !entries.isEmpty, seen["kernel log"] == nil { kernelLog = (file, entries) }
            } else if KernelLogParser.looksLikeKernelLog(head) {
                try claim("kernel log", file)
                kernelLog = (file, try KernelLogParser.parse(text, source: file))
            } else {
                throw InputError(path: file, message: "not a snapshot JSON, `cpuid -r` dump, /proc/cpuinfo copy, MSR listing, lscpu output, IOMMU group listing, `lspci -vvv` or `lspci -xxxx` output, or dmesg")
            }
        }
        if !lspci.isEmpty {
            try sameHost(lspci)
            pieces.pci = pciEvidence(lspci)
            // Groups lspci showed (`IOMMU group: N`) are the IOMMU's groups when nothing else gave them.
            if pieces.iommu == nil, let listed = lspciGroups(lspci) { pieces.iommu = listed }
        }
        if let (file, entries) = kernelLog {
            pieces.kernelLog = TextEvidence(source: file, status: .ok, text: entries.map(\.line).joined(separator: "\n"))
            // Groups from a listing or lspci (the state now) win over the log's (its boot); the
            // log adds what they cannot show: its lines, the VT-d units, the command line.
            if var existing = pieces.iommu, let logged = try logIOMMU(entries, source: file) {
                existing.kernelLog = existing.kernelLog ?? logged.kernelLog
                if existing.unitsStatus != .ok, logged.unitsStatus == .ok {
                    existing.units = logged.units
                    existing.unitsStatus = .ok
                }
                if existing.commandLine.status != .ok, logged.commandLine.status == .ok { existing.commandLine = logged.commandLine }
                pieces.iommu = existing
            } else if pieces.iommu == nil {
                pieces.iommu = try logIOMMU(entries, source: file)
            }
        }
        guard var result = snapshot else { return pieces }
        // Loose files given beside a snapshot add evidence it lacks; they never silently replace
        // it, nor are they silently dropped (an lscpu output or IOMMU group listing was).
        let overlaps = [("CPUID dump", pieces.cpuid != nil, result.cpuid != nil), ("cpuinfo", pieces.cpuinfo != nil, result.cpuinfo != nil),
                        ("MSR listing", pieces.msrs != nil, result.msrs != nil), ("lscpu output", pieces.lscpu != nil, result.lscpu != nil),
                        ("IOMMU group listing", pieces.iommu != nil, result.iommu != nil)]
        for (kind, given, held) in overlaps where given && held {
            throw InputError(path: seen[kind] ?? "--from", message: "the snapshot already holds \(kind == "IOMMU group listing" ? "IOMMU evidence" : "a \(kind)") for this host")
        }
        result.cpuid = result.cpuid ?? pieces.cpuid
        result.cpuinfo = result.cpuinfo ?? pieces.cpuinfo
        result.msrs = result.msrs ?? pieces.msrs
        result.lscpu = result.lscpu ?? pieces.lscpu
        result.iommu = result.iommu ?? pieces.iommu
        result.pci = result.pci ?? pieces.pci
        result.kernelLog = result.kernelLog ?? pieces.kernelLog
        result.source = SourceInfo(kind: files.count == 1 ? .snapshot : .files, paths: paths)
        return result
    }

    /// How much of a file its kind is recognised from.
    static let headBytes = 4096

    /// The first `headBytes` bytes of `text`, cut back to a Unicode scalar boundary: the kind of a
    /// file shows in its first lines. Counted in bytes, not Characters: finding the 4,096th
    /// Character walked grapheme breaks, 10% of `baseline`'s instructions over the corpus
    /// (callgrind, issue 16).
    static func head(of text: String) -> Substring {
        let utf8 = text.utf8
        guard utf8.count > headBytes else { return text[...] }
        var end = utf8.index(utf8.startIndex, offsetBy: headBytes)
        while String.Index(end, within: text.unicodeScalars) == nil { end = utf8.index(before: end) }
        return text[..<end]
    }

    /// IOMMU evidence from a pasted listing: its groups, command line and kernel log lines; the
    /// sysfs units, ACPI tables, /proc/interrupts and VFIO are not in such a listing and say so
    /// (`unsupported`: not in this input), so rules that need them stay unknown.
    static func iommuEvidence(_ listing: IOMMUListingParser.Listing, source: String,
                              kind: String = "an IOMMU group listing") -> IOMMUEvidence {
        let missing = "not in the input (\(source) is \(kind))"
        return IOMMUEvidence(
            groupsStatus: .ok, groups: listing.groups, unitsStatus: .unsupported, units: [],
            dmar: BinaryEvidence(source: "DMAR", status: .unsupported, detail: missing),
            ivrs: BinaryEvidence(source: "IVRS", status: .unsupported, detail: missing),
            interrupts: TextEvidence(source: "/proc/interrupts", status: .unsupported, detail: missing),
            commandLine: listing.commandLine.map { TextEvidence(source: source, status: .ok, text: $0) }
                ?? TextEvidence(source: "/proc/cmdline", status: .unsupported, detail: missing),
            vfio: VFIOEvidence(containerNode: false, modules: nil, allowUnsafeInterrupts: nil),
            kernelLog: listing.kernelLog.isEmpty ? nil : TextEvidence(source: source, status: .ok, text: listing.kernelLog.joined(separator: "\n")))
    }

    /// PCI evidence from pasted lspci output: a dump's bytes are config space as sysfs gives it; a
    /// verbose listing's block is kept for Analysis to read (no bytes are made up from it). Given
    /// both (`-xxxx` and `-vvv` of one host), a function takes its bytes from the dump and its
    /// driver and group from the listing.
    static func pciEvidence(_ pastes: [LspciPaste]) -> PCIEvidence {
        var byAddress: [String: PCIDeviceEvidence] = [:]
        var order: [String] = []
        for paste in pastes.sorted(by: { $0.kind == .hexDump && $1.kind != .hexDump }) {
            for d in paste.devices {
                let short = d.address.hasPrefix("0000:") ? String(d.address.dropFirst(5)) : d.address
                let source = "\(paste.kind.rawValue) \(paste.file): \(short)"
                func hex(_ value: Int?, _ digits: Int) -> String? { value.map { "0x" + Hex.digits($0, count: digits) } }
                let bytes = d.config
                let fromBytes: (Int, Int) -> Int? = { offset, count in
                    guard let bytes, bytes.count >= offset + count else { return nil }
                    return (0..<count).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
                }
                let config = bytes.map { BinaryEvidence(source: source, bytes: $0) }
                    ?? BinaryEvidence(source: source, status: .unsupported, detail: "\(paste.kind.rawValue) text holds no config space bytes")
                if var existing = byAddress[d.address] {
                    existing.driver = existing.driver ?? d.driver
                    existing.iommuGroup = existing.iommuGroup ?? d.iommuGroup
                    byAddress[d.address] = existing
                    continue
                }
                order.append(d.address)
                byAddress[d.address] = PCIDeviceEvidence(
                    address: d.address, vendor: hex(fromBytes(0, 2) ?? d.vendorId, 4), device: hex(fromBytes(2, 2) ?? d.deviceId, 4),
                    classCode: hex(fromBytes(9, 3) ?? d.classCode.map { $0 << 8 }, 6), deviceName: d.name.isEmpty ? nil : d.name,
                    className: d.className.isEmpty ? nil : d.className, driver: d.driver, iommuGroup: d.iommuGroup, config: config,
                    lspci: bytes == nil ? TextEvidence(source: source, status: .ok, text: d.text) : nil)
            }
        }
        let sources = pastes.map { "\($0.kind.rawValue) \($0.file)" }.joined(separator: ", ")
        return PCIEvidence(source: sources, status: .ok, devices: order.compactMap { byAddress[$0] })
    }

    /// A dump and a listing given together must be of one host: one lists every function the
    /// other does (an excerpt of either is fine), and a function both name has the same vendor
    /// and device ID where the listing shows them (`-nn`). One host's `-vvv` beside another's
    /// `-xxxx` was merged function by function into a machine that does not exist.
    static func sameHost(_ pastes: [LspciPaste]) throws(InputError) {
        guard let dump = pastes.first(where: { $0.kind == .hexDump }), let listing = pastes.first(where: { $0.kind != .hexDump }) else { return }
        let inDump = Set(dump.devices.map(\.address)), inListing = Set(listing.devices.map(\.address))
        if !inDump.isSubset(of: inListing) && !inListing.isSubset(of: inDump) {
            let short = { (a: String) in a.hasPrefix("0000:") ? String(a.dropFirst(5)) : a }
            let onlyDump = inDump.subtracting(inListing).sorted().prefix(3).map(short).joined(separator: ", ")
            let onlyListing = inListing.subtracting(inDump).sorted().prefix(3).map(short).joined(separator: ", ")
            throw InputError(path: listing.file, message: "lists \(onlyListing), which \(dump.file) does not, and misses \(onlyDump), which it lists: two hosts' lspci runs; give one host's files")
        }
        let bytes = Dictionary(dump.devices.compactMap { d in d.config.map { (d.address, $0) } }, uniquingKeysWith: { first, _ in first })
        for d in listing.devices {
            guard let config = bytes[d.address], config.count >= 4, let vendor = d.vendorId, let device = d.deviceId else { continue }
            let dumped = (Int(config[0]) | Int(config[1]) << 8, Int(config[2]) | Int(config[3]) << 8)
            if dumped != (vendor, device) {
                let ids = { (v: Int, d: Int) in Hex.digits(v, count: 4) + ":" + Hex.digits(d, count: 4) }
                throw InputError(path: listing.file, message: "\(d.address) is \(ids(vendor, device)) here but \(ids(dumped.0, dumped.1)) in \(dump.file): two hosts' lspci runs; give one host's files")
            }
        }
    }

    /// IOMMU evidence from the groups an `lspci -vv` paste shows, nil when it shows none.
    static func lspciGroups(_ pastes: [LspciPaste]) -> IOMMUEvidence? {
        var members: [String: [String]] = [:]
        for paste in pastes { for d in paste.devices { if let g = d.iommuGroup { members[g, default: []].append(d.address) } } }
        guard !members.isEmpty, let file = pastes.first(where: { $0.devices.contains { $0.iommuGroup != nil } })?.file else { return nil }
        let groups = members.keys.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
            .map { IOMMUGroupEvidence(group: $0, devices: Array(Set(members[$0]!)).sorted(), type: nil) }
        return iommuEvidence(IOMMUListingParser.Listing(groups: groups, commandLine: nil, kernelLog: []), source: file,
                             kind: "`lspci -v` output")
    }

    /// IOMMU evidence from a pasted kernel log: the groups its `Adding to iommu group` lines name,
    /// its command line, and its IOMMU lines; nil when it has none of these (a log silent about
    /// the IOMMU says nothing either way).
    static func logIOMMU(_ entries: [KernelLogEntry], source: String) throws(InputError) -> IOMMUEvidence? {
        var members: [Int: [String]] = [:]
        var commandLine: String?
        var lines: [String] = []
        var units: [IOMMUUnitEvidence] = []
        for entry in entries {
            switch entry.message {
            case .iommuGroup(let device, let group):
                members[group, default: []].append(device)
                lines.append(entry.line)
            case .commandLine(let text):
                commandLine = commandLine ?? text
            case .intelIOMMUUnit(let name, let version, let cap, let ecap):
                units.append(IOMMUUnitEvidence(name: name, driver: "intel-iommu", cap: "0x" + cap, ecap: "0x" + ecap, version: version))
                lines.append(entry.line)
            case .intelIOMMUInitialised, .intelIOMMUSwitch, .amdIOMMUFound, .interruptRemapping:
                lines.append(entry.line)
            case .kernelVersion, .kvmNoHardwareSupport, .kvmDisabledByFirmware, .nestedEnabled, .nestedPaging:
                break
            }
        }
        guard !lines.isEmpty || commandLine != nil else { return nil }
        let listing = IOMMUListingParser.Listing(
            groups: members.keys.sorted().map { IOMMUGroupEvidence(group: String($0), devices: Array(Set(members[$0]!)).sorted(), type: nil) },
            commandLine: commandLine, kernelLog: lines)
        var evidence = iommuEvidence(listing, source: source, kind: "a kernel log")
        if !units.isEmpty {
            guard Set(units.map(\.name)).count <= InputLimits.maxIOMMUUnits else {
                throw InputError(path: source, message: "more than \(InputLimits.maxIOMMUUnits) IOMMU units (Linux supports at most \(InputLimits.maxIOMMUUnits)): not one host's kernel log")
            }
            // Each unit once (a log of two boots names it twice), as sysfs would list it.
            evidence.units = Dictionary(units.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }).values.sorted { $0.name < $1.name }
            evidence.unitsStatus = .ok
        }
        if members.isEmpty {
            // No group lines: whether groups exist is not in this log (a grep may have dropped them).
            evidence.groupsStatus = .unsupported
            evidence.groupsDetail = "not in the input (\(source) is a kernel log without `Adding to iommu group` lines)"
        }
        return evidence
    }

    /// A file, or the regular files of a directory (sorted, hidden files skipped).
    static func expand(_ path: String) throws(InputError) -> [String] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(path: path, message: HostRoot.describe(errno: errno))
        }
        if (st.st_mode & S_IFMT) == S_IFREG { return [path] }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw InputError(path: path, message: "not a regular file or directory") }
        // Listed directly, not through HostRoot: `--from` names files the user chose, so their
        // links are followed; only `--root` trees are confined (and need openat2).
        // Read only up to the limit: listing a directory of millions first cost unbounded time
        // and memory before the refusal.
        let names = try InputFile.names(inDirectory: path, limit: maxEntriesPerDirectory, holding: "one host's capture has a few")
        let files = names.sorted().filter { !$0.hasPrefix(".") }.map { (path.hasSuffix("/") ? path : path + "/") + $0 }.filter { file in
            var fst = stat()
            return stat(file, &fst) == 0 && (fst.st_mode & S_IFMT) == S_IFREG
        }
        guard !files.isEmpty else { throw InputError(path: path, message: "directory holds no files") }
        guard files.count <= maxFilesPerDirectory else {
            throw InputError(path: path, message: "directory holds \(files.count) files; one host's capture has a few")
        }
        return files
    }

    static func readText(_ path: String) throws(InputError) -> String {
        try InputFile.readText(path, limit: maxFileSize)
    }

    /// What a snapshot's own CPU evidence says about its CPU (its CPUID, cpuinfo and lscpu).
    static func cpuIdentities(of snapshot: Snapshot, source: String) -> [HostIdentity] {
        var result: [HostIdentity] = []
        if let cpuid = snapshot.cpuid, !cpuid.cpus.isEmpty { result.append(HostIdentity(dump: cpuid, source: source)) }
        if let text = snapshot.cpuinfo?.text, let info = try? CPUInfo.parse(text, source: source) {
            result.append(HostIdentity(cpuinfo: info, source: source))
        }
        if let text = snapshot.lscpu?.text, let lscpu = try? LSCPU.parse(text, source: source) {
            result.append(HostIdentity(lscpu: lscpu, source: source))
        }
        return result
    }

    /// The snapshot-JSON path of `load`, public for the fuzz target (Fuzz/Sources/fuzz-snapshot).
    public static func decodeSnapshot(_ text: String, path: String) throws(InputError) -> Snapshot {
        let snapshot: Snapshot
        do {
            snapshot = try SnapshotCoding.decode(Snapshot.self, from: text.utf8)
        } catch {
            // Too deep is said before anything else, with the depth the text reaches. Measured
            // only here: JSONReader refuses past the limit itself (every text it reads whole is
            // within it), and measuring every snapshot first cost 2 % of a `check --from`.
            let depth = NestingDepth.json(text)
            guard depth <= InputLimits.maxNestingDepth else {
                throw InputError(path: path, message: "JSON nested \(depth) levels deep, deeper than \(InputLimits.maxNestingDepth): not a virtcheck snapshot")
            }
            guard let error = error as? DecodingError else {
                throw InputError(path: path, message: "not a virtcheck snapshot: malformed JSON")
            }
            throw InputError(path: path, message: "not a virtcheck snapshot: " + describe(error))
        }
        guard snapshot.snapshotVersion == Snapshot.currentVersion else {
            throw InputError(path: path, message: "snapshot_version \(snapshot.snapshotVersion) is not supported (this build reads \(Snapshot.currentVersion))")
        }
        // The CPU counts the loose files are held to (`InputLimits.maxCpus`): a snapshot listing
        // 2,000,000 online CPUs gave `logical_cpus: 2000000`.
        for (what, count) in [("online CPUs", snapshot.host.onlineCpus?.count), ("CPUID tables", snapshot.cpuid?.cpus.count),
                              ("MSR CPUs", snapshot.msrs?.cpus.count)] {
            if let count, count > InputLimits.maxCpus {
                throw InputError(path: path, message: "\(count) \(what) in one snapshot: more than \(InputLimits.maxCpus) CPUs (Linux's largest NR_CPUS): not one host")
            }
        }
        // The passthrough analysis compares devices pairwise; past this many it would run for
        // minutes. Real hosts, SR-IOV virtual functions included, stay well below it.
        if let count = snapshot.pci?.devices.count, count > maxPCIDevices {
            throw InputError(path: path, message: "\(count) PCI functions in one snapshot; at most \(maxPCIDevices) are analysed")
        }
        // Group members are PCI functions too, looked up for every function without a group of
        // its own: as many as the functions, not a group of 800,000 names.
        if let members = snapshot.iommu?.groups.reduce(0, { $0 + $1.devices.count }), members > maxPCIDevices {
            throw InputError(path: path, message: "\(members) IOMMU group members in one snapshot; at most \(maxPCIDevices) PCI functions are analysed")
        }
        if let units = snapshot.iommu?.units.count, units > InputLimits.maxIOMMUUnits {
            throw InputError(path: path, message: "\(units) IOMMU units in one snapshot: more than \(InputLimits.maxIOMMUUnits) (Linux supports at most \(InputLimits.maxIOMMUUnits)): not one host")
        }
        // The kernel log is kept as its recognised lines (what `--from` accepts of a paste).
        if let log = snapshot.kernelLog?.text, log.utf8.lazy.filter({ $0 == 0x0A }).count >= KernelLogParser.maxEntries {
            throw InputError(path: path, message: "kernel_log holds more than \(KernelLogParser.maxEntries) lines: not one host's kernel log")
        }
        return snapshot
    }

    /// One line for a decoding error: what was wrong, and where, in the file's own key names
    /// (snake_case, as the snapshot spells them; the decoder reports the Swift properties').
    static func describe(_ error: DecodingError) -> String {
        func key(_ key: any CodingKey) -> String {
            key.intValue.map { "[\($0)]" } ?? SnapshotCoding.snakeCase(key.stringValue)
        }
        func where_(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map(key).joined(separator: ".").replacing(".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "malformed or truncated JSON" : "bad value at \(where_(c.codingPath))"
        case .keyNotFound(let missing, let c):
            return "missing key `\(key(missing))` at \(where_(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "wrong type at \(where_(c.codingPath))"
        @unknown default:
            return "malformed JSON"
        }
    }
}

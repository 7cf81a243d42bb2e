import HostModel

/// The device-assignment rules: `iommu.enabled`, `iommu.interrupt-remapping`, `iommu.groups` and
/// one `pci.passthrough` per function (subject = PCI address). Each verdict lists every reason,
/// good or bad, so a user sees why a device passes as well as why it does not. Missing evidence
/// gives `unknown` with what to run as root, never `fail`.
public enum PassthroughRules {
    public struct Result: Sendable, Hashable {
        /// The PCI facts with `passthrough` filled in for every device.
        public var pci: PCIFacts
        public var findings: [Finding]
    }

    public static func assess(iommu: IOMMUFacts, pci: PCIFacts) -> Result {
        var pci = pci
        let index = PCIIndex(pci: pci, iommu: iommu)
        for i in pci.devices.indices {
            pci.devices[i].passthrough = verdict(pci.devices[i], iommu: iommu, pci: index)
        }
        var findings = [enabledFinding(iommu), remappingFinding(iommu), groupsFinding(iommu, pci: pci), vfioFinding(iommu)]
        findings += pci.devices.map { d in
            let v = d.passthrough ?? PassthroughVerdict(status: .unknown, reasons: [])
            let label = d.name ?? [d.vendorId, d.deviceId].compactMap { $0 }.joined(separator: ":")
            return Finding(id: "pci.passthrough", subject: d.address, status: v.status,
                           title: "Device assignment of \(short(d.address)) \(label)",
                           summary: v.reasons.first ?? "no evidence", evidence: v.reasons.map { EvidenceItem(source: d.address, detail: $0) },
                           remediation: v.remediation)
        }
        return Result(pci: pci, findings: findings)
    }

    // MARK: host-wide rules

    /// A VM's way to an IOMMU that VFIO accepts: DMA and interrupt remapping both.
    static let remappingVIOMMU = "give the VM a virtual IOMMU that remaps interrupts: QEMU -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on (or -device amd-iommu,intremap=on); libvirt <iommu model='intel'><driver intremap='on'/></iommu>"

    /// Why VFIO refuses behind a virtio-iommu on x86: the driver reports no IOMMU_CAP_INTR_REMAP
    /// (drivers/iommu/virtio-iommu.c, viommu_capable) and only DMAR/IVRS units remap interrupts, so
    /// vfio_iommu_type1 finds no isolated MSI ("No interrupt remapping support", EPERM); the lab's
    /// virtio-iommu machine shows it (VFIO_SET_IOMMU refused).
    static let virtioNoRemapping = "a virtio-iommu remaps DMA but never interrupts"

    static func enableRemedy(_ iommu: IOMMUFacts) -> String {
        var steps: [String] = []
        switch iommu.vendor {
        case "intel":
            steps.append("Enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the firmware setup and boot with intel_iommu=on")
        case "amd":
            steps.append("Set IOMMU (AMD-Vi) to Enabled, not Auto, in the firmware setup; Linux then enables it by default (amd_iommu=on is not a kernel option)")
        default:
            steps.append("Enable VT-d (Intel) or IOMMU/AMD-Vi (AMD) in the firmware setup; on Intel also boot with intel_iommu=on")
        }
        let off = iommu.kernelSwitches.filter(\.disablesIOMMU).map(\.text)
        if !off.isEmpty { steps.append("remove \(off.joined(separator: " ")) from the kernel command line") }
        if iommu.virtualMachineGuest {
            steps.append("in a VM, \(remappingVIOMMU) (\(virtioNoRemapping), so VFIO refuses assignment behind -device virtio-iommu-pci)")
        }
        return steps.joined(separator: "; ") + "."
    }

    static func enabledFinding(_ iommu: IOMMUFacts) -> Finding {
        var evidence = [EvidenceItem(source: "/sys/kernel/iommu_groups", detail: "\(iommu.groups.count) groups"),
                        EvidenceItem(source: "/sys/class/iommu", detail: iommu.units.isEmpty ? "no units" : iommu.units.map(\.name).joined(separator: ", "))]
        evidence += iommu.acpi.map { EvidenceItem(source: "/sys/firmware/acpi/tables", detail: $0) }
        evidence += iommu.kernelSwitches.map { EvidenceItem(source: "/proc/cmdline", detail: "\($0.text): \($0.meaning)") }
        evidence += iommu.errors.map { EvidenceItem(source: "error", detail: $0) }
        switch iommu.enabled {
        case true?:
            return Finding(id: "iommu.enabled", status: .pass, title: "IOMMU (DMA remapping) active",
                           summary: iommu.enabledReason, evidence: evidence)
        case false?:
            return Finding(id: "iommu.enabled", status: .fail, title: "IOMMU (DMA remapping) active",
                           summary: "No IOMMU is active: " + iommu.enabledReason, evidence: evidence,
                           remediation: enableRemedy(iommu))
        case nil:
            return Finding(id: "iommu.enabled", status: .unknown, title: "IOMMU (DMA remapping) active",
                           summary: iommu.enabledReason, evidence: evidence,
                           remediation: "Run virtcheck where /sys/kernel/iommu_groups is readable.")
        }
    }

    static func remappingFinding(_ iommu: IOMMUFacts) -> Finding {
        let evidence = iommu.interruptRemappingEvidence.map { EvidenceItem(source: "interrupt remapping", detail: $0) }
        let title = "Interrupt remapping"
        // Interrupt remapping does not need DMA remapping: with intel_iommu=off Linux still
        // enables DMAR-IR ("Enabled IRQ remapping in xapic mode"; the lab's intel-iommu-off
        // machine), so only an IOMMU that is off and not remapping decides "not remapped" here.
        if iommu.enabled == false && iommu.interruptRemapping != true {
            return Finding(id: "iommu.interrupt-remapping", status: .fail, title: title,
                           summary: "No IOMMU is active, so interrupts from devices are not remapped.",
                           evidence: evidence, remediation: enableRemedy(iommu))
        }
        switch iommu.interruptRemapping {
        case true? where iommu.enabled == false:
            return Finding(id: "iommu.interrupt-remapping", status: .pass, title: title,
                           summary: "Interrupts from devices are remapped, though DMA remapping is off (iommu.enabled): no device can be assigned until it is on.",
                           evidence: evidence)
        case true?:
            let posted = iommu.postedInterrupts == true ? " Every unit can post interrupts straight into running guests." : ""
            return Finding(id: "iommu.interrupt-remapping", status: .pass, title: title,
                           summary: "Interrupts from devices are remapped, so an assigned device cannot forge interrupts into the host." + posted,
                           evidence: evidence)
        case false?:
            let unsafe = iommu.allowUnsafeInterrupts
                ? " vfio_iommu_type1.allow_unsafe_interrupts is on: VFIO assigns devices anyway, and a guest can inject interrupts into the host."
                : " VFIO refuses to assign devices without it."
            if iommu.vendor == IOMMUDecoder.virtio {
                return Finding(id: "iommu.interrupt-remapping", status: .fail, title: title,
                               summary: "The IOMMU is a virtio-iommu, and \(virtioNoRemapping): interrupts from devices are not remapped." + unsafe,
                               evidence: evidence,
                               remediation: "No firmware or kernel setting adds it; \(remappingVIOMMU). Do not rely on allow_unsafe_interrupts.")
            }
            let switches = iommu.kernelSwitches.filter { $0.text.hasPrefix("intremap=") }.map(\.text)
            return Finding(id: "iommu.interrupt-remapping", status: .fail, title: title,
                           summary: "The IOMMU is active but interrupts are not remapped." + unsafe,
                           evidence: evidence,
                           remediation: (switches.isEmpty ? "" : "Remove \(switches.joined(separator: " ")) from the kernel command line; ")
                               + "enable interrupt remapping (and x2APIC) in the firmware setup; do not rely on allow_unsafe_interrupts.")
        case nil:
            return Finding(id: "iommu.interrupt-remapping", status: .unknown, title: title,
                           summary: "Whether interrupts are remapped could not be read.", evidence: evidence,
                           remediation: "Run virtcheck where /proc/interrupts is readable.")
        }
    }

    static func groupsFinding(_ iommu: IOMMUFacts, pci: PCIFacts) -> Finding {
        let title = "IOMMU groups"
        var evidence = iommu.groups.map {
            EvidenceItem(source: "/sys/kernel/iommu_groups/\($0.number)",
                         detail: "\($0.type ?? "type unknown"): " + $0.devices.map(short).joined(separator: " "))
        }
        evidence += iommu.errors.filter { $0.contains("iommu_groups") }.map { EvidenceItem(source: "error", detail: $0) }
        switch iommu.enabled {
        case false?:
            return Finding(id: "iommu.groups", status: .fail, title: title,
                           summary: "No IOMMU groups: without an active IOMMU no device can be assigned to a VM.",
                           evidence: evidence, remediation: enableRemedy(iommu))
        case nil:
            return Finding(id: "iommu.groups", status: .unknown, title: title, summary: iommu.enabledReason, evidence: evidence)
        case true?:
            let endpoints = pci.devices.filter { !$0.isBridgeClass }
            let shared = endpoints.filter { $0.passthrough?.reasons.contains { $0.hasPrefix("IOMMU group") && $0.contains("also holds") } == true }
            var summary = "\(iommu.groups.count) groups; \(endpoints.count - shared.count) of \(endpoints.count) devices can be assigned without taking unrelated devices along"
            if !shared.isEmpty { summary += "; sharing a group: " + shared.map { short($0.address) }.joined(separator: " ") }
            if let override = iommu.kernelSwitch("pcie_acs_override") {
                return Finding(id: "iommu.groups", status: .warn, title: title,
                               summary: summary + ". The groups were computed with \(override.text): \(override.meaning).",
                               evidence: evidence,
                               remediation: "Remove pcie_acs_override and move devices that must be isolated to slots behind ports with ACS (CPU root ports).")
            }
            return Finding(id: "iommu.groups", status: .pass, title: title, summary: summary + ".", evidence: evidence)
        }
    }

    /// VFIO is how Linux hands devices to VMs (QEMU, libvirt, cloud-hypervisor all use it).
    static func vfioFinding(_ iommu: IOMMUFacts) -> Finding {
        let modules = iommu.vfioModules.map { $0.isEmpty ? "none" : $0.joined(separator: " ") } ?? "not read"
        let evidence = [EvidenceItem(source: "/dev/vfio/vfio", detail: iommu.vfioAvailable ? "present" : "absent"),
                        EvidenceItem(source: "/sys/module", detail: "vfio modules: \(modules)")]
        let title = "VFIO device assignment"
        switch iommu.enabled {
        case false?:
            return Finding(id: "vfio.available", status: .fail, title: title,
                           summary: "VFIO cannot assign devices without an active IOMMU.", evidence: evidence,
                           remediation: enableRemedy(iommu))
        case nil:
            return Finding(id: "vfio.available", status: .unknown, title: title, summary: iommu.enabledReason, evidence: evidence)
        case true?:
            if !iommu.vfioAvailable, iommu.vfioModules == nil {
                return Finding(id: "vfio.available", status: .unknown, title: title,
                               summary: "The IOMMU is active; whether VFIO is loaded was not read (the input lists IOMMU groups only).",
                               evidence: evidence, remediation: "Run virtcheck on the host, or capture it there with `virtcheck capture`.")
            }
            if iommu.vfioAvailable {
                return Finding(id: "vfio.available", status: .pass, title: title,
                               summary: "/dev/vfio/vfio is present (modules: \(modules)).", evidence: evidence)
            }
            return Finding(id: "vfio.available", status: .warn, title: title,
                           summary: "The IOMMU is active but VFIO is not loaded (/dev/vfio/vfio is missing).", evidence: evidence,
                           remediation: "Load it: modprobe vfio-pci (or add vfio-pci to /etc/modules-load.d/).")
        }
    }

    // MARK: per device

    static func verdict(_ d: PCIDeviceFacts, iommu: IOMMUFacts, pci: PCIIndex) -> PassthroughVerdict {
        if d.isBridgeClass {
            return PassthroughVerdict(status: .notApplicable,
                                      reasons: ["\(d.className ?? "bridge") (class \(d.class ?? "?")): bridges stay with the host and are not assigned"])
        }
        var v = VerdictBuilder()
        for e in d.errors { v.add(.unknown, "evidence problem: \(e)") }

        switch iommu.enabled {
        case false?: v.add(.fail, "no IOMMU is active: DMA from this device could reach all host memory", remedy: enableRemedy(iommu))
        case nil: v.add(.unknown, "whether an IOMMU is active is unknown: \(iommu.enabledReason)")
        case true?: groupReasons(d, iommu: iommu, pci: pci, into: &v)
        }
        bridgeReasons(d, iommu: iommu, pci: pci, into: &v)
        resetReasons(d, pci: pci, into: &v)
        interruptReasons(d, iommu: iommu, into: &v)
        rmrrReasons(d, iommu: iommu, into: &v)

        if let sriov = d.capabilities?.sriov, sriov.totalVfs > 0 {
            v.add(.pass, "SR-IOV: up to \(sriov.totalVfs) virtual functions, each assignable on its own")
        }
        switch d.driver {
        case "vfio-pci"?: v.add(.pass, "bound to vfio-pci")
        case nil: v.add(.pass, "no driver bound")
        case let driver?:
            let id = [d.vendorId, d.deviceId].compactMap { $0 }.joined(separator: ":")
            v.add(.pass, "bound to \(driver) on the host",
                  remedy: "Bind to vfio-pci before assignment: vfio-pci.ids=\(id) on the kernel command line, or driverctl set-override \(d.address) vfio-pci.")
        }
        let judged = v.verdict
        // Neither the class file nor config space read (virtcheck's own descriptor limit met the PCI
        // reader under `ulimit -n 9`; a tree without them): a bridge, which stays with the host,
        // cannot be told from a device, so what fails a device is no verdict on this function.
        guard d.classValue == nil, judged.status == .fail else { return judged }
        return PassthroughVerdict(status: .unknown, reasons: [PassthroughRules.unknownClass] + judged.reasons,
                                  remediation: judged.remediation)
    }

    /// The first reason of a device verdict held back from fail for want of the function's class.
    static let unknownClass = "the class is unknown, so a bridge (never assigned) cannot be told from a device: the reasons below hold only for a device"

    static func groupReasons(_ d: PCIDeviceFacts, iommu: IOMMUFacts, pci: PCIIndex, into v: inout VerdictBuilder) {
        guard let number = d.iommuGroup, let group = pci.group(number) else {
            if iommu.vendor == IOMMUDecoder.virtio {
                // ACPI VIOT is applied when a driver probes the device (acpi_dma_configure ->
                // viot_iommu_configure): a function no driver has claimed has no group yet. The lab's
                // virtio-iommu machine shows it (the ICH9 SATA and SMBus functions, driverless).
                v.add(.fail, "in no IOMMU group: behind a virtio-iommu, Linux gives a device its group when a driver binds to it (the virtio-iommu itself never has one)",
                      remedy: "Bind the device to vfio-pci; it then joins a group if the ACPI VIOT table puts it behind the virtio-iommu.")
                return
            }
            v.add(.fail, "in no IOMMU group: the IOMMU does not translate for this device",
                  remedy: "Check that firmware lists the device under a DMAR/IVRS unit (some devices behind non-ACS bridges or RMRRs are excluded).")
            return
        }
        let others = group.devices.filter { $0 != d.address }
        let bridges = others.filter(pci.isPCIBridge)
        let bridgeSet = Set(bridges)
        let slot = d.slot
        let functions = others.filter { !bridgeSet.contains($0) && pci.busKey($0) != nil && pci.slot($0) == slot }
        let functionSet = Set(functions)
        let foreign = others.filter { !bridgeSet.contains($0) && !functionSet.contains($0) }
        let platform = functions.filter { [0x0600, 0x0601, 0x0580, 0x0c05].contains(pci.device($0)?.classValue ?? 0) }
        if !foreign.isEmpty {
            v.add(.fail, "IOMMU group \(number) also holds \(named(foreign) { describe($0, pci) }): they can only be assigned together, and the host loses them",
                  remedy: "Move the card to a slot behind a port with ACS (a CPU root port), or assign the whole group; pcie_acs_override only hides the problem.")
        } else if !platform.isEmpty {
            v.add(.warn, "IOMMU group \(number) holds only this device's functions, but \(named(platform) { describe($0, pci) }) are platform functions the host needs; all must be bound to vfio-pci together")
        } else {
            let with = functions.isEmpty ? "" : " with its other functions \(named(functions, separator: " ", short)) (assign them together)"
            let via = bridges.isEmpty ? "" : "; bridges \(named(bridges, separator: " ", short)) stay with the host"
            v.add(.pass, "IOMMU group \(number) is its own\(with)\(via)")
        }
        if let override = iommu.kernelSwitch("pcie_acs_override") {
            v.add(.warn, "groups come from \(override.text): isolation is assumed, not enforced by hardware")
        }
        if let type = group.type, type == "identity" {
            v.add(.pass, "group default domain is identity (iommu=pt); VFIO gives it a translated domain when assigned")
        }
    }

    /// ACS on every port above the device, and the PCIe-to-PCI bridge case: conventional PCI
    /// devices carry the bridge's requester ID, so the IOMMU cannot tell them apart.
    static func bridgeReasons(_ d: PCIDeviceFacts, iommu: IOMMUFacts, pci: PCIIndex, into v: inout VerdictBuilder) {
        let path = d.upstream.compactMap { pci.device($0) }
        let override = iommu.kernelSwitch("pcie_acs_override") != nil
        let ports = path.filter { ["root-port", "downstream-port"].contains($0.capabilities?.express?.portType ?? "") }
        var missing: [String] = [], unread: [String] = [], present: [String] = []
        // Bridges whose config space was cut short (non-root) may be ports too: ACS unread.
        for p in path where p.capabilities?.standardRead != true { unread.append(short(p.address)) }
        for p in ports {
            if p.capabilities?.extendedRead != true { unread.append(short(p.address)) }
            else if let acs = p.acs, acs.control.isolates { present.append(short(p.address)) }
            else { missing.append(short(p.address) + (p.acs.map { " (ACS \($0.control.text))" } ?? " (no ACS)")) }
        }
        if !missing.isEmpty {
            if override {
                v.add(.fail, "ports without working ACS above it: \(missing.joined(separator: ", ")); with pcie_acs_override, peer-to-peer DMA from devices below them reaches this device without passing the IOMMU")
            } else {
                v.add(.pass, "ports without working ACS above it: \(missing.joined(separator: ", ")); the kernel grouped everything below them together, so the group already reflects it")
            }
        }
        if !unread.isEmpty {
            v.add(override ? .unknown : .pass, "ACS of \(unread.joined(separator: " ")) not read (extended config space needs root)")
        }
        if !present.isEmpty { v.add(.pass, "ACS (SV RR CR UF) enabled on \(present.joined(separator: " "))") }

        if d.capabilities?.express == nil, d.capabilities?.standardRead == true,
           let bridge = path.last(where: { $0.capabilities?.express?.portType == "pcie-to-pci-bridge" }) {
            let behind = pci.devices.filter { $0.address != d.address && !$0.isPCIBridge && $0.upstream.contains(bridge.address) && $0.slot != d.slot }
            v.add(.warn, "conventional PCI device behind PCIe-to-PCI bridge \(short(bridge.address)): its DMA carries the bridge's requester ID, so every device behind the bridge can only be assigned together"
                  + (behind.isEmpty ? " (it is the only one there)" : " (\(named(behind.map(\.address), separator: " ", short)))"))
        }
    }

    static func resetReasons(_ d: PCIDeviceFacts, pci: PCIIndex, into v: inout VerdictBuilder) {
        guard let methods = d.resetMethods else {
            v.add(.unknown, "reset capability unknown: the kernel has no reset_method file and config space beyond 64 bytes needs root")
            return
        }
        let source = switch d.resetMethodsSource {
        case "sysfs": "reset_method"
        case "lspci": "derived from " + (d.capabilities?.lines?.filter { $0.contains("FLR") || $0.contains("NoSoftRst") }.joined(separator: "; ") ?? "lspci")
        default: "derived from config space"
        }
        let names = ["flr": "Function Level Reset", "af_flr": "Advanced Features FLR", "pm": "D3hot power-state reset",
                     "bus": "secondary bus reset", "cxl_bus": "CXL bus reset", "device_specific": "device-specific quirk",
                     "acpi": "ACPI _RST"]
        let text = methods.map { "\($0) (\(names[$0] ?? $0))" }.joined(separator: ", ")
        let bus = PCIDecoder.busKey(d.address)
        let onBus = bus.map(pci.devices(onBus:)) ?? pci.devices.filter { pci.busKey($0.address) == nil }
        let neighbours = onBus.filter { $0.slot != d.slot }
        if methods.isEmpty, let bridge = d.upstream.last, neighbours.isEmpty {
            // vfio-pci's hot reset: a secondary bus reset of the parent bridge, allowed when the
            // user owns every function on that bus (all of them are this device's functions).
            v.add(.pass, "reset: no per-function method (\(source)); VFIO resets the slot with a secondary bus reset through \(short(bridge)) when all its functions are assigned together")
        } else if methods.isEmpty {
            v.add(.warn, "no reset method (\(source)): device state can leak from one guest to the next and re-assignment may fail")
        } else if methods.allSatisfy({ $0 == "bus" || $0 == "cxl_bus" }) {
            v.add(neighbours.isEmpty ? .pass : .warn, "reset: \(text) (\(source)) resets every function on bus \(bus.map(short) ?? "?")"
                  + (neighbours.isEmpty ? "" : ", including \(named(neighbours.map(\.address), separator: " ", short))"))
        } else {
            v.add(.pass, "reset: \(text) (\(source))")
        }
    }

    static func interruptReasons(_ d: PCIDeviceFacts, iommu: IOMMUFacts, into v: inout VerdictBuilder) {
        let caps = d.capabilities
        switch (d.msi, d.msix) {
        case (_, true?):
            v.add(.pass, "MSI-X (\(vectors(caps?.msix?.tableSize ?? 0)))" + (d.msi == true ? " and MSI" : ""))
        case (true?, _):
            v.add(.pass, "MSI (\(vectors(caps?.msi?.vectors ?? 1)))")
        case (false?, false?):
            v.add(.warn, "INTx only: a shared line interrupt that VFIO must mask per interrupt (slower; fails if the line is shared with a host device)")
        default:
            v.add(.unknown, "MSI/MSI-X unknown: the capability list lies beyond the 64 bytes non-root can read")
        }
        guard iommu.enabled == true else { return }
        switch iommu.interruptRemapping {
        case true?: v.add(.pass, "interrupt remapping on")
        case false? where iommu.allowUnsafeInterrupts:
            v.add(.warn, "interrupt remapping off, assignment allowed by allow_unsafe_interrupts: the guest can inject interrupts into the host")
        case false? where iommu.vendor == IOMMUDecoder.virtio:
            v.add(.fail, "interrupt remapping off (\(virtioNoRemapping)): VFIO refuses assignment (unless allow_unsafe_interrupts, which gives up interrupt isolation)",
                  remedy: "Instead of the virtio-iommu, \(remappingVIOMMU).")
        case false?:
            v.add(.fail, "interrupt remapping off: VFIO refuses assignment (unless allow_unsafe_interrupts, which gives up interrupt isolation)",
                  remedy: "Enable interrupt remapping: remove intremap=off, enable VT-d/AMD-Vi with interrupt remapping and x2APIC in firmware.")
        case nil: v.add(.unknown, "whether interrupt remapping is on is unknown (/proc/interrupts unread)")
        }
    }

    /// Linux refuses to attach a device with an RMRR to a VM domain unless it is USB or graphics
    /// (`device_rmrr_is_relaxable`), because firmware keeps DMA-ing to that memory.
    static func rmrrReasons(_ d: PCIDeviceFacts, iommu: IOMMUFacts, into v: inout VerdictBuilder) {
        guard let dmar = iommu.dmar else { return }
        let mine = dmar.reservedMemory.filter { rmrr in
            rmrr.scopes.contains { scope in
                scope.path.count == 2 && domainNumber(d.address) == rmrr.segment
                    && d.address.hasSuffix(Hex.digits(scope.startBus, count: 2) + ":" + Hex.digits(scope.path[0], count: 2) + "." + String(scope.path[1], radix: 16))
            }
        }
        guard let rmrr = mine.first else { return }
        let relaxable = d.classValue.map { $0 == 0x0c03 || $0 >> 8 == 0x03 } ?? false
        if relaxable {
            v.add(.warn, "firmware reserves memory for it (RMRR \(rmrr.base)-\(rmrr.limit)); allowed because it is USB or graphics, but firmware may still DMA there")
        } else {
            v.add(.fail, "firmware reserves memory for it (RMRR \(rmrr.base)-\(rmrr.limit)): Linux refuses to assign devices with an RMRR",
                  remedy: "Look for a firmware option that drops the RMRR (often tied to legacy USB or management features), or use another device.")
        }
    }

    // MARK: helpers

    static func vectors(_ n: Int) -> String { n == 1 ? "1 vector" : "\(n) vectors" }

    /// Devices a reason names. Real groups and buses hold a handful; one of thousands (a hostile
    /// capture, or SR-IOV behind a port without ACS) is named by its first `maxNamed` and a
    /// count, so each of its devices' reasons stays one line, not a list of all the others
    /// (which made the report grow with the square of the group). Only those named are described.
    static let maxNamed = 16

    static func named(_ addresses: [String], separator: String = ", ", _ name: (String) -> String = { $0 }) -> String {
        let listed = addresses.prefix(maxNamed).map(name).joined(separator: separator)
        return addresses.count > maxNamed ? listed + "\(separator)and \(addresses.count - maxNamed) more" : listed
    }

    static func domainNumber(_ address: String) -> Int? { address.split(ascii: ":").first.flatMap { Int($0, radix: 16) } }

    static func slot(_ address: String) -> String { address.split(ascii: ".").first.map(String.init) ?? address }

    /// `0000:01:00.0` → `01:00.0` (domain 0 is left out, as lspci does).
    public static func short(_ address: String) -> String {
        address.hasPrefix("0000:") ? String(address.dropFirst(5)) : address
    }

    static func describe(_ address: String, _ pci: PCIIndex) -> String {
        guard let d = pci.device(address) else { return short(address) }
        return short(address) + (d.className.map { " (\($0))" } ?? "")
    }
}

import HostModel

/// Control domains: an OS that a hypervisor runs beneath as its management partition. Such an
/// OS sees no VT-x/AMD-V (the hypervisor beneath owns it), yet VMs run there - through that
/// hypervisor's own interfaces, not through a second one. Two are recognised from their own
/// evidence: the Windows Hyper-V root partition (CPUID 40000003h EBX[0] CreatePartitions,
/// Hyper-V TLFS "Partition Privilege Flags") and Xen's dom0 (/proc/xen/capabilities
/// `control_d`, with Xen's HVM ability from /sys/hypervisor/properties/capabilities).
/// Profiles name these rules as `via` alternatives to VT-x/AMD-V (Data/rules/profiles.yaml).
enum ControlDomainRules {
    static func findings(_ c: RuleContext) -> [Finding] {
        [hyperVRoot(c), xenDom0(c)]
    }

    static func hyperVRoot(_ c: RuleContext) -> Finding {
        let id = "host.hyperv-root", h = c.facts.hypervisor
        let ev = [c.hypervisorEvidence]
        guard h.signature == HyperVPartition.signature else {
            if h.signature == nil, h.name?.contains("Microsoft") == true {
                // lscpu's "Hypervisor vendor: Microsoft" without CPUID: root or guest is unknown.
                return c.finding(id, .unknown, "Hyper-V runs beneath this OS (lscpu), but no CPUID was read: root partition or guest is unknown.",
                                 evidence: ev, remedy: "no-leaf")
            }
            let summary = !h.present ? "No hypervisor runs beneath this OS."
                : h.signature == nil ? "No Hyper-V signature was read (only the hypervisor flag)." : "The hypervisor is not Hyper-V (\(c.hypervisorName))."
            return c.finding(id, .notApplicable, summary, evidence: ev)
        }
        switch h.hyperVRootPartition {
        case true?:
            return c.finding(id, .pass, """
                This OS is the Hyper-V root partition (CPUID 40000003h EBX[0] CreatePartitions = 1): Hyper-V runs VMs here, and \
                VMware Workstation 15.5.5+ and VirtualBox 6.0+ run theirs through the Windows Hypervisor Platform (WHP) API; \
                hypervisors that need VT-x/AMD-V themselves (KVM, bhyve, Xen, Parallels) cannot, since Hyper-V holds it.
                """, evidence: ev)
        case false?:
            return c.finding(id, .notApplicable, "A Hyper-V guest partition (CreatePartitions clear), not the root: VMs here need nested virtualization.",
                             evidence: ev)
        case nil:
            return c.finding(id, .unknown, "Hyper-V runs beneath this OS, but CPUID leaf 40000003h was not read: root partition or guest is unknown.",
                             evidence: ev, remedy: "no-leaf")
        }
    }

    static func xenDom0(_ c: RuleContext) -> Finding {
        let id = "host.xen-dom0", xen = c.facts.xen
        var ev = [c.hypervisorEvidence]
        if let type = xen?.hypervisorType { ev.append(EvidenceItem(source: "/sys/hypervisor/type", detail: type)) }
        if let guestType = xen?.guestType { ev.append(EvidenceItem(source: "/sys/hypervisor/guest_type", detail: guestType)) }
        if let control = xen?.controlDomain {
            let lscpu = xen?.controlDomainSource == "lscpu"
            ev.append(EvidenceItem(source: xen?.controlDomainSource ?? "/proc/xen/capabilities",
                                   detail: lscpu ? "Hypervisor vendor Xen, Virtualization type \(control ? "none (dom0)" : "para/full (guest)")"
                                       : control ? "control_d" : "no control_d"))
        }
        if let caps = xen?.capabilities {
            ev.append(EvidenceItem(source: "/sys/hypervisor/properties/capabilities", detail: caps.joined(separator: " ")))
        }
        let xenBeneath = c.facts.hypervisor.signature == "XenVMMXenVMM" || xen?.hypervisorType == "xen" || c.facts.hypervisor.name == "Xen"
        switch xen?.controlDomain {
        case true?:
            guard let hvm = xen?.hvmCapabilities else {
                return c.finding(id, .unknown, "This OS is Xen's control domain (dom0), but Xen's capabilities were not read: whether Xen can run HVM guests is unknown.",
                                 evidence: ev, remedy: "no-capabilities")
            }
            guard !hvm.isEmpty else {
                return c.finding(id, .fail, "This OS is Xen's control domain (dom0), and Xen reports no HVM guest types: it runs PV guests only (VT-x/AMD-V absent or disabled beneath Xen).",
                                 evidence: ev, remedy: "no-hvm")
            }
            return c.finding(id, .pass, """
                This OS is Xen's control domain (dom0) and Xen reports HVM support (\(hvm.joined(separator: " "))): HVM and PVH \
                guests run through Xen (xl, libvirt's xen driver); KVM, VirtualBox and VMware cannot run here, since Xen holds VT-x/AMD-V.
                """, evidence: ev)
        case false?:
            return c.finding(id, .notApplicable, "A Xen guest domain (domU), not the control domain.", evidence: ev)
        case nil:
            guard xenBeneath else {
                return c.finding(id, .notApplicable, "Xen does not run beneath this OS.", evidence: ev)
            }
            if xen?.guestType == "HVM" {
                return c.finding(id, .notApplicable, "A Xen HVM guest: the control domain is never an HVM guest.", evidence: ev)
            }
            return c.finding(id, .unknown, "Xen runs beneath this OS, but /proc/xen/capabilities was not read: control domain (dom0) or guest is unknown.",
                             evidence: ev, remedy: c.fromHost ? "no-xenfs" : "offline")
        }
    }
}

/// What each capability in the report means for someone running VMs, keyed by its JSON name.
/// The HTML report shows these beside the values; a capability without an entry still shows.
enum CapabilityGlossary {
    static let vmx: [String: String] = [
        "source": "Where these capabilities were read: the IA32_VMX_* MSRs (complete), cpuinfo's `vmx flags` (what Linux decoded), or nothing.",
        "basic": "IA32_VMX_BASIC: VMCS revision and size, memory type, and whether the TRUE_* control MSRs apply.",
        "feature_control": "IA32_FEATURE_CONTROL: firmware's lock. Locked with VMX outside SMX off means VT-x is disabled in the BIOS.",
        "ept": "Extended Page Tables: the CPU walks guest page tables itself; without it the hypervisor must shadow them (much slower).",
        "vpid": "Virtual-processor IDs tag TLB entries per guest, so VM entries and exits need not flush the TLB.",
        "unrestricted_guest": "Guests may run real mode and unpaged protected mode directly; needed to boot most OSes without emulation.",
        "vmcs_shadowing": "A nested hypervisor's VMREAD/VMWRITE run without exits: faster nested virtualization.",
        "posted_interrupts": "Interrupts for a running guest are delivered without a VM exit (APICv).",
        "apic_register_virtualization": "Guest reads of APIC registers are served from the virtual APIC page without exits (APICv).",
        "virtual_interrupt_delivery": "The CPU evaluates and delivers virtual interrupts itself (APICv).",
        "pml": "Page-modification logging: dirty pages are logged by the CPU, which speeds live migration.",
        "ept_5level": "EPT with five-level paging: guests with 57-bit physical address space.",
        "ept_accessed_dirty": "EPT accessed and dirty bits: the hypervisor can track guest memory use without write-protecting it.",
        "mbec": "Mode-based execute control: separate execute permission for guest user and supervisor code (used by Windows VBS/HVCI).",
        "tsc_scaling": "The guest's TSC runs at its own rate: VMs can migrate between hosts of different frequencies.",
        "preemption_timer": "A timer that forces a VM exit after a set time: lets the hypervisor bound how long a guest runs.",
        "vmfunc": "VM functions (EPTP switching): a guest changes EPT view without an exit.",
        "tertiary_controls": "The tertiary processor-based controls exist (IPI virtualization and later features).",
        "locked": "The MSR is locked until reset: the OS cannot change VT-x enablement.",
        "vmx_outside_smx": "VT-x may be used outside SMX (the normal case). Off with the lock set: disabled in firmware.",
        "vmx_inside_smx": "VT-x may be used inside SMX (measured launch, TXT).",
        "true_controls": "The TRUE_* control MSRs report which default-1 controls may be cleared.",
        "revision_id": "VMCS revision the CPU expects in each VMCS region.",
        "vmcs_size": "Bytes of memory a VMCS region needs.",
        "memory_type": "Memory type for VMCS access (6 = write-back).",
    ]

    static let svm: [String: String] = [
        "revision": "SVM revision (CPUID 8000000Ah EAX).",
        "nasid": "Number of address-space IDs: how many guests can keep TLB entries at once.",
        "nested_paging": "Nested Page Tables (RVI): the CPU walks guest page tables; without it the hypervisor must shadow them.",
        "lbr_virt": "Last-branch-record virtualization: guests can use LBR profiling.",
        "svm_lock": "SVM lock: firmware can lock SVM enablement (VM_CR.LOCK).",
        "nrip_save": "The next instruction pointer is saved on exits: faster instruction emulation.",
        "tsc_rate_msr": "The guest's TSC rate can be set: migration between hosts of different frequencies.",
        "vmcb_clean": "VMCB clean bits: unchanged guest state is not reloaded on each VMRUN.",
        "flush_by_asid": "TLB flushes per ASID instead of whole flushes.",
        "decode_assists": "The CPU decodes intercepted instructions for the hypervisor.",
        "pause_filter": "Pause-loop exiting: a spinning guest vCPU yields to others.",
        "pause_filter_threshold": "A threshold for pause-loop exiting.",
        "avic": "AMD virtual interrupt controller: interrupts delivered to running guests without exits.",
        "x2avic": "AVIC in x2APIC mode: guests with more than 255 vCPUs keep AVIC.",
        "vmsave_virt": "VMSAVE/VMLOAD run in the guest without exits (nested virtualization).",
        "vgif": "Virtual global interrupt flag: faster nested virtualization.",
        "disabled_by_bios": "VM_CR.SVMDIS: firmware disabled SVM (null: the MSR could not be read).",
        "vmcr_locked": "VM_CR.LOCK: the SVM disable bit cannot be changed until reset.",
    ]

    static let sev: [String: String] = [
        "sme": "Secure Memory Encryption: the host can encrypt its own memory.",
        "sev": "Secure Encrypted Virtualization: guest memory encrypted with a per-guest key.",
        "sev_es": "SEV-ES: guest register state encrypted too.",
        "sev_snp": "SEV-SNP: integrity protection against a malicious hypervisor; needed for confidential VMs with attestation.",
        "vmpl_supported": "VM permission levels inside an SNP guest (e.g. a paravisor).",
        "cbit_position": "Page-table bit that marks a page encrypted.",
        "encrypted_guests": "How many encrypted guests can run at once.",
        "min_sev_asid": "Lowest ASID usable by plain SEV (lower ones are reserved for SEV-ES/SNP).",
    ]

    static let profiles: [String: String] = [
        "vm-host": "VMs with hardware or software acceleration (KVM-class), proven by running a guest.",
        "kvm": "Linux KVM: /dev/kvm, its API and a guest run.",
        "xen-hvm": "Xen HVM guests (needs VT-x/AMD-V).",
        "vmware": "VMware Workstation/ESXi-class hypervisors.",
        "virtualbox": "Oracle VirtualBox with hardware acceleration.",
        "hyper-v": "Microsoft Hyper-V (needs EPT/NPT and unrestricted guest).",
        "bhyve": "FreeBSD bhyve (needs EPT/NPT and unrestricted guest).",
        "parallels": "Parallels Desktop/Server.",
        "qemu-tcg": "Pure emulation: always possible, only slow.",
        "nested": "This host can give its own guests VT-x/AMD-V.",
        "vfio": "PCI device passthrough to guests (IOMMU, interrupt remapping, clean groups).",
        "sev-snp": "AMD SEV-SNP confidential VMs.",
        "tdx": "Intel TDX confidential VMs.",
    ]
}

/// /dev/kvm as decoded: which backend provides it, whether guests can nest, and the run.
public struct KVMFacts: Codable, Sendable, Hashable {
    public struct Device: Codable, Sendable, Hashable {
        public var present: Bool?
        public var accessible: Bool?

        public init(present: Bool?, accessible: Bool?) {
            self.present = present
            self.accessible = accessible
        }
    }

    public struct Nested: Codable, Sendable, Hashable {
        /// The backend module's `nested` parameter.
        public var enabled: Bool?
        /// KVM_GET_SUPPORTED_CPUID offers VMX / SVM to guests.
        public var vmx: Bool?
        public var svm: Bool?

        public init(enabled: Bool?, vmx: Bool?, svm: Bool?) {
            self.enabled = enabled
            self.vmx = vmx
            self.svm = svm
        }
    }

    public var device: Device
    public var apiVersion: Int?
    /// `kvm_intel`, `kvm_amd`, `kvm_pvm`, ... (the loaded module that registers with kvm).
    public var backend: String?
    public var nested: Nested
    public var capabilities: [String: Int]
    public var guestRun: GuestRunEvidence?
    /// Why virtcheck itself could not open /dev/kvm (`DeviceNodeEvidence.ownLimit`), if so.
    public var openOwnLimit: String?

    public init(device: Device, apiVersion: Int?, backend: String?, nested: Nested, capabilities: [String: Int],
                guestRun: GuestRunEvidence?, openOwnLimit: String? = nil) {
        self.openOwnLimit = openOwnLimit
        self.device = device
        self.apiVersion = apiVersion
        self.backend = backend
        self.nested = nested
        self.capabilities = capabilities
        self.guestRun = guestRun
    }
}

import FoundationEssentials
import Glibc
import HostModel
import VirtCheckData

/// Reads /dev/kvm: the node and who may open it, the API version, the capabilities listed in
/// `Data/tables/kvm_capabilities.tsv`, the CPUID KVM can give guests, and (on request) the proof
/// by execution. Read-only: it never loads a module. Offline (`root.isLive == false`) it reports
/// only what the tree shows and issues no ioctl.
public enum KVMProbe {
    public static let devicePath = "/dev/kvm"

    /// `guestRun` is the proof by execution, started by the caller before its other probes so the
    /// child runs beside them; it is collected here, last, and kept unless this user was refused
    /// /dev/kvm (there it proves nothing, and the findings say why). Where virtcheck itself could
    /// not open the device (`accessible` nil: out of descriptors or memory) the child's own
    /// answer still counts. So does its supported CPUID, which it asked the same kernel for its
    /// guests (`GuestRunSupervisor.supportedCpuidFlag`); it is asked here, of the device opened
    /// here (kept open for it: no second open to fail), only when the child gave none.
    public static func probe(root: HostRoot, guestRun: BackgroundGuestRun? = nil) -> KVMEvidence {
        var (evidence, device) = self.device(root: root, asksSupportedCpuid: guestRun == nil)
        guard let execution = guestRun?.wait() else { return evidence }
        let opened = evidence.device.accessible == true || evidence.device.ownLimit != nil
        guard opened else { return evidence }
        evidence.guestRun = execution.guestRun
        if let leaves = execution.supportedCpuid {
            evidence.supportedCpuid = leaves
        } else if let device {
            do throws(KVMError) { evidence.supportedCpuid = try device.supportedCpuid() } catch {
                evidence.detail = [evidence.detail, error.description].compactMap { $0 }.joined(separator: "; ")
            }
        }
        return evidence
    }

    /// Everything but the guest run: the node, API, capabilities and, unless a guest run will
    /// give it, the supported CPUID; and the device, where it opened.
    static func device(root: HostRoot, asksSupportedCpuid: Bool = true) -> (KVMEvidence, KVMDevice?) {
        var node = deviceNode(root: root)
        guard node.present, root.isLive else { return (KVMEvidence(device: node), nil) }

        let device: KVMDevice
        do throws(KVMError) {
            device = try KVMDevice(path: devicePath)
            node.accessible = true
        } catch {
            // Out of descriptors or memory says nothing about who may open /dev/kvm.
            node.accessible = error.isOwnLimit ? nil : false
            node.detail = HostRoot.describe(errno: error.errno)
            node.ownLimit = error.isOwnLimit ? error.ownLimitDescription : nil
            return (KVMEvidence(device: node, detail: error.description), nil)
        }
        var problems: [String] = []
        var evidence = KVMEvidence(device: node)
        do throws(KVMError) { evidence.apiVersion = try device.apiVersion() } catch { problems.append(error.description) }
        for row in DataTables.kvmCapabilities.rows {
            guard let name = row["name"], let number = row["number"].flatMap({ Int($0) }) else { continue }
            do throws(KVMError) {
                evidence.capabilities.append(KVMCapability(name: name, number: number, value: try device.checkExtension(number)))
            } catch {
                problems.append("\(name): \(error)")
            }
        }
        if asksSupportedCpuid {
            do throws(KVMError) { evidence.supportedCpuid = try device.supportedCpuid() } catch { problems.append(error.description) }
        }
        evidence.detail = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return (evidence, device)
    }

    /// The node as stat(2) shows it under the root, with the group named from the root's
    /// /etc/group; `accessible` is left nil (only a live open can answer it).
    static func deviceNode(root: HostRoot) -> DeviceNodeEvidence {
        let st: stat
        switch root.fileStatus(devicePath) {
        case .success(let status): st = status
        case .failure(let f):
            var node = DeviceNodeEvidence(path: devicePath, present: false, detail: f.detail)
            // Out of descriptors or memory, virtcheck cannot even look: that says nothing of KVM.
            if let err = f.errno, KVMError.ownLimitErrnos.contains(err) {
                node.ownLimit = "stat \(devicePath): \(f.detail): \(KVMError.remedy(errno: err))"
            }
            return node
        }
        let permissions = String(st.st_mode & 0o7777, radix: 8)
        var node = DeviceNodeEvidence(path: devicePath, present: true,
                                      mode: String(repeating: "0", count: max(0, 4 - permissions.count)) + permissions,
                                      ownerUid: st.st_uid, groupGid: st.st_gid,
                                      groupName: groupName(gid: st.st_gid, root: root))
        if st.st_mode & S_IFMT != S_IFCHR { node.detail = "not a character device" }
        return node
    }

    /// The name of `gid` in the root's /etc/group (`name:password:gid:members`), if listed.
    /// Split by UTF-8 bytes (`split(ascii:)`): splitting the file's Characters was 0.66 M
    /// instructions of a check for a 56-line file (callgrind, issue 16).
    static func groupName(gid: gid_t, root: HostRoot) -> String? {
        guard let text = root.readText("/etc/group", limit: 1 << 20).text else { return nil }
        for line in text.split(ascii: "\n") {
            let fields = line.utf8.split(separator: UInt8(ascii: ":"), maxSplits: 3, omittingEmptySubsequences: false)
            if fields.count >= 3, UInt32(Substring(fields[2])) == gid { return String(Substring(fields[0])) }
        }
        return nil
    }
}

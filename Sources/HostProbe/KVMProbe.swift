import Foundation
import HostModel

/// Reads /dev/kvm: the node, and whether this user may open it.
public enum KVMProbe {
    public static func probe(root: HostRoot, runGuest: Bool) -> KVMEvidence {
        let path = "/dev/kvm"
        var st = stat()
        guard stat(root.rooted(path), &st) == 0 else {
            return KVMEvidence(device: DeviceNodeEvidence(path: path, present: false, detail: HostRoot.describe(errno: errno)))
        }
        var node = DeviceNodeEvidence(path: path, present: true, mode: String(st.st_mode & 0o7777, radix: 8),
                                      ownerUid: st.st_uid, groupGid: st.st_gid)
        if root.isLive {
            let fd = open(path, O_RDWR | O_CLOEXEC)
            node.accessible = fd >= 0
            if fd >= 0 { close(fd) } else { node.detail = HostRoot.describe(errno: errno) }
        }
        return KVMEvidence(device: node)
    }
}

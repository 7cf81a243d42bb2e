/*
 * The lab's own proof that a device can be handed to a VM: open the VFIO container and the
 * device's group /dev/vfio/N, ask VFIO_GROUP_GET_STATUS whether the group is viable (every device
 * in it bound to vfio-pci or no driver), attach it to a type-1 IOMMU container and open the device.
 *   vfiogroup GROUP PCI-ADDRESS
 * Output: `TRUTH vfio_...` lines for lab/check.py; exit 0 when the device fd opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: vfiogroup GROUP PCI-ADDRESS\n"); return 2; }
    char path[64];
    snprintf(path, sizeof path, "/dev/vfio/%s", argv[1]);
    int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (container < 0) { printf("TRUTH vfio_container=%s\n", strerror(errno)); return 1; }
    printf("TRUTH vfio_api=%d\n", ioctl(container, VFIO_GET_API_VERSION));
    int group = open(path, O_RDWR | O_CLOEXEC);
    if (group < 0) { printf("TRUTH vfio_group_open=%s\n", strerror(errno)); return 1; }
    struct vfio_group_status status = { .argsz = sizeof status };
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0) { printf("TRUTH vfio_group_status=%s\n", strerror(errno)); return 1; }
    int viable = (status.flags & VFIO_GROUP_FLAGS_VIABLE) != 0;
    printf("TRUTH vfio_group_viable=%d\n", viable);
    if (!viable) return 1;
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) { printf("TRUTH vfio_set_container=%s\n", strerror(errno)); return 1; }
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) {
        printf("TRUTH vfio_set_iommu=%s\n", strerror(errno)); return 1;
    }
    int device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
    if (device < 0) { printf("TRUTH vfio_device_open=%s\n", strerror(errno)); return 1; }
    struct vfio_device_info info = { .argsz = sizeof info };
    ioctl(device, VFIO_DEVICE_GET_INFO, &info);
    printf("TRUTH vfio_device_open=ok regions=%u irqs=%u reset=%d\n", info.num_regions, info.num_irqs,
           (info.flags & VFIO_DEVICE_FLAGS_RESET) != 0);
    return 0;
}

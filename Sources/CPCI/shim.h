#ifndef VIRTCHECK_CPCI_SHIM_H
#define VIRTCHECK_CPCI_SHIM_H
#include <pci/pci.h>

/* pci_lookup_name is variadic, which Swift cannot call: one fixed-arity wrapper per
   argument count (vendor: 1 argument; device: vendor and device; class: the class). */
static inline char *virtcheck_pci_lookup1(struct pci_access *a, char *buf, int size, int flags, int arg) {
    return pci_lookup_name(a, buf, size, flags, arg);
}

static inline char *virtcheck_pci_lookup2(struct pci_access *a, char *buf, int size, int flags, int arg1, int arg2) {
    return pci_lookup_name(a, buf, size, flags, arg1, arg2);
}

/* pci_alloc leaves the message callbacks NULL (pci_init would set them, but it also probes an
   access method and exits when none works). Name lookups only report through them when pci.ids
   is malformed, so messages are dropped and the lookup returns no name. The callbacks are
   variadic, which Swift cannot define, hence C. */
static void virtcheck_pci_drop_message(char *msg, ...) { (void)msg; }

static inline void virtcheck_pci_quiet(struct pci_access *a) {
    a->error = virtcheck_pci_drop_message;
    a->warning = virtcheck_pci_drop_message;
    a->debug = virtcheck_pci_drop_message;
}
#endif

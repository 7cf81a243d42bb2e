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
#endif

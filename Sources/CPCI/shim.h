#ifndef VIRTCHECK_CPCI_SHIM_H
#define VIRTCHECK_CPCI_SHIM_H
#include <pci/pci.h>
#endif

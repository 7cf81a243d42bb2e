#define _GNU_SOURCE
#include "CShims.h"
#include <dlfcn.h>
#include <pthread.h>
#include <pci/pci.h>

/* libpci, loaded when names are first wanted (dlopen) rather than by the dynamic loader at every
   start: it serves only pci.ids's location and compressed-database lookups, and mapping it with
   libz and libudev cost each process 0.15 ms, `check --from` and the guest-run child included
   (issue 16). Where it cannot be loaded, vc_pci_open returns NULL and functions go unnamed. */
static struct {
    struct pci_access *(*alloc)(void);
    void (*cleanup)(struct pci_access *);
    char *(*lookup_name)(struct pci_access *, char *, int, int, ...);
} vc_pci;
static pthread_once_t vc_pci_once = PTHREAD_ONCE_INIT;
static int vc_pci_loaded;

static void vc_pci_load(void) {
    void *lib = dlopen("libpci.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    vc_pci.alloc = (struct pci_access *(*)(void))dlsym(lib, "pci_alloc");
    vc_pci.cleanup = (void (*)(struct pci_access *))dlsym(lib, "pci_cleanup");
    vc_pci.lookup_name = (char *(*)(struct pci_access *, char *, int, int, ...))dlsym(lib, "pci_lookup_name");
    vc_pci_loaded = vc_pci.alloc && vc_pci.cleanup && vc_pci.lookup_name;
}

/* pci_alloc leaves the message callbacks NULL (pci_init would set them, but it also probes an
   access method and exits when none works). Name lookups only report through them when pci.ids
   is malformed, so messages are dropped and the lookup returns no name. The callbacks are
   variadic, which Swift cannot define, hence C. */
static void vc_pci_drop_message(char *msg, ...) { (void)msg; }

struct pci_access *vc_pci_open(void) {
    pthread_once(&vc_pci_once, vc_pci_load);
    if (!vc_pci_loaded) return NULL;
    struct pci_access *a = vc_pci.alloc();
    if (!a) return NULL;
    /* libpci declares the error callback noreturn; the lookups that call it (a malformed pci.ids)
       then return no name, which is what virtcheck wants (names are optional evidence). */
    a->error = (__typeof__(a->error))vc_pci_drop_message;
    a->warning = vc_pci_drop_message;
    a->debug = vc_pci_drop_message;
    /* Local pci.ids only: no DNS lookups and no ~/.pciids-cache, which would make names depend
       on who runs the tool rather than on the database. */
    a->id_lookup_mode = 0;
    return a;
}

const char *vc_pci_id_file(struct pci_access *a) { return a->id_file_name; }

void vc_pci_close(struct pci_access *a) { vc_pci.cleanup(a); }

/* pci_lookup_name is variadic, which Swift cannot call: one fixed-arity wrapper per lookup.
   NO_NUMBERS: NULL rather than "Device 0d57" when unnamed; NO_HWDB: pci.ids only, not udev's copy. */
static const int vc_pci_flags = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;

char *vc_pci_vendor_name(struct pci_access *a, char *buf, int size, int vendor) {
    return vc_pci.lookup_name(a, buf, size, PCI_LOOKUP_VENDOR | vc_pci_flags, vendor);
}

char *vc_pci_device_name(struct pci_access *a, char *buf, int size, int vendor, int device) {
    return vc_pci.lookup_name(a, buf, size, PCI_LOOKUP_DEVICE | vc_pci_flags, vendor, device);
}

char *vc_pci_class_name(struct pci_access *a, char *buf, int size, int class_code) {
    return vc_pci.lookup_name(a, buf, size, PCI_LOOKUP_CLASS | vc_pci_flags, class_code);
}

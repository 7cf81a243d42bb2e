/// The shared test helpers (VirtCheckBinary, Tool) for every file of this target.
@_exported import VirtCheckTestSupport

/// How many processor cores the host has, as far as the input tells: cores per package from
/// CPUID, lscpu or cpuinfo, and the number of packages (sockets) where lscpu or cpuinfo give it.
/// A CPUID dump of one logical CPU says nothing about sockets, so `packages` stays nil there.
public struct CoreCount: Codable, Sendable, Hashable {
    public var coresPerPackage: Int
    /// Sockets, where the input lists them (lscpu `Socket(s)`, cpuinfo's distinct `physical id`).
    public var packages: Int?
    /// Where the counts come from, for the finding's evidence (`lscpu: Core(s) per socket 1, Socket(s) 1`).
    public var source: String
    public var detail: String

    public init(coresPerPackage: Int, packages: Int?, source: String, detail: String) {
        self.coresPerPackage = coresPerPackage
        self.packages = packages
        self.source = source
        self.detail = detail
    }

    /// All cores of the host; nil when the number of packages is not known.
    public var total: Int? { packages.map { $0 * coresPerPackage } }
}

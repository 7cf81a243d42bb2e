import Foundation
import HostModel
import Testing

/// The report JSON takes its keys from `convertToSnakeCase`; `ept5level` must come out as the
/// contract's `ept_5level`, and decoded facts must survive a snapshot round trip unchanged.
@Suite struct VMXFactsCodingTests {
    @Test func snakeCaseKeysAndRoundTrip() throws {
        let facts = try #require(try VMXFixture.load("GenuineIntel00806F8_SapphireRapids_05_CPUID").facts)
        let data = try SnapshotCoding.encoder().encode(facts)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["ept", "vpid", "unrestricted_guest", "vmcs_shadowing", "posted_interrupts",
                    "apic_register_virtualization", "virtual_interrupt_delivery", "pml", "ept_5level",
                    "ept_accessed_dirty", "mbec", "tsc_scaling", "preemption_timer", "vmfunc", "tertiary_controls",
                    "basic", "source", "controls", "ept_vpid_capabilities", "misc", "fixed_bits", "vmcs_highest_index"] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect(object["ept_5level"] as? Bool == true)
        let cap = try #require(object["ept_vpid_capabilities"] as? [String: Any])
        #expect(cap["page_walk5"] as? Bool == true && cap["pages1g"] as? Bool == true)

        let decoded = try SnapshotCoding.decode(VMXFacts.self, from: SnapshotCoding.encoder().encode(facts))
        #expect(decoded.ept5level == true)
        #expect(decoded == facts)
    }
}

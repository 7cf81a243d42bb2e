/// Where things live in a test guest's 2 MiB of RAM (guest-physical; identity-mapped in long mode
/// except for `aliasVirtual`), and the long-mode start state. One definition for both sides of
/// the differential run: HostProbe's runner builds the real KVM guest from it and the Emulator's
/// x86 interpreter predicts from it, so the two can never start from different numbers.
public enum GuestMemoryLayout {
    public static let memorySize = 0x20_0000
    public static let pml4 = 0x1000
    public static let pdpt = 0x2000
    public static let pageDirectory = 0x3000
    public static let pageTable = 0x4000
    public static let stackTop = 0x7000
    public static let entry = 0x8000
    /// The physical page the long-mode guest's result lands in.
    public static let resultPhysical = 0x9000
    /// The bytes of the result page the differential run compares.
    public static let resultWindow = resultPhysical..<(resultPhysical + 0x100)
    /// A virtual page that the page table maps to `resultPhysical`, not to itself; guest-physical
    /// 0x1F0000 stays untouched if and only if the CPU translated through our tables.
    public static let aliasVirtual = 0x1F_0000

    /// Long mode: CR0 = PG | ET | PE, CR4 = PAE, EFER = LMA | LME, CS 0x08 (64-bit code), data 0x10.
    public static let longModeCR0: UInt64 = 1 << 31 | 1 << 4 | 1
    public static let longModeCR4: UInt64 = 1 << 5
    public static let longModeEFER: UInt64 = 1 << 10 | 1 << 8
    public static let codeSelector: UInt16 = 0x08
    public static let dataSelector: UInt16 = 0x10

    /// PML4[0] → PDPT[0] → PD[0] → one page table of 4 KiB pages mapping the first 2 MiB to
    /// itself, except `aliasVirtual`, which maps to `resultPhysical`: every quadword to write,
    /// as (guest-physical address, value).
    public static var pageTableEntries: [(address: Int, value: UInt64)] {
        let presentWritable: UInt64 = 0x3
        var entries: [(address: Int, value: UInt64)] = [
            (pml4, UInt64(pdpt) | presentWritable),
            (pdpt, UInt64(pageDirectory) | presentWritable),
            (pageDirectory, UInt64(pageTable) | presentWritable),
        ]
        for page in 0..<512 {
            let virtual = page << 12
            let physical = virtual == aliasVirtual ? resultPhysical : virtual
            entries.append((pageTable + 8 * page, UInt64(physical) | presentWritable))
        }
        return entries
    }
}

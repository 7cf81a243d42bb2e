/// Zero-padded lowercase hex, as PCI addresses and IDs are written (`01`, `10de`).
func hexDigits(_ value: Int, _ width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

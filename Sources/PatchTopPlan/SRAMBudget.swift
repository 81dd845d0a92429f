/// The SRAM the memory chart's budget line stands for: a board preset
/// (`STM32F746`, 320 KiB) or a size given with `--sram` (named "SRAM").
///
/// The sizes are the SRAM a model's activations can use in one contiguous
/// region on each part, the figure TinyML papers quote: STM32H743's 512 KiB
/// AXI SRAM (not its 1 MiB total), ESP32-S3's 512 KiB internal SRAM.
public struct SRAMBudget: Equatable, Hashable, Sendable {
    public var name: String
    public var bytes: Int

    public init(name: String, bytes: Int) {
        self.name = name
        self.bytes = bytes
    }

    /// Boards that `--board` accepts and `b` cycles through, smallest first.
    public static let boards: [SRAMBudget] = [
        SRAMBudget(name: "nRF52840", bytes: 256 * 1024),
        SRAMBudget(name: "STM32F412", bytes: 256 * 1024),
        SRAMBudget(name: "RP2040", bytes: 264 * 1024),
        SRAMBudget(name: "STM32F746", bytes: 320 * 1024),
        SRAMBudget(name: "STM32H743", bytes: 512 * 1024),
        SRAMBudget(name: "ESP32-S3", bytes: 512 * 1024),
    ]

    /// The preset called `name`, ignoring case: `stm32f746` finds STM32F746.
    public static func board(named name: String) -> SRAMBudget? {
        boards.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The error for an unknown `--board`, listing every valid name.
    public static func unknownBoardMessage(_ name: String) -> String {
        "--board \"\(name)\" is not one of \(boards.map(\.name).joined(separator: ", "))"
    }

    /// The budget after this one when cycling with `b` (`forward`) or `B`:
    /// the boards in order, then no budget, then the first board again.
    /// A custom `--sram` size leaves the cycle at its start.
    public static func cycle(from current: SRAMBudget?, forward: Bool) -> SRAMBudget? {
        let ring: [SRAMBudget?] = [nil] + boards.map { Optional($0) }
        guard let current, let index = ring.firstIndex(of: current) else {
            return forward ? boards.first : boards.last
        }
        let next = (index + (forward ? 1 : ring.count - 1)) % ring.count
        return ring[next]
    }
}

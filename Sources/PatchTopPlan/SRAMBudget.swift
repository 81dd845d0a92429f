/// The SRAM the memory chart's budget line stands for: a board preset
/// (`STM32F746`, 320 KiB) or a size given with `--sram` (named "SRAM").
///
/// The sizes are the SRAM a model's activations can use in one contiguous
/// region on each part, the figure TinyML papers quote: STM32H743's 512 KiB
/// AXI SRAM (not its 1 MiB total), ESP32-S3's 512 KiB internal SRAM.
///
/// A board also names its processor and clock, for predicted time: the
/// Cortex-M4/M7 boards map to a core the firmware export builds for
/// (`cortex`); RP2040 (Cortex-M0+) and ESP32-S3 (Xtensa) have none, and
/// say so.
public struct SRAMBudget: Equatable, Hashable, Sendable {
    public var name: String
    public var bytes: Int
    /// The processor, as its maker names it (`Cortex-M7`, `Xtensa LX7`).
    public var processor: String?
    /// The export's core for that processor; `nil` when it has none.
    public var cortex: CortexCore?
    /// The core's clock on the board.
    public var clockHz: Int?

    public init(name: String, bytes: Int, processor: String? = nil, cortex: CortexCore? = nil, clockHz: Int? = nil) {
        self.name = name
        self.bytes = bytes
        self.processor = processor
        self.cortex = cortex
        self.clockHz = clockHz
    }

    /// Why this board has no predicted time, or `nil` when it has one.
    public var unsupportedCoreMessage: String? {
        guard cortex == nil else { return nil }
        let what = processor.map { "its \($0)" } ?? "it names no processor"
        return "\(name): no instruction prediction: \(what) is not a core the firmware export builds for (\(CortexCore.names))"
    }

    /// Boards that `--board` accepts and `b` cycles through, smallest first.
    public static let boards: [SRAMBudget] = [
        SRAMBudget(name: "nRF52840", bytes: 256 * 1024, processor: "Cortex-M4", cortex: .cortexM4, clockHz: 64_000_000),
        SRAMBudget(name: "STM32F412", bytes: 256 * 1024, processor: "Cortex-M4", cortex: .cortexM4, clockHz: 100_000_000),
        SRAMBudget(name: "RP2040", bytes: 264 * 1024, processor: "Cortex-M0+", clockHz: 133_000_000),
        SRAMBudget(name: "STM32F746", bytes: 320 * 1024, processor: "Cortex-M7", cortex: .cortexM7, clockHz: 216_000_000),
        SRAMBudget(name: "STM32H743", bytes: 512 * 1024, processor: "Cortex-M7", cortex: .cortexM7, clockHz: 480_000_000),
        SRAMBudget(name: "ESP32-S3", bytes: 512 * 1024, processor: "Xtensa LX7", clockHz: 240_000_000),
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

/// The QEMU board that emulates each Cortex-M target, and what the harness
/// needs to know about it.
public struct FirmwareBoard: Equatable, Sendable {
    /// QEMU's machine name, also the harness's `BOARD` (`mps2-an386`).
    public var machine: String
    /// The core, as `-mcpu` names it.
    public var cpu: String

    /// The board for `target`; `nil` for the host.
    public init?(target: FirmwareTarget) {
        switch target {
        case .cortexM4: self.init(machine: "mps2-an386", cpu: "cortex-m4")
        case .cortexM7: self.init(machine: "mps2-an500", cpu: "cortex-m7")
        case .cortexM33: self.init(machine: "mps2-an505", cpu: "cortex-m33")
        case .cortexM55: self.init(machine: "mps3-an547", cpu: "cortex-m55")
        case .host: return nil
        }
    }

    init(machine: String, cpu: String) {
        self.machine = machine
        self.cpu = cpu
    }

    /// Every board the harness has a linker script for.
    public static var all: [FirmwareBoard] { FirmwareTarget.allCases.compactMap(FirmwareBoard.init(target:)) }

    /// The QEMU command line that runs `elf` with semihosting, the
    /// instruction-counting clock, and the input and output folders as the
    /// program's arguments (relative to QEMU's working directory).
    public func qemuArguments(elf: String, inputDir: String, outputDir: String) -> [String] {
        ["-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
         "-semihosting-config", "enable=on,target=native,arg=patchtop_fw,arg=\(inputDir),arg=\(outputDir)",
         "-icount", "shift=0", "-kernel", elf]
    }
}

/// Why a verification could not finish; `description` is one line.
public enum VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The Arm toolchain or QEMU is not installed.
    case toolchainMissing(missing: [String])
    case toolMissing(String)
    case build(step: String, log: String, lastLines: String)
    /// The firmware is larger than a memory region of the emulated board.
    case doesNotFit(region: String, bytesOver: Int?, log: String)
    case run(what: String, problem: String, lastLines: String)
    case runtime(String)
    case mismatch(String)
    case file(String, String)

    /// The Debian packages that hold what the emulator runs need.
    public static let debianPackages = ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "qemu-system-arm"]

    public var description: String {
        switch self {
        case .toolchainMissing(let missing):
            "the Arm toolchain or QEMU is missing (\(missing.joined(separator: ", "))): install the Debian packages \(Self.debianPackages.joined(separator: ", ")) (or verify with --target host)"
        case .toolMissing(let tool): "\(tool) is not installed (not found on PATH)"
        case .build(let step, let log, let lastLines): "\(step) failed (log: \(log))\(lastLines.isEmpty ? "" : ": \(lastLines)")"
        case .doesNotFit(let region, let over, let log):
            "the firmware does not fit the emulated board's \(region)\(over.map { " (over by \($0) bytes)" } ?? "") (log: \(log)): "
                + (region == "RAM" ? "the arena and static data exceed its 4 MiB" : "the mps2 boards hold 4 MiB of code and constants, the M55's mps3-an547 16 MiB (--target cortex-m55)")
                + "; --target host still verifies"
        case .run(let what, let problem, let lastLines): "\(what) \(problem)\(lastLines.isEmpty ? "" : ": \(lastLines)")"
        case .runtime(let text): "PatchTop's runtime: \(text)"
        case .mismatch(let text): text
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}

/// The tools a verification needs, and what is missing.
public enum FirmwareToolchain {
    /// Missing tools for building and running `target` (the host needs cc
    /// and make only).
    public static func missing(for target: FirmwareTarget) -> [String] {
        var tools = ["make", "cc"]
        if target != .host { tools += ["arm-none-eabi-gcc", "qemu-system-arm"] }
        var missing = tools.filter { ProcessRunner.find($0) == nil }
        if target != .host, !missing.contains("arm-none-eabi-gcc"), !hasNewlib() { missing.append("newlib (librdimon.a)") }
        return missing
    }

    /// Whether arm-none-eabi-gcc finds newlib's semihosting library.
    static func hasNewlib() -> Bool {
        guard let outcome = try? ProcessRunner.run("arm-none-eabi-gcc", ["-print-file-name=librdimon.a"], in: "/",
                                                   log: NSTemporaryPath.make("patchtop-newlib"), timeout: 30) else { return false }
        let path = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return outcome.status == 0 && path.hasPrefix("/")
    }
}

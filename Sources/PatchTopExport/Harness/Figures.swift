import Foundation

/// The `PT …` lines the harness prints.
struct HarnessLines: Equatable {
    var status: Int?
    var instructions: Int?
    var stack: Int?
    /// Instructions per op index (PT_PROFILE builds).
    var ops: [Int: Int] = [:]
    var errors: [String] = []
    var fault: String?

    init(_ text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 2, words[0] == "PT" else { continue }
            switch words[1] {
            case "status" where words.count == 3: status = Int(words[2])
            case "instructions" where words.count == 3: instructions = Int(words[2])
            case "stack" where words.count == 3: stack = Int(words[2])
            case "op" where words.count == 4:
                if let op = Int(words[2]), let count = Int(words[3]) { ops[op] = count }
            case "error": errors.append(words.dropFirst(2).joined(separator: " "))
            case "fault": fault = words.dropFirst(2).joined(separator: " ")
            default: continue
            }
        }
    }
}

/// Flash and static RAM of a linked firmware, from the linker's map: the
/// library's objects (lib/) apart from the harness and the C library, and
/// the arena (`.bss.pt_arena`) apart from the rest.
struct LinkMap: Equatable {
    struct Part: Equatable {
        var flash = 0
        var ram = 0
    }
    var library = Part()
    var everything = Part()
    var arena = 0

    /// Output sections whose input sections count as flash, as RAM, or both
    /// (.data: its initial values sit in flash).
    static let flashSections: Set<String> = [".vectors", ".text", ".ARM.exidx", ".preinit_array", ".init_array", ".fini_array", ".data"]
    static let ramSections: Set<String> = [".data", ".bss"]

    init(map text: String) {
        var output: String?
        var pendingInput: String?
        var inMemoryMap = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("Linker script and memory map") { inMemoryMap = true; continue }
            guard inMemoryMap else { continue }
            if let first = line.first, first == "." {
                output = String(line.split(separator: " ").first ?? "")
                pendingInput = nil
                continue
            }
            guard line.hasPrefix(" "), let section = output else { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard !words.isEmpty else { continue }
            var input: String, rest: [String]
            if words[0].hasPrefix("0x") {
                guard let pending = pendingInput else { continue }
                input = pending
                rest = words
            } else {
                input = words[0]
                rest = Array(words.dropFirst())
                if rest.isEmpty { pendingInput = input; continue }
            }
            pendingInput = nil
            // `input address size file`: anything else (symbols, *fill*,
            // assignments) is not an input section.
            guard input.hasPrefix(".") || input == "COMMON", rest.count >= 3, rest[0].hasPrefix("0x"), rest[1].hasPrefix("0x"),
                  let size = Int(rest[1].dropFirst(2), radix: 16) else { continue }
            let file = rest[2...].joined(separator: " ")
            let isLibrary = file.hasPrefix("build/") && (file.contains("/obj/lib/") || file.contains("/profile/lib/"))
            if Self.flashSections.contains(section) {
                everything.flash += size
                if isLibrary { library.flash += size }
            }
            if Self.ramSections.contains(section) {
                everything.ram += size
                if isLibrary { library.ram += size }
                if input == ".bss.pt_arena" { arena += size }
            }
        }
    }
}

enum NSTemporaryPath {
    /// A path in the temporary folder, unique to this process and call.
    static func make(_ stem: String) -> String {
        let name = "\(stem)-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        return (NSTemporaryDirectory() as NSString).appendingPathComponent(name)
    }
}

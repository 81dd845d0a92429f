import Foundation
@testable import PatchTopExport
import PatchTopModel
@testable import PatchTopRuntime
import XCTest

/// The exported C's ADD, SUB, MUL, MAXIMUM and MINIMUM (`pt_binary_run`,
/// lifts and one requantization, its one-multiply form where the exporter
/// proves it) against the runtime's table, on all 65,536 input pairs, for
/// random scales and zero points, built with the host's `cc`.
final class BinaryArithmeticTests: XCTestCase {
    func testTheCKernelEqualsTheRuntimesTableOnEveryPair() throws {
        guard toolExists("cc") else { throw XCTSkip("no C compiler (cc) on this machine") }
        var seed: UInt64 = 0x5851_F42D_4C95_7F2D
        func uniform() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        func scale() -> Float { Float(pow(10, -3 + 2.5 * uniform())) }
        func zeroPoint() -> Int32 { Int32(uniform() * 256) - 128 }
        var functions: [BinaryArithmeticInt8] = [.select(.maximum), .select(.minimum)]
        for trial in 0..<10 {
            let (s1, s2, so, z1, z2, zo) = (scale(), scale(), scale(), zeroPoint(), zeroPoint(), zeroPoint())
            let low = trial % 3 == 0 ? zo : -128
            functions.append((trial % 2 == 0 ? AddParams.init : AddParams.sub)(s1, z1, s2, z2, so, zo, low, 127).arithmetic)
            functions.append(MulParams(input1Scale: s1, input1ZeroPoint: z1, input2Scale: s2, input2ZeroPoint: z2,
                                       outputScale: so, outputZeroPoint: zo, activationMin: low, activationMax: 127).arithmetic)
        }
        // A MUL whose exponent is positive (a left shift): never the fast form.
        functions.append(MulParams(input1Scale: 1, input1ZeroPoint: 3, input2Scale: 1, input2ZeroPoint: -5,
                                   outputScale: 0.25, outputZeroPoint: 1, activationMin: -128, activationMax: 127).arithmetic)
        let fast = functions.map { ModelEmitter.fastBinaryRequantization($0) != nil }
        XCTAssertTrue(fast.contains(true) && fast.contains(false), "both requantization forms are exercised")

        var c = "#include <stdio.h>\n#include \"pt_runtime.h\"\n"
        for (k, f) in functions.enumerated() {
            c += "static const int32_t la\(k)[256] = { \(f.liftA.map(String.init).joined(separator: ", ")) };\n"
            c += "static const int32_t lb\(k)[256] = { \(f.liftB.map(String.init).joined(separator: ", ")) };\n"
            let base = ModelEmitter.fastBinaryRequantization(f)
            c += "static const pt_binary_params p\(k) = { { \(f.combine.rawValue), \(base == nil ? 0 : 1), la\(k), lb\(k), \(f.multiplier), \(f.shift), \(f.offset), \(base ?? 0), \(-f.shift), \(f.min), \(f.max) }, { 1, 1, 256, 256 }, { 1, 1, 256, 256 }, { 1, 1, 256, 256 }, 4, 4, 4 };\n"
        }
        c += """
        static uint8_t arena[3 * 65536];
        int main(void) {
            static const pt_binary_params *const params[] = { \((0..<functions.count).map { "&p\($0)" }.joined(separator: ", ")) };
            pt_operand in[2] = { { PT_ARENA, 0, 65536, 0, 0, 256, 256 }, { PT_ARENA, 65536, 65536, 0, 0, 256, 256 } };
            pt_context ctx = { arena, NULL, NULL, NULL, NULL, NULL, NULL };
            int i, k;
            for (i = 0; i < 65536; i++) { arena[i] = (uint8_t)(i >> 8); arena[65536 + i] = (uint8_t)i; }
            for (k = 0; k < \(functions.count); k++) {
                pt_step s = { PT_BINARY, 1, 0, 0, 256, 0, 256, 65536, 256, NULL, in, 2, { PT_ARENA, 131072, 65536, 0, 0, 256, 256 }, NULL, NULL, 0, NULL, 0 };
                s.params = params[k];
                pt_run(&ctx, &s, 1);
                fwrite(arena + 131072, 1, 65536, stdout);
            }
            return 0;
        }

        """
        let dir = HostBuilder.shared.work + "/binary-arithmetic"
        let lib = dir + "/lib"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        let library = try FirmwareLibrary(program: try Pipeline(model: try TFLiteReader.load(path: ExportTestFiles.sample("tiny-allops"))).program,
                                          target: .host, streamedInput: false)
        try HostBuilder.shared.writeFiles(library, to: dir)
        try c.write(toFile: dir + "/binary_main.c", atomically: true, encoding: .utf8)
        let sources = try FileManager.default.contentsOfDirectory(atPath: lib).filter { $0.hasSuffix(".c") }.map { "lib/" + $0 }
        let built = try shell(["cc", "-std=c99", "-O2", "-ffp-contract=off", "-Ilib", "-o", "binary", "binary_main.c"] + sources + ["-lm"], in: dir)
        XCTAssertEqual(built.status, 0, built.output)
        guard built.status == 0 else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dir + "/binary")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        XCTAssertEqual(bytes.count, functions.count * 65536)
        guard bytes.count == functions.count * 65536 else { return }
        for (k, f) in functions.enumerated() {
            let table = BinaryTableInt8(f).table
            let got = bytes[(k * 65536)..<((k + 1) * 65536)].map { Int8(bitPattern: $0) }
            let differing = zip(got, table).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "function \(k) (\(f.combine), fast \(fast[k])): \(differing) of 65,536 pairs differ")
        }
    }
}

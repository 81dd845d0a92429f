import Foundation
import PatchTopExport
import PatchTopModel
@testable import PatchTopRuntime
import XCTest

/// The export's float maths against the runtime's, value by value: LOGISTIC
/// (the library's own `expf` below −9), SOFTMAX and LOG_SOFTMAX (its `expf`
/// and `logf`) on floats over every exponent, NaN and infinities included,
/// built with the host's `cc` from the exported `lib/pt_float.c`.
final class FloatMathTests: XCTestCase {
    func testLogisticSoftmaxAndLogSoftmaxMatchTheRuntime() throws {
        guard toolExists("cc") else { throw XCTSkip("no C compiler (cc) on this machine") }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        // Any bit pattern, then a dense range around where exp under- and overflows.
        var x: [Float] = (0..<40_000).map { _ in Float(bitPattern: next()) }
        x += (0..<80_000).map { _ in Float(Double(next()) / Double(UInt32.max) * 210 - 110) }
        x += [0, -0, 1, -1, 16.619047, 16.62, -9, -9.000001, 88.72283, 88.72284, -87.33655, -103.97208, -104,
              .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        while x.count % 4 != 0 { x.append(0.5) }
        // glibc's FMA build of expf rounds these two once less (README): not compared.
        let glibcFMA: Set<UInt32> = [0x4202_422F, 0xC27C_65D9]
        x = x.map { glibcFMA.contains($0.bitPattern) ? 0.25 : $0 }

        let library = try FirmwareLibrary(program: try Pipeline(model: try TFLiteReader.load(path: ExportTestFiles.sample("tiny-float-io"))).program,
                                          target: .host, streamedInput: false)
        let dir = HostBuilder.shared.work + "/float-math"
        try HostBuilder.shared.writeFiles(library, to: dir)
        let main = """
        #include <stdio.h>
        #include <stdlib.h>
        #include "pt_runtime.h"
        int main(int argc, char **argv) {
            FILE *f = fopen(argv[1], "rb");
            long n, i;
            float *x, *y;
            pt_unary_f32_params logistic = { PT_UNARY_LOGISTIC, 0.0f };
            pt_softmax_f32_params rows;
            if (f == NULL || argc != 3) return 2;
            fseek(f, 0, SEEK_END); n = ftell(f) / 4; fseek(f, 0, SEEK_SET);
            x = malloc((size_t)n * 4); y = malloc((size_t)n * 12);
            if (x == NULL || y == NULL || fread(x, 4, (size_t)n, f) != (size_t)n) return 3;
            fclose(f);
            for (i = 0; i < n; i++) y[i] = pt_unary_f32(&logistic, x[i]);
            rows.rows = (int32_t)(n / 4); rows.depth = 4; rows.beta = 1.0f;
            pt_softmax_f32(&rows, x, y + n);
            pt_log_softmax_f32(&rows, x, y + 2 * n);
            f = fopen(argv[2], "wb");
            if (f == NULL || fwrite(y, 4, (size_t)(3 * n), f) != (size_t)(3 * n)) return 4;
            fclose(f);
            return 0;
        }
        """
        try main.write(toFile: dir + "/lib/math_main.c", atomically: true, encoding: .utf8)
        let built = try shell(["cc", "-std=c99", "-O2", "-ffp-contract=off", "-o", "math", "lib/math_main.c", "lib/pt_float.c", "-lm"], in: dir)
        XCTAssertEqual(built.status, 0, built.output)
        let inputData = x.withUnsafeBufferPointer { Data(buffer: $0) }
        try inputData.write(to: URL(fileURLWithPath: dir + "/in.bin"))
        let ran = try shell(["./math", "in.bin", "out.bin"], in: dir)
        XCTAssertEqual(ran.status, 0, ran.output)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/out.bin"))
        let got: [Float] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(got.count, 3 * x.count)
        guard got.count == 3 * x.count else { return }

        let n = x.count
        var want = x.map { FloatUnaryOp.logistic.apply($0) } + [Float](repeating: 0, count: 2 * n)
        x.withUnsafeBufferPointer { input in
            want.withUnsafeMutableBufferPointer { out in
                softmaxFloat(beta: 1, rows: n / 4, depth: 4, input: input.baseAddress!, output: out.baseAddress! + n)
                logSoftmaxFloat(rows: n / 4, depth: 4, input: input,
                                output: UnsafeMutableBufferPointer(rebasing: out[(2 * n)...]))
            }
        }
        var differences = 0
        for i in 0..<(3 * n) where !(got[i].bitPattern == want[i].bitPattern || (got[i].isNaN && want[i].isNaN)) {
            if differences < 5 {
                let kind = ["logistic", "softmax", "log softmax"][i / n]
                XCTFail("\(kind) of element \(i % n) (x = \(x[i % n])): library \(got[i]) runtime \(want[i])")
            }
            differences += 1
        }
        XCTAssertEqual(differences, 0, "values that differ from the runtime")
    }
}

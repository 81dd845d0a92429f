import Foundation
import PatchTopExport
import XCTest

/// The harness on the hand-written fixture library: the host build, QEMU
/// runs on the Cortex-M boards, the figures, and what goes wrong.
final class FirmwareHarnessTests: XCTestCase {
    func export(_ library: FirmwareLibrary, target: FirmwareTarget) throws -> String {
        let dir = XorFixture.temporaryFolder()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try FirmwareProject.write(library, to: dir, target: target)
        return dir
    }

    func skipWithoutEmulator() throws {
        if let reason = XorFixture.emulatorMissing { throw XCTSkip(reason) }
    }

    func testHostBuildMatches() throws {
        let dir = try export(try XorFixture.library(), target: .host)
        let input = XorFixture.input()
        let report = try FirmwareVerification.verify(dir: dir, target: .host, arenaBytes: 96, expecting: XorFixture.expectation(input: input))
        XCTAssertTrue(report.identical)
        XCTAssertEqual(report.outputs.map(\.identical), [true, true])
        XCTAssertNil(report.instructions)
        XCTAssertNil(report.board)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: report.outputFiles[0])), Data(input.map { $0 ^ 0x5A }))
    }

    func testAWrongExpectationIsReported() throws {
        let dir = try export(try XorFixture.library(), target: .host)
        var expected = XorFixture.expectation(input: XorFixture.input())
        expected.outputs[1][2] ^= 1
        let report = try FirmwareVerification.verify(dir: dir, target: .host, arenaBytes: 96, expecting: expected)
        XCTAssertFalse(report.identical)
        XCTAssertEqual(report.outputs.map(\.identical), [true, false])
        XCTAssertEqual(report.outputs[1].firstDifference, 2)
    }

    func testCortexM4AndM7RunIdenticalWithFigures() throws {
        try skipWithoutEmulator()
        for target in [FirmwareTarget.cortexM4, .cortexM7] {
            let dir = try export(try XorFixture.library(), target: target)
            let report = try FirmwareVerification.verify(dir: dir, target: target, arenaBytes: 96,
                                                         expecting: XorFixture.expectation(input: XorFixture.input()), perOp: true)
            XCTAssertTrue(report.identical, "\(target)")
            XCTAssertEqual(report.board, FirmwareBoard(target: target)?.machine)
            XCTAssertEqual(report.arenaBytes, 96)
            XCTAssertEqual(report.staticRAMArenaBytes, 96)
            // The fixture's only other data: none (its tables are const).
            XCTAssertEqual(report.staticRAMRestBytes, 0)
            XCTAssertEqual(report.staticRAMBytes, 96)
            let flash = try XCTUnwrap(report.flashBytes)
            XCTAssertGreaterThan(flash, 100)
            XCTAssertLessThan(flash, 1000)
            XCTAssertGreaterThan(try XCTUnwrap(report.firmwareFlashBytes), flash)
            XCTAssertGreaterThan(try XCTUnwrap(report.firmwareStaticRAMBytes), 96)
            let stack = try XCTUnwrap(report.stackBytes)
            XCTAssertGreaterThan(stack, 0)
            XCTAssertLessThan(stack, 256)
            let instructions = try XCTUnwrap(report.instructions)
            XCTAssertGreaterThan(instructions, 90 * 3)
            XCTAssertLessThan(instructions, 90 * 40)
            XCTAssertEqual(report.macs, 180)
            let ops = try XCTUnwrap(report.ops)
            XCTAssertEqual(ops.map(\.index), [0, 2])
            XCTAssertEqual(ops.map(\.op), ["XOR", "SUM"])
            XCTAssertTrue(ops.allSatisfy { $0.instructions > 0 && $0.macs == 90 })
            XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(report.elf)))
        }
    }

    /// A known loop of 2,000,000 instructions adds 2,000,000 to the count,
    /// within one SysTick tick, on every board: the clock each board's
    /// figure is converted with is right.
    func testInstructionCountIsCalibratedOnEveryBoard() throws {
        try skipWithoutEmulator()
        for target in [FirmwareTarget.cortexM4, .cortexM7, .cortexM33, .cortexM55] {
            let expected = XorFixture.expectation(input: XorFixture.input())
            let plain = try FirmwareVerification.verify(dir: try export(try XorFixture.library(), target: target), target: target,
                                                        arenaBytes: 96, expecting: expected)
            let spun = try FirmwareVerification.verify(dir: try export(try XorFixture.library(defines: ["#define PT_FIXTURE_SPIN 1000000"]), target: target),
                                                       target: target, arenaBytes: 96, expecting: expected)
            XCTAssertTrue(plain.identical && spun.identical, "\(target)")
            let added = try XCTUnwrap(spun.instructions) - XCTUnwrap(plain.instructions)
            XCTAssertEqual(Double(added), 2_000_000, accuracy: 100, "\(target)")
        }
    }

    func testStreamedInputHandsOutRegionsOfTheImage() throws {
        try skipWithoutEmulator()
        let library = try XorFixture.library(defines: ["#define PT_STREAMED_INPUT 1"])
        let dir = try export(library, target: .cortexM4)
        let report = try FirmwareVerification.verify(dir: dir, target: .cortexM4, arenaBytes: 96,
                                                     expecting: XorFixture.expectation(input: XorFixture.input(seed: 3)))
        XCTAssertTrue(report.identical)
        let config = try String(contentsOfFile: dir + "/harness/pt_harness_config.h", encoding: .utf8)
        XCTAssertTrue(config.contains("pt_harness_input_rows[1] = { 6 }"))
        XCTAssertTrue(config.contains("pt_harness_input_pixel_bytes[1] = { 3 }"))
    }

    func testALibraryFailureIsAnErrorNotAResult() throws {
        try skipWithoutEmulator()
        let expected = XorFixture.expectation(input: XorFixture.input())
        let failing = try export(try XorFixture.library(defines: ["#define PT_FIXTURE_STATUS 5"]), target: .cortexM4)
        XCTAssertThrowsError(try FirmwareVerification.verify(dir: failing, target: .cortexM4, arenaBytes: 96, expecting: expected)) { error in
            XCTAssertTrue("\(error)".contains("returned 5 from the library"), "\(error)")
        }
        let faulting = try export(try XorFixture.library(defines: ["#define PT_FIXTURE_FAULT 1"]), target: .cortexM7)
        XCTAssertThrowsError(try FirmwareVerification.verify(dir: faulting, target: .cortexM7, arenaBytes: 96, expecting: expected)) { error in
            XCTAssertTrue("\(error)".contains("faulted"), "\(error)")
        }
    }

    func testABrokenLibraryIsABuildError() throws {
        var library = try XorFixture.library()
        library.files["lib/patchtop_model.c"]! += "\nthis is not C;\n"
        let dir = try export(library, target: .host)
        XCTAssertThrowsError(try FirmwareVerification.verify(dir: dir, target: .host, arenaBytes: 96,
                                                             expecting: XorFixture.expectation(input: XorFixture.input()))) { error in
            XCTAssertTrue("\(error)".hasPrefix("make host failed"), "\(error)")
        }
    }

    /// A library larger than the board's flash is named as that, not as a
    /// linker log: the region, by how much, and where it does fit.
    func testALibraryLargerThanTheBoardSaysItDoesNotFit() throws {
        try skipWithoutEmulator()
        var library = try XorFixture.library()
        let source = try XCTUnwrap(library.files["lib/patchtop_model.c"])
        XCTAssertTrue(source.contains("int pt_init(void) { return 0; }"))
        library.files["lib/patchtop_model.c"] = source.replacingOccurrences(
            of: "int pt_init(void) { return 0; }",
            with: "const uint8_t pt_big[5u << 20] = {1};\nint pt_init(void) { return pt_big[(uintptr_t)&pt_big & 7] - 1; }")
        let dir = try export(library, target: .cortexM4)
        XCTAssertThrowsError(try FirmwareVerification.verify(dir: dir, target: .cortexM4, arenaBytes: 96,
                                                             expecting: XorFixture.expectation(input: XorFixture.input()))) { error in
            guard case VerificationError.doesNotFit(let region, let over, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(region, "FLASH")
            XCTAssertGreaterThan(over ?? 0, 1 << 20, "5 MiB of constants on a 4 MiB board")
            XCTAssertTrue("\(error)".contains("--target cortex-m55"), "\(error)")
        }
    }

    func testTheMissingToolchainNamesTheDebianPackages() {
        let text = VerificationError.toolchainMissing(missing: ["arm-none-eabi-gcc"]).description
        XCTAssertTrue(text.contains("gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm"), text)
        XCTAssertFalse(text.contains("\n"))
    }
}

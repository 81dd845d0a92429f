import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopUI
import XCTest

/// `x`: the current plan, with its options, exported as a C library to a
/// new folder, and a notice saying where.
final class FirmwareExportKeyTests: XCTestCase {
    func testXAsksToExportTheCurrentPlanToANewFolder() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        s.exportDirectory = "/tmp/reports/"
        s = update(s, .key(.char("m")))
        let (_, effects) = updateWithEffects(s, .key(.char("x")))
        XCTAssertEqual(effects, [.exportFirmware(s.currentRunRequest, folder: "/tmp/reports/patchtop-mbv2-w0.35-r144-p3-n13-inplace-firmware")])
        XCTAssertEqual(s.currentRunRequest.options, s.options, "the plan's memory options go with it")
    }

    func testTheEffectWritesANewFolderEachTimeAndSaysWhere() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-x-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try UIFixtures.model()
        var s = try AppState(model: model, patches: 3, patchLayers: 13)
        s.exportDirectory = dir.path
        let handler = EffectHandler(planRunner: nil, sweepModel: model)
        var written: [String] = []
        for _ in 0..<2 {
            let (next, effects) = updateWithEffects(s, .key(.char("x")))
            handler.perform(effects, in: next)
            let message = try XCTUnwrap(wait(for: handler))
            if case .exportFailed(_, let reason) = message, reason.contains("no C emitter yet") {
                throw XCTSkip("this build has no C emitter yet (the firmware branch's)")
            }
            guard case .exported(let path) = message else { return XCTFail("\(message)") }
            written.append(path)
            XCTAssertTrue(update(next, message).statusMessage.hasPrefix("exported patchtop-mbv2-w0.35-r144-p3-n13-tflm-firmware"))
        }
        let base = dir.appendingPathComponent("patchtop-mbv2-w0.35-r144-p3-n13-tflm-firmware").path
        XCTAssertEqual(written, [base, base + "-2"])
        for folder in written {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/lib/patchtop_model.h"))
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/patchtop-export.json"))
        }
    }

    func testAFolderThatCannotBeMadeIsANotice() throws {
        let model = try UIFixtures.model()
        var s = try AppState(model: model, patches: 3, patchLayers: 13)
        s.exportDirectory = "/nonexistent-patchtop-dir/sub"
        let handler = EffectHandler(planRunner: nil, sweepModel: model)
        let (next, effects) = updateWithEffects(s, .key(.char("x")))
        handler.perform(effects, in: next)
        let message = try XCTUnwrap(wait(for: handler))
        guard case .exportFailed(let path, let reason) = message else { return XCTFail("\(message)") }
        if reason.contains("no C emitter yet") { throw XCTSkip("this build has no C emitter yet (the firmware branch's)") }
        XCTAssertTrue(path.hasPrefix("/nonexistent-patchtop-dir/sub/"), path)
        XCTAssertEqual(reason, "No such file or directory")
    }

    /// The first message the handler posts, within a minute.
    func wait(for handler: EffectHandler) -> Message? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let first = handler.inbox.drain().first { return first }
            usleep(10_000)
        }
        return nil
    }
}

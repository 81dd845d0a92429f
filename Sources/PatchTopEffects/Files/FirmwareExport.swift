import Foundation
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// The TUI's `x`: the current plan, with its memory options and halo
/// caches, written as `patchtop export … --target cortex-m4` would write it,
/// to a new folder.
enum FirmwareExport {
    /// Exports `request`'s plan of `model` to `folder`, or the first free
    /// `folder-2`, `folder-3`… (made here, so it is new and empty). Returns
    /// the folder written, or why not, in one line.
    static func export(_ model: Model, _ request: RunRequest, near folder: String, attempts: Int = 999) -> Result<String, ExportFailure> {
        let library: FirmwareLibrary
        do {
            let program = try Pipeline(model: model, plan: request.plan(for: model)).program
            library = try FirmwareLibrary(program: program, target: .cortexM4, streamedInput: request.options.streamInput)
        } catch {
            return .failure(ExportFailure(path: folder, reason: "\(error)"))
        }
        for attempt in 1...max(1, attempts) {
            let candidate = attempt == 1 ? folder : "\(folder)-\(attempt)"
            if mkdir(candidate, 0o755) != 0 {
                if errno == EEXIST { continue }
                return .failure(ExportFailure(path: candidate, reason: String(cString: strerror(errno))))
            }
            do {
                try FirmwareProject.write(library, to: candidate, target: .cortexM4)
            } catch {
                return .failure(ExportFailure(path: candidate, reason: error.description))
            }
            return .success(candidate)
        }
        return .failure(ExportFailure(path: folder, reason: "\(attempts) numbered folders of that name exist already"))
    }

    struct ExportFailure: Error {
        var path: String
        var reason: String
    }
}

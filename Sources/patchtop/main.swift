import Foundation
import PatchTopRuntime

// A PATCHTOP_KERNELS that cannot be followed is said once, not ignored.
if let notice = KernelPath.environmentNotice {
    FileHandle.standardError.write(Data("patchtop: warning: \(notice)\n".utf8))
}

// The one place the process exits: a `CommandFailure` prints as one line
// `patchtop: …` with status 1; everything else (usage errors, --help,
// --version) the argument parser prints and exits as it does.
do {
    var command = try PatchTop.parseAsRoot()
    try command.run()
} catch let failure as CommandFailure {
    FileHandle.standardError.write(Data("patchtop: \(failure.message)\n".utf8))
    exit(1)
} catch {
    PatchTop.exit(withError: error)
}

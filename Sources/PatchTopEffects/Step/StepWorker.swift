import Foundation
import PatchTopRuntime
import PatchTopUI

/// Runs step mode's work on its own serial queue: opening a session (which
/// compiles the plan), the steps, replays for stepping back, and the
/// reference inference at the end. The input loop only ever posts commands
/// and receives `stepped` / `stepFailed` messages, so a long `f` or a
/// re-plan never freezes the keys.
final class StepWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "patchtop-step")
    private let open: @Sendable (RunRequest) throws -> any StepDriver
    private let deliver: @Sendable (Message) -> Void
    /// Only touched on `queue`.
    private var driver: (any StepDriver)?

    init(open: @escaping @Sendable (RunRequest) throws -> any StepDriver, deliver: @escaping @Sendable (Message) -> Void) {
        self.open = open
        self.deliver = deliver
    }

    /// Opens a session for `request` (replacing any other), at the step after `resume` when the plan has it.
    func start(_ request: RunRequest, resume: StepPoint?) {
        queue.async { [self] in
            driver = nil
            do {
                var opened = try open(request)
                if let resume, let position = opened.position(after: resume) { try opened.seek(to: position) }
                driver = opened
                deliver(.stepped(opened.snapshot()))
            } catch {
                deliver(.stepFailed(reason: "\(error)"))
            }
        }
    }

    func perform(_ command: StepCommand) {
        queue.async { [self] in
            guard var current = driver else { return }
            do {
                let snapshot = try current.perform(command)
                driver = current
                deliver(.stepped(snapshot))
            } catch {
                driver = current
                deliver(.stepFailed(reason: "\(error)"))
            }
        }
    }

    func close() {
        queue.async { [self] in driver = nil }
    }

    /// Waits for every queued command (tests).
    func drain() { queue.sync {} }
}

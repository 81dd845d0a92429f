import Foundation
import PatchTopRuntime
import PatchTopUI

/// Runs requests on one worker thread, off the input loop, newest first.
///
/// There is one slot for the next request: a request that arrives while
/// another waits replaces it, so a burst of key presses runs only the last
/// plan. The run in progress is told to stop (through `shouldStop`) as soon
/// as a newer request arrives. Results go to `deliver`, from the worker
/// thread; `update` drops any whose generation is no longer current.
public final class BackgroundRunner: @unchecked Sendable {
    private let runner: any PlanRunner
    private let deliver: @Sendable (Message) -> Void
    private let superseded: (@Sendable (RunRequest, _ ranToEnd: Bool) -> Void)?
    private let condition = NSCondition()
    private var pending: RunRequest?
    private var latestGeneration = Int.min
    private var stopped = false
    private var thread: Thread?

    /// - Parameter onSuperseded: told about a run whose result will never show because a newer
    ///   request arrived: stopped early, or (`ranToEnd`) finished and dropped. For the profile log.
    public init(runner: any PlanRunner, onSuperseded: (@Sendable (RunRequest, _ ranToEnd: Bool) -> Void)? = nil,
                deliver: @escaping @Sendable (Message) -> Void) {
        self.runner = runner
        self.deliver = deliver
        self.superseded = onSuperseded
    }

    deinit { stop() }

    /// Queues `request`, superseding any request not yet finished.
    public func submit(_ request: RunRequest) {
        condition.lock()
        pending = request
        latestGeneration = max(latestGeneration, request.generation)
        if thread == nil, !stopped {
            let worker = Thread { [weak self] in self?.work() }
            worker.name = "patchtop-run"
            worker.stackSize = 8 << 20
            thread = worker
            worker.start()
        }
        condition.signal()
        condition.unlock()
    }

    /// Stops the worker after its current run; pending requests are dropped.
    public func stop() {
        condition.lock()
        stopped = true
        pending = nil
        condition.broadcast()
        condition.unlock()
    }

    /// True when a request newer than `generation` has been submitted (or the runner stopped).
    public func isSuperseded(_ generation: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped || latestGeneration > generation
    }

    private func work() {
        while true {
            condition.lock()
            while pending == nil, !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            guard let request = pending else { condition.unlock(); continue }
            pending = nil
            condition.unlock()
            let generation = request.generation
            do throws(RuntimeError) {
                if let summary = try runner.run(request, shouldStop: { [weak self] in self?.isSuperseded(generation) ?? true }) {
                    if isSuperseded(generation) { superseded?(request, true) } else { deliver(.runFinished(summary)) }
                } else {
                    superseded?(request, false)
                }
            } catch {
                if !isSuperseded(generation) { deliver(.runFailed(request, reason: error.description)) }
            }
        }
    }
}
